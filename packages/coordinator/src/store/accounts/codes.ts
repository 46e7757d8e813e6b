import { randomInt } from "node:crypto";

/** Unambiguous uppercase letters and digits (no 0/O, 1/I/L). */
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** A referral code such as `REF-7KQ2M9XA` (40 bits of randomness). */
export function newReferralCode(): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `REF-${s}`;
}

export const REFERRAL_CODE_RE = /^REF-[A-Z0-9]{8}$/;
