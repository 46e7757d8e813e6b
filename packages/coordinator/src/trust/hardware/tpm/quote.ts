import { timingSafeEqual } from "node:crypto";
import * as C from "./constants.js";
import { parseQuoteAttest, parseSignature, type TpmPublic } from "./structures.js";
import { verifyTpmSignature } from "./signature.js";

const REQUIRED = C.OBJ_FIXED_TPM | C.OBJ_FIXED_PARENT | C.OBJ_SENSITIVE_DATA_ORIGIN | C.OBJ_RESTRICTED | C.OBJ_SIGN;

/**
 * Why `ak` is not a TPM-resident restricted signing key, or undefined. A restricted key signs only
 * TPM-generated structures (a digest starting with TPM_GENERATED_VALUE is refused), so a quote it
 * signed was produced by the TPM; fixedTPM + sensitiveDataOrigin: the private part was made in,
 * and never leaves, that TPM.
 */
export function akProblem(ak: TpmPublic): string | undefined {
  const a = ak.key.attributes;
  if ((a & REQUIRED) !== REQUIRED || (a & C.OBJ_DECRYPT) !== 0) {
    return `AK attributes 0x${a.toString(16)} are not fixedTPM|fixedParent|sensitiveDataOrigin|restricted|sign`;
  }
  if (!C.HASHES.has(ak.key.nameAlg)) return "AK name algorithm is not SHA-256/384/512";
  return undefined;
}

/** Why `quote` + `signature` are not the AK's quote over `subjectHash`, or undefined. */
export function quoteProblem(ak: TpmPublic, quote: Uint8Array, signature: Uint8Array, subjectHash: Uint8Array): string | undefined {
  const attest = parseQuoteAttest(quote);
  const bound = attest.extraData.length === subjectHash.length && timingSafeEqual(attest.extraData, subjectHash);
  if (!bound) return "quote is not over this attestation (extraData differs)";
  if (!verifyTpmSignature(ak.key, parseSignature(signature), quote)) return "quote signature does not verify with the AK";
  return undefined;
}
