import { sha256 } from "@noble/hashes/sha2.js";
import { encodeHex } from "./bytes.js";
import { SealError } from "./errors.js";
import { nodeHpke, type X25519KeyPair } from "./hpke-node.js";
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

/** The private half: a Node KeyObject (synchronous HPKE) or a WebCrypto / @hpke key pair (browsers). */
export type PrivateKeyHandle = { node: X25519KeyPair } | { suite: CryptoKeyPair };

const privateKeys = new WeakMap<EncryptionKeyPair, PrivateKeyHandle>();

/** First 16 hex characters of SHA-256(publicKey). */
export function keyId(publicKey: Uint8Array): string {
  return encodeHex(sha256(publicKey).subarray(0, 8));
}

/** A fresh X25519 key pair; the private key lives only in this process's memory. */
export async function generateEncryptionKeyPair(): Promise<EncryptionKeyPair> {
  const hpke = nodeHpke();
  if (hpke) {
    const pair = hpke.generateKeyPair();
    const kp: EncryptionKeyPair = Object.freeze({ kid: keyId(pair.publicKey), publicKey: pair.publicKey.slice() });
    privateKeys.set(kp, { node: pair });
    return kp;
  }
  const suite = await getSuite();
  const pair = await suite.kem.generateKeyPair();
  const publicKey = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
  const kp: EncryptionKeyPair = Object.freeze({ kid: keyId(publicKey), publicKey });
  privateKeys.set(kp, { suite: pair });
  return kp;
}

/** @internal The private key behind an EncryptionKeyPair from generateEncryptionKeyPair. */
export function privateKeyOf(kp: EncryptionKeyPair): PrivateKeyHandle {
  const handle = privateKeys.get(kp);
  if (!handle) throw new SealError("bad_recipient", "key pair was not created by generateEncryptionKeyPair");
  return handle;
}
