import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { acquirePidFile, pidState, releasePidFile } from "./pidfile.js";

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

test("acquire, refuse a second live holder, release", async () => {
  const file = join(await mkdtemp(join(tmpdir(), "db-pid-")), "sub", "p.pid");
  assert.deepEqual(await acquirePidFile(file), { ok: true });
  assert.deepEqual(await pidState(file), { kind: "running", pid: process.pid });
  // Another pid asking while this (live) process holds it is refused with the holder's pid.
  assert.deepEqual(await acquirePidFile(file, 999_999_999), { ok: false, pid: process.pid });
  await releasePidFile(file);
  assert.deepEqual(await pidState(file), { kind: "none" });
});

test("a stale pid file (dead process, or garbage) is detected and replaced", async () => {
  const dir = await mkdtemp(join(tmpdir(), "db-pid-"));
  const file = join(dir, "p.pid");
  const dead = deadPid();
  await writeFile(file, `${dead}\n`);
  assert.deepEqual(await pidState(file), { kind: "stale", pid: dead });
  assert.deepEqual(await acquirePidFile(file), { ok: true, staleRemoved: dead });
  assert.equal((await readFile(file, "utf8")).trim(), String(process.pid));
  await writeFile(file, "not a pid");
  assert.deepEqual(await pidState(file), { kind: "stale" });
  assert.deepEqual(await acquirePidFile(file), { ok: true, staleRemoved: true });
});
