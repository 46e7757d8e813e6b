import {
  decodeBase64,
  keyId,
  ProviderKeySchema,
  verifyAttestation,
  type ProviderKey,
  type RecipientKey,
} from "@darkbloom/protocol";
import { errorResponse } from "./http.js";

/** A provider sealing key whose attestation verified. */
export interface VerifiedKey extends RecipientKey {
  providerId: string;
  /** The attested Ed25519 identity key (base64): it signs the provider's usage receipts. */
  identityKey: string;
  trustLevel: ProviderKey["trust_level"];
}

export type KeyLookup = { keys: VerifiedKey[] } | { response: Response };

export type AcceptKey = (key: ProviderKey) => boolean | Promise<boolean>;

/** Checks one entry of GET /providers/keys: schema, attestation signature, and key binding. */
export async function verifyProviderKey(entry: unknown, accept?: AcceptKey): Promise<VerifiedKey | undefined> {
  const parsed = ProviderKeySchema.safeParse(entry);
  if (!parsed.success) return undefined;
  const k = parsed.data;
  const a = k.attestation;
  if (a.kid !== k.kid || a.encryption_key !== k.public_key) return undefined;
  let publicKey: Uint8Array;
  try {
    publicKey = decodeBase64(k.public_key);
  } catch {
    return undefined;
  }
  if (publicKey.length !== 32 || keyId(publicKey) !== k.kid) return undefined;
  // Verify the original object: the signature covers every field the provider signed.
  const raw = (entry as { attestation: typeof a }).attestation;
  if (!(await verifyAttestation(raw))) return undefined;
  if (accept && !(await accept(k))) return undefined;
  return { kid: k.kid, publicKey, providerId: k.provider_id, identityKey: a.identity_key, trustLevel: k.trust_level };
}

/** Fetches, verifies and caches the attested sealing keys per model. */
export class KeyDirectory {
  private readonly cache = new Map<string, { expires: number; keys: VerifiedKey[] }>();
  private readonly inflight = new Map<string, Promise<KeyLookup>>();

  constructor(
    private readonly baseURL: string,
    private readonly apiKey: string,
    private readonly fetchFn: () => typeof fetch,
    private readonly ttlMs: number,
    private readonly accept?: AcceptKey,
  ) {}

  invalidate(model: string): void {
    this.cache.delete(model);
  }

  /** Concurrent lookups for one model share a single fetch. */
  async get(model: string): Promise<KeyLookup> {
    const hit = this.cache.get(model);
    if (hit && hit.expires > Date.now()) return { keys: hit.keys };
    let p = this.inflight.get(model);
    if (!p) {
      p = this.load(model).finally(() => this.inflight.delete(model));
      this.inflight.set(model, p);
    }
    return p;
  }

  private async load(model: string): Promise<KeyLookup> {
    const url = `${this.baseURL}/providers/keys?model=${encodeURIComponent(model)}`;
    const init: RequestInit = { headers: { authorization: `Bearer ${this.apiKey}`, accept: "application/json" } };
    const res = await this.fetchFn()(url, init);
    if (res.status !== 200) return { response: res };
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { response: errorResponse(502, { message: "provider keys response is not JSON", type: "api_error", code: "e2e_bad_keys_response" }) };
    }
    const entries = typeof body === "object" && body !== null ? (body as { keys?: unknown }).keys : undefined;
    if (!Array.isArray(entries)) {
      return { response: errorResponse(502, { message: "provider keys response is malformed", type: "api_error", code: "e2e_bad_keys_response" }) };
    }
    const verified = (await Promise.all(entries.map((e: unknown) => verifyProviderKey(e, this.accept)))).filter(
      (k): k is VerifiedKey => k !== undefined,
    );
    if (verified.length === 0) {
      return {
        response: errorResponse(
          503,
          {
            message: `no provider with a valid attestation is available for model '${model}' (${entries.length} key(s) offered, none verified)`,
            type: "service_unavailable",
            code: "e2e_no_attested_provider",
          },
          { "retry-after": "2" },
        ),
      };
    }
    this.cache.set(model, { expires: Date.now() + this.ttlMs, keys: verified });
    return { keys: verified };
  }
}
