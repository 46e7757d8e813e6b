import { sha256 } from "@noble/hashes/sha2.js";
import { encodeHex } from "../seal/bytes.js";

/** What the aggregate hash covers of each file. */
export interface HashedFile {
  path: string;
  sha256: string;
}

/**
 * The manifest's `aggregate_sha256`, defined as: SHA-256 (lowercase hex) over the UTF-8 bytes of the
 * concatenation, for every file sorted by `path` (byte order; paths are ASCII), of
 * `path + "\0" + sha256 + "\n"` where `sha256` is the file's lowercase hex digest. One value names
 * the whole set of weights: a changed, added, removed or renamed file changes it.
 */
export function aggregateSha256(files: readonly HashedFile[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const text = sorted.map((f) => `${f.path}\0${f.sha256.toLowerCase()}\n`).join("");
  return encodeHex(sha256(new TextEncoder().encode(text)));
}
