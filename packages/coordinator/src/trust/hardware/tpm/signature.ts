import { createPublicKey, constants, verify, type KeyObject } from "node:crypto";
import * as C from "./constants.js";
import type { TpmPublicKey, TpmSignature } from "./structures.js";

const b64url = (b: Uint8Array): string => Buffer.from(b).toString("base64url");

const CURVES: ReadonlyMap<number, { crv: string; size: number }> = new Map([
  [C.TPM_ECC_NIST_P256, { crv: "P-256", size: 32 }],
  [C.TPM_ECC_NIST_P384, { crv: "P-384", size: 48 }],
]);

/** A Node public key for a TPM RSA or ECC (P-256/P-384) public area. */
export function keyObjectFor(key: TpmPublicKey): KeyObject {
  if (key.type === "rsa") {
    const e = Buffer.alloc(4);
    e.writeUInt32BE(key.exponent);
    return createPublicKey({ key: { kty: "RSA", n: b64url(key.modulus), e: b64url(e.subarray(e.findIndex((x) => x !== 0))) }, format: "jwk" });
  }
  const curve = CURVES.get(key.curve);
  if (!curve) throw new Error(`unsupported ECC curve 0x${key.curve.toString(16)}`);
  return createPublicKey({ key: { kty: "EC", crv: curve.crv, x: b64url(pad(key.x, curve.size)), y: b64url(pad(key.y, curve.size)) }, format: "jwk" });
}

function pad(b: Uint8Array, size: number): Uint8Array {
  if (b.length > size) throw new Error("ECC coordinate too long");
  const out = new Uint8Array(size);
  out.set(b, size - b.length);
  return out;
}

/** True when `sig` by `key` verifies over `message`; the hash must be SHA-256 or stronger. */
export function verifyTpmSignature(key: TpmPublicKey, sig: TpmSignature, message: Uint8Array): boolean {
  const hash = C.HASHES.get(sig.hash);
  if (!hash) return false;
  const keyObject = keyObjectFor(key);
  if (sig.alg === "ecdsa") {
    if (key.type !== "ecc") return false;
    const size = CURVES.get(key.curve)?.size;
    if (size === undefined || sig.r.length > size || sig.s.length > size) return false;
    const raw = Buffer.concat([pad(sig.r, size), pad(sig.s, size)]);
    return verify(hash.name, message, { key: keyObject, dsaEncoding: "ieee-p1363" }, raw);
  }
  if (key.type !== "rsa") return false;
  const padding = sig.alg === "rsassa" ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING;
  return verify(hash.name, message, { key: keyObject, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig.sig);
}
