import type { ReceiptMismatchError } from "../receipts/index.js";

/** Options of the consumer's private proxy and their defaults. */

export interface PrivateProxyOptions {
  /** The coordinator: its root (`http://host:8080`) or API root (`http://host:8080/v1`). */
  coordinator: string;
  /** The `sk-db-…` API key the proxy uses for every request (clients need not send one). */
  apiKey: string;
  /** Port to listen on (default 8090; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1: the proxy holds the key, so loopback only by default). */
  host?: string;
  /** Largest request body accepted (default 4 MiB, the coordinator's default). */
  maxBodyBytes?: number;
  /** How many attested providers each request is sealed to (privateFetch's default when unset). */
  maxRecipients?: number;
  /** Underlying fetch to the coordinator (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Lowest provider trust level sealed to (privateFetch's `minTrust`, default `self_signed`). */
  minTrust?: "self_signed" | "hardware";
  /** Seal only to these provider identity keys (privateFetch's `pinnedIdentityKeys`). */
  pinnedIdentityKeys?: readonly string[];
  /** Oldest provider attestation accepted (privateFetch's `maxAttestationAgeMs`). */
  maxAttestationAgeMs?: number;
  /**
   * A provider's usage receipt disagreed with a response (the dispute is filed; the client still
   * gets the response, which is the provider's). Default: one line on stderr, numbers only.
   */
  onReceiptMismatch?: (err: ReceiptMismatchError) => void;
}

export const DEFAULT_PROXY_PORT = 8090;
export const DEFAULT_PROXY_HOST = "127.0.0.1";
export const DEFAULT_PROXY_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The coordinator's root URL (no trailing slash, no `/v1`), or an Error for an unusable URL. */
export function coordinatorRoot(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid coordinator URL ${JSON.stringify(url)}`);
  }
  if (u.protocol === "ws:") u.protocol = "http:";
  else if (u.protocol === "wss:") u.protocol = "https:";
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`coordinator URL must be http(s), got ${JSON.stringify(url)}`);
  if (u.search || u.hash || u.username || u.password) throw new Error("coordinator URL must not carry a query, fragment or credentials");
  const path = u.pathname.replace(/\/+$/, "").replace(/\/ws\/provider$/, "").replace(/\/v1$/, "");
  return `${u.origin}${path}`;
}
