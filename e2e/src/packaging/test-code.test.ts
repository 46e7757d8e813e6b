import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { repoRoot } from "@darkbloom/testkit";

/**
 * Test-only code (fakes in coordinator/src/test-support and sdk/src/testing, *.test / *.suite /
 * *.fixture files) stays out of what the production packages offer: no entry point or bin reaches
 * it through its imports, and `npm pack` leaves it out.
 */
const PRODUCTION = ["protocol", "sdk", "coordinator", "provider"];
const TEST_ONLY = [/(^|\/)(test-support|testing)\//, /\.(test|suite|fixture)\.[^/]*$/];
const isTestOnly = (path: string) => TEST_ONLY.some((re) => re.test(path));

interface PackageJson {
  name: string;
  exports?: Record<string, string | { default?: string }>;
  bin?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

/** The package-relative files behind its exports (the default condition) and bins. */
function entryPoints(pkg: PackageJson): string[] {
  const exports = Object.values(pkg.exports ?? {}).map((e) => (typeof e === "string" ? e : e.default));
  return [...exports, ...Object.values(pkg.bin ?? {})].filter((e): e is string => typeof e === "string");
}

const byName = new Map<string, string>(
  PRODUCTION.map((p) => join(repoRoot, "packages", p)).map((dir) => [readPackage(dir).name, dir]),
);
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s*(?:[\w*{}\s,$]*?\sfrom\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Every file reachable from `entry` through static and literal dynamic imports, within the repo. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? "";
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec));
      const pkgDir = byName.get(spec.split("/").slice(0, 2).join("/"));
      if (pkgDir) {
        const sub = spec.split("/").slice(2).join("/");
        const target = readPackage(pkgDir).exports?.[sub ? `./${sub}` : "."];
        const path = typeof target === "string" ? target : target?.default;
        if (path) queue.push(join(pkgDir, path));
      }
    }
  }
  return seen;
}

test("no production entry point or bin imports test-only code", () => {
  let checked = 0;
  for (const dir of byName.values()) {
    const pkg = readPackage(dir);
    for (const entry of entryPoints(pkg)) {
      const file = join(dir, entry);
      if (!existsSync(file)) continue; // an export with nothing built behind it has nothing to leak
      const files = [...reachable(file)].map((f) => relative(repoRoot, f));
      assert.ok(files.length > 1 || pkg.bin, `${pkg.name} ${entry}: the import scan found nothing`);
      const leaked = files.filter(isTestOnly);
      assert.deepEqual(leaked, [], `${pkg.name} ${entry} reaches test-only code`);
      checked++;
    }
  }
  assert.ok(checked >= 5, `checked ${checked} entry points`);
});

test("npm pack leaves test-only code out of the production packages", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", ...PRODUCTION.flatMap((p) => ["--workspace", `packages/${p}`])], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 60_000,
  });
  const packs = JSON.parse(out) as { name: string; files: { path: string }[] }[];
  assert.equal(packs.length, PRODUCTION.length);
  for (const p of packs) {
    assert.ok(p.files.some((f) => f.path.startsWith("dist/")), `${p.name} packs its build`);
    assert.deepEqual(p.files.map((f) => f.path).filter(isTestOnly), [], `${p.name} packs test-only files`);
  }
});

test("the guard recognises test-only code when it sees it", () => {
  for (const path of ["dist/test-support/fake-provider.js", "dist/testing/fake-coordinator.js", "dist/a/b.test.js", "dist/store/store.suite.js", "dist/seal/x.fixture.d.ts"]) {
    assert.ok(isTestOnly(path), path);
  }
  for (const path of ["dist/seal/suite.js", "dist/attest/attestation.js", "dist/index.js"]) assert.ok(!isTestOnly(path), path);
  const fake = join(repoRoot, "packages/coordinator/dist/server/coordinator.test.js");
  assert.ok([...reachable(fake)].some((f) => isTestOnly(relative(repoRoot, f)) && f !== fake), "a test file's imports reach the fakes");
});
