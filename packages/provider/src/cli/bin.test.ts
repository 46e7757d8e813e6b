import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

// The built `darkbloom` bin, run as a child process: every subcommand answers --help and
// --version without doing anything else, and unknown or misplaced flags exit 2.
const bin = fileURLToPath(new URL("../../bin/darkbloom.js", import.meta.url));
const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });

test("--help on the bin and on each subcommand prints the usage and exits 0", () => {
  for (const args of [["--help"], ["-h"], ["help"], [], ["start", "--help"], ["local", "--help"], ["start", "-h"], ["local", "--model", "m.gguf", "--help"]]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout, /darkbloom start \[--foreground\]/, args.join(" "));
    assert.match(r.stdout, /darkbloom local --model/, args.join(" "));
    assert.equal(r.stderr, "", args.join(" "));
  }
});

test("--version on the bin and on each subcommand prints the package version and exits 0", () => {
  for (const args of [["--version"], ["-v"], ["start", "--version"], ["local", "--version"]]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout.split(" ").slice(0, 2).join(" "), `darkbloom ${version}`, args.join(" "));
  }
});

test("unknown options, options of the other subcommand and unknown commands exit 2 with a message", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /unknown option "--bogus"/],
    [["start", "--foreground", "--model", "m.gguf", "--bogus"], /Unknown option '--bogus'/],
    [["local", "--model", "m.gguf", "--nope"], /Unknown option '--nope'/],
    [["local", "--model", "m.gguf", "--foreground"], /--foreground is not an option of `darkbloom local`/],
    [["start", "--foreground", "--model", "m.gguf", "--port", "1"], /--port is not an option of `darkbloom start`/],
    [["start", "--foreground", "--model", "m.gguf", "extra"], /Unexpected argument 'extra'/],
    [["frobnicate", "--help"], /unknown command "frobnicate"/],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, re, args.join(" "));
    assert.match(r.stderr, /usage:/, args.join(" "));
    assert.equal(r.stdout, "", args.join(" "));
  }
});

test("each daemon command answers --help with its own usage (exit 0) and is listed in darkbloom --help", () => {
  const top = run("--help").stdout;
  const cases: [string[], RegExp][] = [
    [["stop", "--help"], /usage: darkbloom stop \[--timeout S\][\s\S]*SIGTERM[\s\S]*grace_period_s/],
    [["restart", "-h"], /usage: darkbloom restart[\s\S]*last `darkbloom start`/],
    [["status", "--help"], /usage: darkbloom status \[--json\][\s\S]*control socket[\s\S]*mode 0600/],
    [["logs", "--help"], /usage: darkbloom logs \[-f\] \[-n N\]/],
    [["switch", "--help"], /usage: darkbloom switch --model FILE \[--model-id ID\][\s\S]*reconnects/],
    [["config", "--help"], /usage: darkbloom config show[\s\S]*\[\[schedule\]\]/],
    [["config", "show", "--help"], /usage: darkbloom config show/],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout, re, args.join(" "));
    assert.match(top, new RegExp(`darkbloom ${args[0]} `), `${args[0]} in darkbloom --help`);
  }
  for (const [args, re] of [
    [["stop", "--bogus"], /Unknown option '--bogus'[\s\S]*usage: darkbloom stop/],
    [["switch"], /--model FILE is required/],
    [["config", "frob"], /unknown config action/],
    [["logs", "-n", "x"], /-n must be a line count/],
  ] as [string[], RegExp][]) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, re, args.join(" "));
  }
});

test("every registered subcommand answers --help (exit 0, its own usage) and is listed in darkbloom --help", async () => {
  const { COMMANDS } = await import("./commands/index.js");
  const top = run("--help").stdout;
  for (const name of Object.keys(COMMANDS)) {
    const r = run(name, "--help");
    assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage:[\\s\\S]*darkbloom ${name}\\b`), `${name} --help prints its usage`);
    assert.match(top, new RegExp(`darkbloom ${name}\\b`), `darkbloom --help lists ${name}`);
  }
});
