import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { parseCommand, UsageError } from "./args.js";

const bin = fileURLToPath(new URL("../../bin/darkbloom-testkit.js", import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "testkit-cli-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("parseCommand: defaults and validation", () => {
  assert.deepEqual(parseCommand(["make-model", "--out", "m.gguf"]), {
    cmd: "make-model", out: "m.gguf", preset: "tiny", seed: 1, eos: "suppress", type: undefined,
  });
  assert.deepEqual(parseCommand(["make-model", "-o", "m", "--preset", "medium", "--seed", "4294967295", "--eos", "favour", "--type", "q8_0"]), {
    cmd: "make-model", out: "m", preset: "medium", seed: 4294967295, eos: "favour", type: "q8_0",
  });
  assert.deepEqual(parseCommand([]), { cmd: "help" });
  assert.deepEqual(parseCommand(["inspect", "f.gguf"]), { cmd: "inspect", file: "f.gguf" });
  const bad: [string[], RegExp][] = [
    [["make-model"], /--out/],
    [["make-model", "--out", "x", "--preset", "huge"], /--preset/],
    [["make-model", "--out", "x", "--seed", "-1"], /--seed/],
    [["make-model", "--out", "x", "--seed", "1e3"], /--seed/],
    [["make-model", "--out", "x", "--seed", "4294967296"], /--seed/],
    [["make-model", "--out", "x", "--eos", "maybe"], /--eos/],
    [["make-model", "--out", "x", "--type", "q4_0"], /--type/],
    [["make-model", "--out", "x", "--bogus"], /bogus/],
    [["make-model", "--out", "x", "extra"], /extra/],
    [["frobnicate"], /unknown command/],
    [["inspect"], /one FILE/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parseCommand(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
});

test("bad arguments exit 2 with the usage on stderr", () => {
  const r = cli("make-model", "--out", join(dir, "x.gguf"), "--preset", "huge");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--preset must be one of tiny, small, medium/);
  assert.match(r.stderr, /Usage:/);
  assert.equal(r.stdout, "");
  assert.equal(cli("make-model").status, 2);
  assert.equal(cli("--help").status, 0);
});

test("--help and --version answer on the bin and on each command; unknown options exit 2", () => {
  const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  for (const args of [["--help"], ["make-model", "--help"], ["inspect", "--help"], ["make-model", "-h"]]) {
    const r = cli(...args);
    assert.equal(r.status, 0, args.join(" "));
    assert.match(r.stdout, /^Usage:/, args.join(" "));
  }
  for (const args of [["--version"], ["-v"], ["make-model", "--version"], ["inspect", "--version"]]) {
    const r = cli(...args);
    assert.equal(r.status, 0, args.join(" "));
    assert.equal(r.stdout, `darkbloom-testkit ${version}\n`, args.join(" "));
  }
  for (const [args, re] of [
    [["--bogus"], /unknown option '--bogus'/],
    [["make-model", "--out", join(dir, "y.gguf"), "--nope"], /Unknown option '--nope'/],
    [["inspect", "f.gguf", "--nope"], /Unknown option '--nope'/],
  ] as const) {
    const r = cli(...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, re, args.join(" "));
  }
});

test("make-model writes the file atomically and prints path and size; inspect reads it", async () => {
  const out = join(dir, "sub", "m.gguf");
  const r = cli("make-model", "--out", out, "--seed", "3", "--eos", "favour");
  assert.equal(r.status, 0, r.stderr);
  const size = (await stat(out)).size;
  assert.equal(r.stdout.trim(), `${out}\t${size} bytes (${(size / 1e6).toFixed(1)} MB)`);
  assert.deepEqual(await readdir(join(dir, "sub")), ["m.gguf"]);
  const i = cli("inspect", out);
  assert.equal(i.status, 0, i.stderr);
  const info = JSON.parse(i.stdout) as { metadata: Record<string, unknown>; tensors: { name: string }[] };
  assert.equal(info.metadata["darkbloom.testkit.eos"], "favour");
  assert.equal(info.metadata["darkbloom.testkit.seed"], 3);
  assert.equal(info.tensors.at(-1)?.name, "output.weight");
});

test("I/O failures exit 1 with a message", () => {
  const r = cli("inspect", join(dir, "missing.gguf"));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ENOENT/);
});
