/** Why a seal/open operation failed. Messages never contain key material or plaintext. */
export type SealErrorCode =
  | "no_recipient" // the envelope has no entry for this key pair
  | "auth_failed" // an AEAD tag or HPKE decapsulation did not verify
  | "malformed" // wrong version/suite, bad base64, wrong lengths
  | "bad_recipient" // a recipient key given to sealRequest is unusable
  | "out_of_order" // a stream chunk arrived with an unexpected sequence number
  | "after_final" // a stream chunk arrived after the final one (or the sealer was used after final)
  | "truncated"; // the stream ended without its final chunk

export class SealError extends Error {
  override readonly name = "SealError";
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
  }
}
