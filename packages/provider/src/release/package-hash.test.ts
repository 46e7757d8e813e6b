import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, writeFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readFile } from "node:fs/promises";
import { PROVIDER_VERSION } from "../version.js";
import { PROVIDER_PACKAGE_ROOT, computePackageHash, ownPackageHash, packageFiles } from "./package-hash.js";

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function fakePackage(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "darkbloom-pkg-"));
  dirs.push(root);
  await mkdir(join(root, "dist", "a"), { recursive: true });
  await mkdir(join(root, "bin"));
  await writeFile(join(root, "package.json"), '{"name":"x","version":"1.0.0"}');
  await writeFile(join(root, "bin", "darkbloom.js"), "import '../dist/main.js';\n");
  await writeFile(join(root, "dist", "main.js"), "export {};\n");
  await writeFile(join(root, "dist", "a", "b.js"), "export const b = 1;\n");
  await writeFile(join(root, "dist", "a", "b.test.js"), "test\n");
  await writeFile(join(root, "dist", ".tsbuildinfo"), "cache\n");
  await writeFile(join(root, "README.md"), "not shipped in the hash\n");
  return root;
}

test("the package hash covers package.json, bin/** and dist/** (no tests, no build cache), in a fixed order", async () => {
  const root = await fakePackage();
  assert.deepEqual(await packageFiles(root), ["bin/darkbloom.js", "dist/a/b.js", "dist/main.js", "package.json"]);
  const first = await computePackageHash(root);
  assert.match(first, /^[0-9a-f]{64}$/);
  assert.equal(await computePackageHash(root), first, "stable across runs");
  // Not part of the hash: tests, build cache, other files, symlinks.
  await writeFile(join(root, "dist", "a", "b.test.js"), "changed\n");
  await writeFile(join(root, "dist", ".tsbuildinfo"), "changed\n");
  await writeFile(join(root, "README.md"), "changed\n");
  await symlink(join(root, "dist", "main.js"), join(root, "dist", "link.js"));
  assert.equal(await computePackageHash(root), first);
  // Part of it: any shipped file's content, a new file, a rename.
  await writeFile(join(root, "dist", "a", "b.js"), "export const b = 2;\n");
  const changed = await computePackageHash(root);
  assert.notEqual(changed, first);
  await writeFile(join(root, "dist", "a", "b.js"), "export const b = 1;\n");
  assert.equal(await computePackageHash(root), first, "content decides, not time");
  await writeFile(join(root, "dist", "extra.js"), "");
  assert.notEqual(await computePackageHash(root), first, "an empty extra file counts");
  await rm(join(root, "dist", "extra.js"));
  await writeFile(join(root, "package.json"), '{"name":"x","version":"1.0.1"}');
  assert.notEqual(await computePackageHash(root), first);
});

test("path and content are framed: moving bytes between name and content changes the hash", async () => {
  const a = await mkdtemp(join(tmpdir(), "darkbloom-pkg-"));
  const b = await mkdtemp(join(tmpdir(), "darkbloom-pkg-"));
  dirs.push(a, b);
  for (const root of [a, b]) {
    await mkdir(join(root, "dist"));
    await writeFile(join(root, "package.json"), "{}");
  }
  await writeFile(join(a, "dist", "ab"), "c");
  await writeFile(join(b, "dist", "a"), "bc");
  assert.notEqual(await computePackageHash(a), await computePackageHash(b));
});

test("the running provider hashes its own package (what npm run release:hash prints)", async () => {
  const own = await ownPackageHash();
  assert.equal(own, await computePackageHash(PROVIDER_PACKAGE_ROOT));
  assert.ok((await packageFiles(PROVIDER_PACKAGE_ROOT)).includes("dist/release/package-hash.js"));
});

test("the version the provider reports is its package.json version (what release:hash prints)", async () => {
  const pkg = JSON.parse(await readFile(join(PROVIDER_PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(PROVIDER_VERSION, pkg.version);
});
