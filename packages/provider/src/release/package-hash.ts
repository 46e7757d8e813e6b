import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The provider package hash, defined reproducibly so that CI (`npm run release:hash`) and a running
 * provider compute the same value from the same build:
 *
 *   SHA-256( "darkbloom-package-hash/v1\0"
 *            ‖ for each file, sorted by its POSIX path relative to the package root (byte order):
 *                path (UTF-8) ‖ 0x00 ‖ byte length (8 bytes, big-endian) ‖ content )
 *
 * over the files the package ships: `package.json`, `bin/**` and `dist/**` — except compiled
 * tests (`*.test.*`, which `files` in package.json leaves out too) and the build cache
 * (`.tsbuildinfo`). Only regular files count; symlinks and others are skipped. Build from a clean
 * checkout: stale files in dist change the hash.
 */

const DOMAIN = "darkbloom-package-hash/v1\0";
const ROOTS = ["bin", "dist"];

/** The provider package's root directory (this file is dist/release/package-hash.js). */
export const PROVIDER_PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const shipped = (rel: string): boolean => !/\.test\.[^/]+$/.test(rel) && !rel.endsWith(".tsbuildinfo");

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(root, full, out);
    else if (e.isFile()) {
      const rel = relative(root, full).split(sep).join("/");
      if (shipped(rel)) out.push(rel);
    }
  }
}

/** The files that make up the hash, in hashing order. */
export async function packageFiles(root: string): Promise<string[]> {
  const files: string[] = ["package.json"];
  for (const r of ROOTS) await walk(root, join(root, r), files);
  return files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** SHA-256 hex of the package at `root` (see above). */
export async function computePackageHash(root: string = PROVIDER_PACKAGE_ROOT): Promise<string> {
  const h = createHash("sha256").update(DOMAIN, "utf8");
  for (const rel of await packageFiles(root)) {
    const content = await readFile(join(root, ...rel.split("/")));
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(content.length));
    h.update(rel, "utf8").update(Buffer.from([0])).update(len).update(content);
  }
  return h.digest("hex");
}

let cached: Promise<string | undefined> | undefined;

/** This process's own package hash, computed once; undefined when it cannot be read (then not attested). */
export function ownPackageHash(): Promise<string | undefined> {
  return (cached ??= computePackageHash().catch(() => undefined));
}
