#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under packages/*/dist and e2e/dist) with Node's
// built-in test runner. Unit tests run first (two at a time), then the system tests one at a
// time, since those start real coordinator and provider processes that compete for the 2 cores.
// Usage: node scripts/run-tests.mjs [substring filter...]
//
// Nothing may hang CI: every test file runs under --test-timeout. On Node 20 that flag bounds each
// test *file* (its child process is killed, its tests reported cancelled); the test files do not
// see it. The slowest file (the engine tests, ~70 s on a loaded 2-core machine; system test files
// take under 15 s) fits four times over in the default. DARKBLOOM_TEST_TIMEOUT_MS overrides it.
import { readdirSync, statSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);
const DEFAULT_TIMEOUT_MS = 300_000;
const timeoutMs = Number(process.env.DARKBLOOM_TEST_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);
if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
  console.error(`DARKBLOOM_TEST_TIMEOUT_MS must be a positive integer (ms), got ${process.env.DARKBLOOM_TEST_TIMEOUT_MS}`);
  process.exit(2);
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const distDirs = [
  ...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "dist")),
  join(root, "e2e", "dist"),
].filter(existsSync);
const all = distDirs
  .flatMap((d) => walk(d, []))
  .map((p) => relative(root, p))
  .filter((p) => filters.length === 0 || filters.some((f) => p.includes(f)))
  .sort();
const unit = all.filter((p) => !p.startsWith("e2e/"));
const system = all.filter((p) => p.startsWith("e2e/"));

if (all.length === 0) {
  console.error("no test files found (did the build run?)");
  process.exit(1);
}

// Human-readable spec output on stdout; a TAP copy on disk to total the counts at the end.
const tapDir = mkdtempSync(join(tmpdir(), "darkbloom-tests-"));
let failed = false;
const totals = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
for (const [name, files, concurrency] of [["unit", unit, 2], ["system", system, 1]]) {
  if (files.length === 0) continue;
  const tap = join(tapDir, `${name}.tap`);
  const r = spawnSync(
    process.execPath,
    [
      "--test",
      `--test-concurrency=${concurrency}`,
      `--test-timeout=${timeoutMs}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
  );
  if (r.status !== 0) failed = true;
  const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  for (const key of Object.keys(totals)) {
    const m = text.match(new RegExp(`^# ${key} (\\d+)$`, "m"));
    totals[key] += m ? Number(m[1]) : 0;
  }
}
rmSync(tapDir, { recursive: true, force: true });
if (failed && totals.fail + totals.cancelled === 0) totals.fail = 1; // a runner crash counts as a failure
const cancelled = totals.cancelled > 0 ? `, ${totals.cancelled} cancelled (timed out after ${timeoutMs} ms?)` : "";
console.log(`\n${totals.pass} passed, ${totals.fail} failed${cancelled}, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
