import { createHash } from "node:crypto";

/** Stable id for a provider identity: `prv_` + 16 hex of SHA-256(identity public key, base64 text). */
export function providerIdFor(identityKeyB64: string): string {
  return "prv_" + createHash("sha256").update(identityKeyB64).digest("hex").slice(0, 16);
}
