import { createHash } from "node:crypto";
import * as C from "./constants.js";
import { TpmParseError, TpmReader, concat, u16be } from "./reader.js";

/** TPMS_ATTEST of a quote (the fields the verifier uses). */
export interface QuoteAttest {
  qualifiedSigner: Uint8Array;
  extraData: Uint8Array;
  clock: bigint;
  resetCount: number;
  restartCount: number;
  safe: boolean;
  firmwareVersion: bigint;
  pcrDigest: Uint8Array;
}

/** Parses TPMS_ATTEST and refuses anything but a TPM-generated quote. */
export function parseQuoteAttest(bytes: Uint8Array): QuoteAttest {
  const r = new TpmReader(bytes);
  if (r.u32() !== C.TPM_GENERATED_VALUE) throw new TpmParseError("quote magic is not TPM_GENERATED_VALUE");
  if (r.u16() !== C.TPM_ST_ATTEST_QUOTE) throw new TpmParseError("attestation is not a quote");
  const qualifiedSigner = r.tpm2b();
  const extraData = r.tpm2b();
  const clock = r.u64();
  const resetCount = r.u32();
  const restartCount = r.u32();
  const safe = r.u8() === 1;
  const firmwareVersion = r.u64();
  const selections = r.u32();
  if (selections > 16) throw new TpmParseError("too many PCR selections");
  for (let i = 0; i < selections; i++) {
    r.u16();
    r.bytesN(r.u8());
  }
  const pcrDigest = r.tpm2b();
  r.end("TPMS_ATTEST");
  return { qualifiedSigner, extraData, clock, resetCount, restartCount, safe, firmwareVersion, pcrDigest };
}

export type TpmPublicKey =
  | { type: "rsa"; nameAlg: number; attributes: number; scheme: number; schemeHash: number; modulus: Uint8Array; exponent: number }
  | { type: "ecc"; nameAlg: number; attributes: number; scheme: number; schemeHash: number; curve: number; x: Uint8Array; y: Uint8Array };

export interface TpmPublic {
  key: TpmPublicKey;
  /** The marshalled TPMT_PUBLIC (what the object's name hashes). */
  tpmtPublic: Uint8Array;
}

/** Parses TPM2B_PUBLIC (RSA or ECC keys only). */
export function parsePublic(bytes: Uint8Array): TpmPublic {
  const outer = new TpmReader(bytes);
  const tpmtPublic = outer.tpm2b();
  outer.end("TPM2B_PUBLIC");
  const r = new TpmReader(tpmtPublic);
  const type = r.u16();
  const nameAlg = r.u16();
  const attributes = r.u32();
  r.tpm2b(); // authPolicy
  const symAlg = r.u16();
  if (symAlg !== C.TPM_ALG_NULL) {
    r.u16(); // keyBits
    r.u16(); // mode
  }
  const scheme = r.u16();
  let schemeHash = C.TPM_ALG_NULL;
  if (scheme !== C.TPM_ALG_NULL) {
    schemeHash = r.u16();
    if (scheme === C.TPM_ALG_ECDAA) r.u16(); // count
  }
  if (type === C.TPM_ALG_RSA) {
    r.u16(); // keyBits
    const exponent = r.u32();
    const modulus = r.tpm2b();
    r.end("TPMT_PUBLIC");
    return { key: { type: "rsa", nameAlg, attributes, scheme, schemeHash, modulus, exponent: exponent === 0 ? 65537 : exponent }, tpmtPublic };
  }
  if (type === C.TPM_ALG_ECC) {
    const curve = r.u16();
    const kdf = r.u16();
    if (kdf !== C.TPM_ALG_NULL) r.u16();
    const x = r.tpm2b();
    const y = r.tpm2b();
    r.end("TPMT_PUBLIC");
    return { key: { type: "ecc", nameAlg, attributes, scheme, schemeHash, curve, x, y }, tpmtPublic };
  }
  throw new TpmParseError(`unsupported key type 0x${type.toString(16)}`);
}

/** The object's name: nameAlg || H_nameAlg(TPMT_PUBLIC). */
export function objectName(pub: TpmPublic): Uint8Array {
  const hash = C.HASHES.get(pub.key.nameAlg);
  if (!hash) throw new TpmParseError(`unsupported name algorithm 0x${pub.key.nameAlg.toString(16)}`);
  return concat(u16be(pub.key.nameAlg), createHash(hash.name).update(pub.tpmtPublic).digest());
}

export type TpmSignature =
  | { alg: "rsassa" | "rsapss"; hash: number; sig: Uint8Array }
  | { alg: "ecdsa"; hash: number; r: Uint8Array; s: Uint8Array };

/** Parses TPMT_SIGNATURE (RSASSA, RSAPSS, ECDSA). */
export function parseSignature(bytes: Uint8Array): TpmSignature {
  const r = new TpmReader(bytes);
  const alg = r.u16();
  const hash = r.u16();
  let out: TpmSignature;
  if (alg === C.TPM_ALG_RSASSA || alg === C.TPM_ALG_RSAPSS) out = { alg: alg === C.TPM_ALG_RSASSA ? "rsassa" : "rsapss", hash, sig: r.tpm2b() };
  else if (alg === C.TPM_ALG_ECDSA) out = { alg: "ecdsa", hash, r: r.tpm2b(), s: r.tpm2b() };
  else throw new TpmParseError(`unsupported signature algorithm 0x${alg.toString(16)}`);
  r.end("TPMT_SIGNATURE");
  return out;
}
