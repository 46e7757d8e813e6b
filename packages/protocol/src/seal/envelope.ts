import { z } from "zod";
import { aead } from "./aead.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { decodeBase64, encodeBase64, isBase64, utf8Encode } from "./bytes.js";
import { SealError } from "./errors.js";
import { nodeHpke, requireNodeHpke, type NodeHpke } from "./hpke-node.js";
import { keyId, privateKeyOf, X25519_PUBLIC_KEY_BYTES, type EncryptionKeyPair, type RecipientKey } from "./keys.js";
import { getSuite, SEAL_SUITE } from "./suite.js";

/**
 * Request envelope (v2). One random content key K encrypts the body with ChaCha20-Poly1305 (random
 * 12-byte nonce, caller's AAD). K is wrapped to each recipient with single-shot HPKE mode_base
 * (info = "darkbloom/v2 request", AAD = the body nonce ‖ iat as u64 BE, so the issue time cannot
 * be changed without failing the unwrap); each recipient's response secret is the HPKE exporter
 * secret for "darkbloom/v2 response" (32 bytes). The response stream's key is derived from that
 * secret and a fresh provider salt (stream.ts), so replaying an envelope never reuses a keystream;
 * providers also refuse an `enc` they have seen within ENVELOPE_VALIDITY_MS.
 */

export const HPKE_INFO = utf8Encode("darkbloom/v2 request");
export const RESPONSE_EXPORT_CONTEXT = utf8Encode("darkbloom/v2 response");
/** An envelope is accepted this long either side of its `iat` (clock skew and queueing included). */
export const ENVELOPE_VALIDITY_MS = 5 * 60_000;
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
  v: z.literal(2),
  /** Issue time, ms since epoch; authenticated (part of every recipient's key-wrap AAD). */
  iat: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
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

/** The key-wrap AAD: body nonce ‖ iat (u64 BE). */
function wrapAad(nonce: Uint8Array, iat: number): Uint8Array {
  const out = new Uint8Array(NONCE_BYTES + 8);
  out.set(nonce, 0);
  const view = new DataView(out.buffer);
  view.setUint32(NONCE_BYTES, Math.floor(iat / 0x1_0000_0000));
  view.setUint32(NONCE_BYTES + 4, iat >>> 0);
  return out;
}

export async function sealRequest(
  plaintext: Uint8Array,
  recipients: RecipientKey[],
  aad?: Uint8Array,
  now: number = Date.now(),
): Promise<SealedRequestResult> {
  const unique = [...new Map(recipients.map((r) => [r.kid, r])).values()];
  if (unique.length === 0) throw new SealError("bad_recipient", "at least one recipient is required");
  if (unique.length > MAX_RECIPIENTS) throw new SealError("bad_recipient", `at most ${MAX_RECIPIENTS} recipients`);
  unique.forEach(checkRecipient);

  const random = randomBytes(CONTENT_KEY_BYTES + NONCE_BYTES);
  const contentKey = random.subarray(0, CONTENT_KEY_BYTES);
  const nonce = random.slice(CONTENT_KEY_BYTES);
  const responseKeys = new Map<string, Uint8Array>();
  const iat = Math.floor(now);
  const keyAad = wrapAad(nonce, iat);
  try {
    const hpke = nodeHpke();
    const entries = hpke
      ? unique.map((r) => wrapNode(hpke, r, contentKey, keyAad, responseKeys))
      : await wrapPortable(unique, contentKey, keyAad, responseKeys);
    const ciphertext = aead.seal(contentKey, nonce, aad ?? EMPTY, plaintext);
    const envelope: SealedRequest = {
      v: 2,
      iat,
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
  keyAad: Uint8Array,
  responseKeys: Map<string, Uint8Array>,
): Recipient {
  let setup;
  try {
    setup = hpke.setupSender(r.publicKey, HPKE_INFO);
  } catch {
    throw new SealError("bad_recipient", `recipient ${r.kid}: unusable public key`);
  }
  const wrapped = setup.ctx.seal(contentKey, keyAad);
  responseKeys.set(r.kid, setup.ctx.export(RESPONSE_EXPORT_CONTEXT, 32));
  return { kid: r.kid, enc: encodeBase64(setup.enc), key: encodeBase64(wrapped) };
}

/** The same on @hpke/core (browsers). */
async function wrapPortable(
  recipients: RecipientKey[],
  contentKey: Uint8Array,
  keyAad: Uint8Array,
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
      const wrapped = new Uint8Array(await ctx.seal(contentKey, keyAad));
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

export interface OpenedRequest {
  plaintext: Uint8Array;
  /** The response secret: input to the response stream's key (createStreamSealer). */
  responseKey: Uint8Array;
  /** This recipient's HPKE encapsulated key (base64), unique per sealing: the replay-cache key. */
  enc: string;
  /** The authenticated issue time. */
  iat: number;
}

/**
 * True when `iat` is within ENVELOPE_VALIDITY_MS of `now` (either direction). Only meaningful
 * after openRequest succeeded (that authenticates iat).
 */
export function envelopeIsFresh(iat: number, now: number, validityMs: number = ENVELOPE_VALIDITY_MS): boolean {
  return Math.abs(now - iat) <= validityMs;
}

/** Opens the envelope with this process's key pair. Throws SealError on any failure. */
export async function openRequest(
  envelope: SealedRequest,
  keyPair: EncryptionKeyPair,
  aad?: Uint8Array,
): Promise<OpenedRequest> {
  if (envelope.v !== 2 || envelope.suite !== SEAL_SUITE) {
    throw new SealError("malformed", `sealed request: unsupported version/suite ${envelope.v} ${envelope.suite}`);
  }
  const entry = envelope.recipients.find((r) => r.kid === keyPair.kid);
  if (!entry) throw new SealError("no_recipient", `sealed request has no recipient entry for kid ${keyPair.kid}`);
  const enc = decodeField(entry.enc, "enc", X25519_PUBLIC_KEY_BYTES);
  const wrapped = decodeField(entry.key, "key", CONTENT_KEY_BYTES + TAG_BYTES);
  const nonce = decodeField(envelope.nonce, "nonce", NONCE_BYTES);
  const ciphertext = decodeField(envelope.ciphertext, "ciphertext");
  if (ciphertext.length < TAG_BYTES) throw new SealError("malformed", "sealed request: ciphertext too short");
  const keyAad = wrapAad(nonce, envelope.iat);

  let contentKey: Uint8Array;
  let responseKey: Uint8Array;
  try {
    const handle = privateKeyOf(keyPair);
    if ("node" in handle) {
      const ctx = requireNodeHpke().setupRecipient(enc, handle.node, HPKE_INFO);
      contentKey = ctx.open(wrapped, keyAad);
      responseKey = ctx.export(RESPONSE_EXPORT_CONTEXT, 32);
    } else {
      const suite = await getSuite();
      const ctx = await suite.createRecipientContext({ recipientKey: handle.suite, enc, info: HPKE_INFO });
      contentKey = new Uint8Array(await ctx.open(wrapped, keyAad));
      responseKey = new Uint8Array(await ctx.export(RESPONSE_EXPORT_CONTEXT, 32));
    }
  } catch (err) {
    if (err instanceof SealError) throw err;
    throw new SealError("auth_failed", "sealed request: key unwrap failed (wrong key or tampered envelope)");
  }
  try {
    const plaintext = aead.open(contentKey, nonce, aad ?? EMPTY, ciphertext);
    return { plaintext, responseKey, enc: entry.enc, iat: envelope.iat };
  } catch {
    throw new SealError("auth_failed", "sealed request: body authentication failed (tampered envelope or wrong aad)");
  } finally {
    contentKey.fill(0);
  }
}
