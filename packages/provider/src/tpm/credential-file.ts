import { decodeBase64, type Tpm2Challenge } from "@darkbloom/protocol";

const MAGIC_AND_VERSION = Uint8Array.of(0xba, 0xdc, 0xc0, 0xde, 0, 0, 0, 1);

/** The file tpm2_activatecredential reads: magic, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET. */
export function credentialFile(challenge: Tpm2Challenge): Uint8Array {
  const idObject = decodeBase64(challenge.id_object);
  const secret = decodeBase64(challenge.encrypted_secret);
  const out = new Uint8Array(MAGIC_AND_VERSION.length + idObject.length + secret.length);
  out.set(MAGIC_AND_VERSION, 0);
  out.set(idObject, MAGIC_AND_VERSION.length);
  out.set(secret, MAGIC_AND_VERSION.length + idObject.length);
  return out;
}
