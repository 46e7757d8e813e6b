import assert from "node:assert/strict";
import { test } from "node:test";
import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import { checkCoordinator, checkDisk, checkEngine, checkIdentity, checkMemory, checkModel, exitCodeOf, memoryCapBytes } from "./checks.js";
import { renderTable } from "./render.js";

const GIB = 2 ** 30;

test("memory cap is 0.90 × RAM but always leaves 2 GiB; too little RAM fails", () => {
  assert.equal(memoryCapBytes(64 * GIB), 0.9 * 64 * GIB);
  assert.equal(memoryCapBytes(8 * GIB), 6 * GIB, "0.9 × 8 = 7.2 would leave < 2 GiB");
  assert.equal(memoryCapBytes(GIB), 0);
  assert.equal(checkMemory({ totalBytes: 32 * GIB }).status, "pass");
  const low = checkMemory({ totalBytes: 4 * GIB });
  assert.equal(low.status, "fail");
  assert.ok(low.fix);
});

test("engine: loaded backend passes, a binding that does not load fails with a fix", () => {
  assert.equal(checkEngine({ ok: true, backend: "cuda", threads: 8, cpuMathCores: 8 }).status, "pass");
  const bad = checkEngine({ ok: false, error: "no binary" });
  assert.equal(bad.status, "fail");
  assert.match(bad.fix ?? "", /reinstall/);
});

test("engine: the prebuilt binary on CPU suggests a native build; a native build passes", () => {
  const prebuilt = checkEngine({ ok: true, backend: "cpu", threads: 2, cpuMathCores: 2, binary: "prebuilt" });
  assert.equal(prebuilt.status, "warn");
  assert.match(prebuilt.fix ?? "", /darkbloom engine build/);
  assert.equal(checkEngine({ ok: true, backend: "cpu", threads: 2, cpuMathCores: 2, binary: "localBuild" }).status, process.platform === "darwin" ? "warn" : "pass");
  assert.equal(checkEngine({ ok: true, backend: "cuda", threads: 8, cpuMathCores: 8, binary: "prebuilt" }).status, "pass");
});

test("disk: < 1 GiB fails, < 10 GiB warns, unknown warns", () => {
  assert.equal(checkDisk({ dir: "/m", freeBytes: 100 * GIB }).status, "pass");
  assert.equal(checkDisk({ dir: "/m", freeBytes: 5 * GIB }).status, "warn");
  assert.equal(checkDisk({ dir: "/m", freeBytes: GIB / 2 }).status, "fail");
  assert.equal(checkDisk({ dir: "/m", freeBytes: undefined, error: "EACCES" }).status, "warn");
});

test("coordinator: unreachable and protocol mismatch fail; no version warns; same version passes", () => {
  assert.equal(checkCoordinator({ url: "u", reachable: true, protocolVersion: PROTOCOL_VERSION }).status, "pass");
  assert.equal(checkCoordinator({ url: "u", reachable: true, protocolVersion: undefined }).status, "warn");
  const newer = checkCoordinator({ url: "u", reachable: true, protocolVersion: PROTOCOL_VERSION + 1 });
  assert.equal(newer.status, "fail");
  assert.match(newer.fix ?? "", /upgrade darkbloom/);
  assert.equal(checkCoordinator({ url: "u", reachable: false, error: "ECONNREFUSED" }).status, "fail");
});

test("identity: 0600/0700 passes; a group/world-readable key fails with chmod 600; a loose dir warns", () => {
  const base = { file: "/c/darkbloom/identity.json", exists: true as const, readable: true };
  assert.equal(checkIdentity({ ...base, fileMode: 0o100600, dirMode: 0o40700 }).status, "pass");
  const open = checkIdentity({ ...base, fileMode: 0o100644, dirMode: 0o40700 });
  assert.equal(open.status, "fail");
  assert.equal(open.fix, "chmod 600 /c/darkbloom/identity.json");
  const dir = checkIdentity({ ...base, fileMode: 0o100600, dirMode: 0o40755 });
  assert.equal(dir.status, "warn");
  assert.equal(dir.fix, "chmod 700 /c/darkbloom");
  assert.equal(checkIdentity({ ...base, fileMode: 0o100600, dirMode: 0o40700, readable: false, error: "not JSON" }).status, "fail");
  assert.equal(checkIdentity({ file: "/x", exists: false }).status, "pass");
});

test("model: unreadable header fails; sha256 mismatch fails; no manifest skips the hash; template failure fails", () => {
  const ok = { path: "/m/a.gguf", id: "a", header: { ok: true as const, version: 3, tensors: 5 }, templateRenderOk: true };
  assert.deepEqual(checkModel(ok).map((r) => r.status), ["pass", "pass"]);
  assert.match(checkModel(ok)[0]!.detail, /skipped \(no manifest\)/);
  assert.deepEqual(checkModel({ ...ok, sha256: { expected: "AB".repeat(32), actual: "ab".repeat(32) } }).map((r) => r.status), ["pass", "pass"]);
  assert.equal(checkModel({ ...ok, sha256: { expected: "ab".repeat(32), actual: "cd".repeat(32) } })[0]!.status, "fail");
  assert.equal(checkModel({ ...ok, templateRenderOk: false })[1]!.status, "fail");
  const broken = checkModel({ ...ok, header: { ok: false, error: "no GGUF magic" } });
  assert.equal(broken.length, 1);
  assert.equal(broken[0]!.status, "fail");
  assert.match(broken[0]!.fix ?? "", /re-download/);
});

test("table: one row per check, fixes under problems, exit code 1 only on a failure", () => {
  const rows = [checkMemory({ totalBytes: 32 * GIB }), checkDisk({ dir: "/m", freeBytes: 5 * GIB })];
  assert.equal(exitCodeOf(rows), 0);
  const table = renderTable(rows);
  assert.match(table, /^STATUS\s+CHECK\s+DETAIL$/m);
  assert.match(table, /^PASS\s+memory/m);
  assert.match(table, /^WARN\s+disk/m);
  assert.match(table, /fix: free disk space/);
  assert.equal(exitCodeOf([...rows, checkEngine({ ok: false, error: "x" })]), 1);
});
