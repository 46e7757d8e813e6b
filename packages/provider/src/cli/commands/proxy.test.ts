import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const bin = fileURLToPath(new URL("../../../bin/darkbloom.js", import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, DARKBLOOM_API_KEY: "", ...env } });

test("darkbloom proxy --help prints its usage; the top-level usage lists it", () => {
  const r = run(["proxy", "--help"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /usage: darkbloom proxy --coordinator URL/);
  assert.match(r.stdout, /DARKBLOOM_API_KEY/);
  assert.match(run(["--help"]).stdout, /darkbloom proxy --coordinator URL/);
});

test("darkbloom proxy refuses a missing coordinator, a missing key and a bad port with exit 2", () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [["proxy"], { DARKBLOOM_API_KEY: "sk-db-x" }, /--coordinator URL is required/],
    [["proxy", "--coordinator", "http://127.0.0.1:1"], {}, /an API key is required/],
    [["proxy", "--coordinator", "http://127.0.0.1:1", "--port", "99999"], { DARKBLOOM_API_KEY: "sk-db-x" }, /--port must be between/],
    [["proxy", "--coordinator", "ftp://x", "--api-key", "sk-db-x"], {}, /must be http/],
    [["proxy", "--bogus"], {}, /Unknown option '--bogus'/],
  ];
  for (const [args, env, re] of cases) {
    const r = run(args, env);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
  }
});
