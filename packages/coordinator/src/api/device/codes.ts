import { createHash, randomBytes, randomInt } from "node:crypto";
import { ACCOUNT_TOKEN_RE } from "@darkbloom/protocol";

/**
 * Device-login secrets (pure helpers, no I/O). User codes follow RFC 8628 §6.1: 8 characters from
 * 20 consonants (no vowels, no look-alikes), shown as XXXX-XXXX: 20^8 ≈ 2.6·10^10 codes, guessed
 * at a bounded rate per account. Everything is stored only as SHA-256 hex.
 */

export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;

export const sha256Hex = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

/** A new user code, `XXXX-XXXX`. */
export function newUserCode(): string {
  let s = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** What the user typed, case and separators ignored; null when it cannot be a user code. */
export function normalizeUserCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, "");
  if (s.length !== USER_CODE_LENGTH) return null;
  for (const c of s) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return s;
}

/** The device_code: 32 random bytes, base64url (only its hash is stored). */
export const newDeviceCode = (): string => randomBytes(32).toString("base64url");

/** A provider account token: `dbat-` + 64 hex (only its hash is stored). */
export const newAccountToken = (): string => `dbat-${randomBytes(32).toString("hex")}`;

export const isAccountToken = (s: string): boolean => ACCOUNT_TOKEN_RE.test(s);
