import { sha256 } from "@noble/hashes/sha2.js";
import { encodeHex } from "./bytes.js";
import { SealError } from "./errors.js";
import { getSuite } from "./suite.js";

export const X25519_PUBLIC_KEY_BYTES = 32;

/** A provider's sealing key. The private half is held out of band and never serialisable. */
export interface EncryptionKeyPair {
  readonly kid: string;
  readonly publicKey: Uint8Array;
}

/** A key to seal to: the kid must be keyId(publicKey). */
export interface RecipientKey {
  kid: string;
  publicKey: Uint8Array;
}

const privateKeys = new WeakMap<EncryptionKeyPair, CryptoKeyPair>();

/** First 16 hex characters of SHA-256(publicKey). */
export function keyId(publicKey: Uint8Array): string {
  return encodeHex(sha256(publicKey).subarray(0, 8));
}

/** A fresh X25519 key pair; the private key lives only in this process's memory. */
export async function generateEncryptionKeyPair(): Promise<EncryptionKeyPair> {
  const suite = await getSuite();
  const pair = await suite.kem.generateKeyPair();
  const publicKey = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
  const kp: EncryptionKeyPair = Object.freeze({ kid: keyId(publicKey), publicKey });
  privateKeys.set(kp, pair);
  return kp;
}

/** @internal The CryptoKeyPair behind an EncryptionKeyPair from generateEncryptionKeyPair. */
export function privateKeyOf(kp: EncryptionKeyPair): CryptoKeyPair {
  const pair = privateKeys.get(kp);
  if (!pair) throw new SealError("bad_recipient", "key pair was not created by generateEncryptionKeyPair");
  return pair;
}
