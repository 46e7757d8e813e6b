import { constants, createCipheriv, createHmac, publicEncrypt, type KeyObject } from "node:crypto";
import { concat, tpm2b, u32be } from "./reader.js";

/**
 * TPM2_MakeCredential done in software (TPM 2.0 Library Part 1, 24 "Credential Protection"), for
 * an RSA endorsement key with the default EK template (nameAlg SHA-256, AES-128-CFB): only the
 * TPM that holds that EK, with the object named `akName` loaded, can recover `credential` with
 * TPM2_ActivateCredential. `seed` is 32 random bytes (a parameter so tests are deterministic).
 */
export function makeCredential(ekPublic: KeyObject, akName: Uint8Array, credential: Uint8Array, seed: Uint8Array): { idObject: Uint8Array; encryptedSecret: Uint8Array } {
  if (ekPublic.asymmetricKeyType !== "rsa") throw new Error("only RSA endorsement keys are supported");
  if (seed.length !== 32) throw new Error("seed must be 32 bytes");
  const encryptedSecret = publicEncrypt(
    { key: ekPublic, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from("IDENTITY\0", "latin1") },
    seed,
  );
  const symKey = kdfa(seed, "STORAGE", akName, new Uint8Array(0), 128);
  const cipher = createCipheriv("aes-128-cfb", symKey, Buffer.alloc(16));
  const encIdentity = Buffer.concat([cipher.update(tpm2b(credential)), cipher.final()]);
  const hmacKey = kdfa(seed, "INTEGRITY", new Uint8Array(0), new Uint8Array(0), 256);
  const outerHmac = createHmac("sha256", hmacKey).update(encIdentity).update(akName).digest();
  return { idObject: tpm2b(concat(tpm2b(outerHmac), encIdentity)), encryptedSecret: tpm2b(encryptedSecret) };
}

/** KDFa with HMAC-SHA256 (Part 1, 11.4.10.2): counter mode, label with its NUL terminator. */
export function kdfa(key: Uint8Array, label: string, contextU: Uint8Array, contextV: Uint8Array, bits: number): Uint8Array {
  const bytes = bits / 8;
  const out: Buffer[] = [];
  for (let i = 1, have = 0; have < bytes; i++, have += 32) {
    out.push(createHmac("sha256", key).update(u32be(i)).update(label + "\0", "latin1").update(contextU).update(contextV).update(u32be(bits)).digest());
  }
  return Buffer.concat(out).subarray(0, bytes);
}
