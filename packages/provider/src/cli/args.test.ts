import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError, parseCommand } from "./args.js";

test("start: URL forms, model id default and parallel", () => {
  const cmd = parseCommand(["start", "--foreground", "--coordinator", "http://127.0.0.1:9000", "--model", "/m/Qwen-7B.gguf"]);
  assert.deepEqual(cmd, {
    kind: "start",
    foreground: true,
    flags: { coordinator: "http://127.0.0.1:9000", modelPath: "/m/Qwen-7B.gguf" },
    waitS: 180,
    argv: ["--foreground", "--coordinator", "http://127.0.0.1:9000", "--model", "/m/Qwen-7B.gguf"],
  });
  const ws = parseCommand(["start", "--coordinator", "ws://h:1/ws/provider", "--model", "a.gguf", "--model-id", "x", "--parallel", "2"]);
  assert.equal(ws.kind === "start" && ws.foreground, false, "background unless --foreground");
  assert.equal(ws.kind === "start" && ws.flags.modelId, "x");
  assert.equal(ws.kind === "start" && ws.flags.parallel, 2);
});

test("start: --token", () => {
  const cmd = parseCommand(["start", "--foreground", "--model", "m.gguf", "--token", "tok-0123456789abcdef"]);
  assert.equal(cmd.kind === "start" && cmd.flags.token, "tok-0123456789abcdef");
  const none = parseCommand(["start", "--foreground", "--model", "m.gguf"]);
  assert.equal(none.kind === "start" && "token" in none.flags, false);
  assert.throws(() => parseCommand(["start", "--foreground", "--model", "m", "--token", "has space"]), UsageError);
});

test("local: default port", () => {
  const cmd = parseCommand(["local", "--model", "m.gguf", "--port", "0"]);
  assert.equal(cmd.kind === "local" && cmd.port, 0);
});

test("bad input is a UsageError with a clear message", () => {
  const bad: [string[], RegExp][] = [
    [["start", "--foreground", "--model", "m", "--model-id", "bad id"], /invalid model id/],
    [["start", "--wait", "0"], /between 1 and 3600/],
    [["local", "--model", "m", "--parallel", "0"], /between 1 and 64/],
    [["local", "--model", "m", "--port", "8x"], /integer/],
    [["local", "--model", "m", "--bogus"], /bogus/],
    [["frobnicate"], /unknown command/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parseCommand(argv), (e: unknown) => e instanceof UsageError && re.test(e.message));
});

test("help", () => {
  assert.equal(parseCommand([]).kind, "help");
  assert.equal(parseCommand(["--help"]).kind, "help");
});

test("start: --account-key links the provider to its owner's account", () => {
  const cmd = parseCommand(["start", "--foreground", "--model", "m.gguf", "--account-key", "sk-db-" + "a".repeat(64)]);
  assert.equal(cmd.kind === "start" && cmd.flags.accountKey, "sk-db-" + "a".repeat(64));
  assert.throws(() => parseCommand(["start", "--foreground", "--model", "m", "--account-key", "has space"]), UsageError);
  assert.throws(() => parseCommand(["local", "--model", "m", "--account-key", "k"]), UsageError);
});
