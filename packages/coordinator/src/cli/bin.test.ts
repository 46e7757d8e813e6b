import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

// The built `darkbloom-coordinator` bin as a child process. --help and --version used to start a
// coordinator; a started one opens its database first, so the missing file proves none started
// (and the bounded run time: a server would never exit on its own).
const bin = fileURLToPath(new URL("../../bin/darkbloom-coordinator.js", import.meta.url));
const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), "coordinator-cli-"));
const db = join(dir, "c.db");
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, DARKBLOOM_PORT: "0", DARKBLOOM_DATABASE_URL: `sqlite:${db}` },
  });

test("--help prints the usage and the settings, exits 0 and starts nothing", () => {
  for (const flag of ["--help", "-h"]) {
    const r = run(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: darkbloom-coordinator/);
    assert.match(r.stdout, /DARKBLOOM_PORT=8080/);
    assert.match(r.stdout, /DARKBLOOM_MAX_CONNECTIONS_PER_IP=256/);
    assert.doesNotMatch(r.stdout, /listening/);
    assert.equal(existsSync(db), false);
  }
});

test("--version prints the package version, exits 0 and starts nothing", () => {
  for (const flag of ["--version", "-v"]) {
    const r = run(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^darkbloom-coordinator ${version.replace(/\./g, "\\.")} `));
    assert.equal(existsSync(db), false);
  }
});

test("unknown options and arguments exit 2 with a message and start nothing", () => {
  for (const [args, re] of [
    [["--port", "9000"], /Unknown option '--port'/],
    [["start"], /Unexpected argument 'start'/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, re);
    assert.match(r.stderr, /usage: darkbloom-coordinator/);
    assert.equal(existsSync(db), false);
  }
});
