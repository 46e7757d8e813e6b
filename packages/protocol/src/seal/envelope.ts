import { z } from "zod";
import { aead } from "./aead.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { decodeBase64, encodeBase64, isBase64, utf8Encode } from "./bytes.js";
import { SealError } from "./errors.js";
import { nodeHpke, requireNodeHpke, type NodeHpke } from "./hpke-node.js";
import { keyId, privateKeyOf, X25519_PUBLIC_KEY_BYTES, type EncryptionKeyPair, type RecipientKey } from "./keys.js";
import { getSuite, SEAL_SUITE } from "./suite.js";

/**
 * Request envelope. One random content key K encrypts the body with ChaCha20-Poly1305 (random
 * 12-byte nonce, caller's AAD). K is wrapped to each recipient with single-shot HPKE mode_base
 * (info = "darkbloom/v1 request", AAD = the body nonce); each recipient's response key is the
 * HPKE exporter secret for "darkbloom/v1 response" (32 bytes).
 */

export const HPKE_INFO = utf8Encode("darkbloom/v1 request");
export const RESPONSE_EXPORT_CONTEXT = utf8Encode("darkbloom/v1 response");
const CONTENT_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const EMPTY = new Uint8Array(0);
/** Upper bound on recipients per envelope (the SDK uses ≤ 4). */
export const MAX_RECIPIENTS = 16;

const b64 = z.string().refine(isBase64, "expected standard base64");

export const SealedRecipientSchema = z.object({
  kid: z.string().min(1).max(64),
  enc: b64,
  key: b64,
});

export const SealedRequestSchema = z.object({
  v: z.literal(1),
  suite: z.string().max(128),
  recipients: z.array(SealedRecipientSchema).min(1).max(MAX_RECIPIENTS),
  nonce: b64,
  ciphertext: b64,
});
export type SealedRequest = z.infer<typeof SealedRequestSchema>;

export interface SealedRequestResult {
  envelope: SealedRequest;
  /** kid → 32-byte response key, to open that recipient's sealed response stream. */
  responseKeys: Map<string, Uint8Array>;
}

function checkRecipient(r: RecipientKey): void {
  if (!(r.publicKey instanceof Uint8Array) || r.publicKey.length !== X25519_PUBLIC_KEY_BYTES) {
    throw new SealError("bad_recipient", `recipient ${r.kid}: public key must be ${X25519_PUBLIC_KEY_BYTES} bytes`);
  }
  if (r.kid !== keyId(r.publicKey)) {
    throw new SealError("bad_recipient", `recipient ${r.kid}: kid does not match its public key`);
  }
}

export async function sealRequest(
  plaintext: Uint8Array,
  recipients: RecipientKey[],
  aad?: Uint8Array,
): Promise<SealedRequestResult> {
  const unique = [...new Map(recipients.map((r) => [r.kid, r])).values()];
  if (unique.length === 0) throw new SealError("bad_recipient", "at least one recipient is required");
  if (unique.length > MAX_RECIPIENTS) throw new SealError("bad_recipient", `at most ${MAX_RECIPIENTS} recipients`);
  unique.forEach(checkRecipient);

  const random = randomBytes(CONTENT_KEY_BYTES + NONCE_BYTES);
  const contentKey = random.subarray(0, CONTENT_KEY_BYTES);
  const nonce = random.slice(CONTENT_KEY_BYTES);
  const responseKeys = new Map<string, Uint8Array>();
  try {
    const hpke = nodeHpke();
    const entries = hpke
      ? unique.map((r) => wrapNode(hpke, r, contentKey, nonce, responseKeys))
      : await wrapPortable(unique, contentKey, nonce, responseKeys);
    const ciphertext = aead.seal(contentKey, nonce, aad ?? EMPTY, plaintext);
    const envelope: SealedRequest = {
      v: 1,
      suite: SEAL_SUITE,
      recipients: entries,
      nonce: encodeBase64(nonce),
      ciphertext: encodeBase64(ciphertext),
    };
    return { envelope, responseKeys };
  } finally {
    contentKey.fill(0);
  }
}

type Recipient = z.infer<typeof SealedRecipientSchema>;

/** Wraps the content key to one recipient on Node's synchronous HPKE. */
function wrapNode(
  hpke: NodeHpke,
  r: RecipientKey,
  contentKey: Uint8Array,
  nonce: Uint8Array,
  responseKeys: Map<string, Uint8Array>,
): Recipient {
  let setup;
  try {
    setup = hpke.setupSender(r.publicKey, HPKE_INFO);
  } catch {
    throw new SealError("bad_recipient", `recipient ${r.kid}: unusable public key`);
  }
  const wrapped = setup.ctx.seal(contentKey, nonce);
  responseKeys.set(r.kid, setup.ctx.export(RESPONSE_EXPORT_CONTEXT, 32));
  return { kid: r.kid, enc: encodeBase64(setup.enc), key: encodeBase64(wrapped) };
}

/** The same on @hpke/core (browsers). */
async function wrapPortable(
  recipients: RecipientKey[],
  contentKey: Uint8Array,
  nonce: Uint8Array,
  responseKeys: Map<string, Uint8Array>,
): Promise<Recipient[]> {
  const suite = await getSuite();
  return Promise.all(
    recipients.map(async (r) => {
      let ctx;
      try {
        const recipientPublicKey = await suite.kem.deserializePublicKey(r.publicKey);
        ctx = await suite.createSenderContext({ recipientPublicKey, info: HPKE_INFO });
      } catch {
        throw new SealError("bad_recipient", `recipient ${r.kid}: unusable public key`);
      }
      const wrapped = new Uint8Array(await ctx.seal(contentKey, nonce));
      responseKeys.set(r.kid, new Uint8Array(await ctx.export(RESPONSE_EXPORT_CONTEXT, 32)));
      return { kid: r.kid, enc: encodeBase64(new Uint8Array(ctx.enc)), key: encodeBase64(wrapped) };
    }),
  );
}

function decodeField(value: string, name: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(value);
  } catch {
    throw new SealError("malformed", `sealed request: ${name} is not base64`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new SealError("malformed", `sealed request: ${name} must be ${length} bytes`);
  }
  return bytes;
}

/** Opens the envelope with this process's key pair. Throws SealError on any failure. */
export async function openRequest(
  envelope: SealedRequest,
  keyPair: EncryptionKeyPair,
  aad?: Uint8Array,
): Promise<{ plaintext: Uint8Array; responseKey: Uint8Array }> {
  if (envelope.v !== 1 || envelope.suite !== SEAL_SUITE) {
    throw new SealError("malformed", `sealed request: unsupported version/suite ${envelope.v} ${envelope.suite}`);
  }
  const entry = envelope.recipients.find((r) => r.kid === keyPair.kid);
  if (!entry) throw new SealError("no_recipient", `sealed request has no recipient entry for kid ${keyPair.kid}`);
  const enc = decodeField(entry.enc, "enc", X25519_PUBLIC_KEY_BYTES);
  const wrapped = decodeField(entry.key, "key", CONTENT_KEY_BYTES + TAG_BYTES);
  const nonce = decodeField(envelope.nonce, "nonce", NONCE_BYTES);
  const ciphertext = decodeField(envelope.ciphertext, "ciphertext");
  if (ciphertext.length < TAG_BYTES) throw new SealError("malformed", "sealed request: ciphertext too short");

  let contentKey: Uint8Array;
  let responseKey: Uint8Array;
  try {
    const handle = privateKeyOf(keyPair);
    if ("node" in handle) {
      const ctx = requireNodeHpke().setupRecipient(enc, handle.node, HPKE_INFO);
      contentKey = ctx.open(wrapped, nonce);
      responseKey = ctx.export(RESPONSE_EXPORT_CONTEXT, 32);
    } else {
      const suite = await getSuite();
      const ctx = await suite.createRecipientContext({ recipientKey: handle.suite, enc, info: HPKE_INFO });
      contentKey = new Uint8Array(await ctx.open(wrapped, nonce));
      responseKey = new Uint8Array(await ctx.export(RESPONSE_EXPORT_CONTEXT, 32));
    }
  } catch (err) {
    if (err instanceof SealError) throw err;
    throw new SealError("auth_failed", "sealed request: key unwrap failed (wrong key or tampered envelope)");
  }
  try {
    const plaintext = aead.open(contentKey, nonce, aad ?? EMPTY, ciphertext);
    return { plaintext, responseKey };
  } catch {
    throw new SealError("auth_failed", "sealed request: body authentication failed (tampered envelope or wrong aad)");
  } finally {
    contentKey.fill(0);
  }
}
