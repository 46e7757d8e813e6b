import { MIN_TRUST_HEADER } from "@darkbloom/protocol";
import { errorResponse } from "./http.js";
import { NoTrustedProviderError, trustPolicy, verifyCandidate, type AcceptKey, type CandidateRejection, type TrustPolicy, type VerifiedKey } from "./trust/index.js";

export type { AcceptKey, VerifiedKey } from "./trust/index.js";

/** Verified keys; or the coordinator's own answer (an HTTP error to pass on); or none passed verification. */
export type KeyLookup = { keys: VerifiedKey[] } | { response: Response } | { error: NoTrustedProviderError };

/** Checks one entry of GET /providers/keys under the default policy (fresh, self_signed or better). */
export async function verifyProviderKey(entry: unknown, accept?: AcceptKey): Promise<VerifiedKey | undefined> {
  const verdict = await verifyCandidate(entry, trustPolicy(), Date.now(), accept);
  return verdict.ok ? verdict.key : undefined;
}

/** Fetches, verifies (trust/verify-candidate.ts) and caches the attested sealing keys per model. */
export class KeyDirectory {
  private readonly cache = new Map<string, { expires: number; keys: VerifiedKey[] }>();
  private readonly inflight = new Map<string, Promise<KeyLookup>>();

  constructor(
    private readonly baseURL: string,
    private readonly apiKey: string,
    private readonly fetchFn: () => typeof fetch,
    private readonly ttlMs: number,
    private readonly accept?: AcceptKey,
    private readonly policy: TrustPolicy = trustPolicy(),
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
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept: "application/json" };
    if (this.policy.minTrust !== "self_signed") headers[MIN_TRUST_HEADER] = this.policy.minTrust;
    const res = await this.fetchFn()(url, { headers });
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
    const now = Date.now();
    const verdicts = await Promise.all(entries.slice(0, 256).map((e: unknown) => verifyCandidate(e, this.policy, now, this.accept)));
    const verified: VerifiedKey[] = [];
    const rejected: CandidateRejection[] = [];
    for (const v of verdicts) {
      if (v.ok) verified.push(v.key);
      else rejected.push({ providerId: v.providerId, reason: v.reason, detail: v.detail });
    }
    if (verified.length === 0) return { error: new NoTrustedProviderError(model, this.policy.minTrust, rejected) };
    this.cache.set(model, { expires: now + this.ttlMs, keys: verified });
    return { keys: verified };
  }
}
