import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { API_KEY_RE } from "../config/index.js";

export const API_KEY_PREFIX = "sk-db-";

/** A fresh `sk-db-<64 hex>` key. Show it once; store only `hashApiKey(key)`. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("hex");
}

export function isApiKeyShaped(value: string): boolean {
  return API_KEY_RE.test(value);
}

/** SHA-256 of the whole key, lowercase hex: the only form a key is kept in. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The presented credential: `Authorization: Bearer <key>` first, then `x-api-key`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = headers["x-api-key"];
  return typeof x === "string" && x.length > 0 ? x.trim() : undefined;
}
