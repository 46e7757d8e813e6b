#!/usr/bin/env node
// `npm start`: builds if needed, generates the default test model if missing, starts a
// coordinator and one provider on this machine, and prints how to call them. Ctrl-C stops both.
//   DARKBLOOM_MODEL=/path/model.gguf npm start   serves a real GGUF instead of the test model
//   DARKBLOOM_PORT (8080), DARKBLOOM_BOOTSTRAP_API_KEY (else a dev key kept in .darkbloom/dev-api-key),
//   DARKBLOOM_PROVIDER_TOKEN (else an enrollment token kept in .darkbloom/provider-token)
//   DARKBLOOM_LOG_LEVEL=debug npm start   shows every log line (start-up and access logs included)
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { banner } from "./examples.mjs";

const root = resolve(new URL("..", import.meta.url).pathname);
const dataDir = join(root, ".darkbloom");
const say = (msg) => process.stdout.write(`${msg}\n`);

// Quiet by default: access logs at debug level, and the children's start-up lines held back
// (shown only if start-up fails) so the banner is the last thing on screen.
const verbose = process.env.DARKBLOOM_LOG_LEVEL === "debug";
process.env.DARKBLOOM_ACCESS_LOG_LEVEL ??= "debug";
let held = verbose ? null : [];
const relay = (from, to) => from.on("data", (d) => (held ? held.push([to, d]) : to.write(d)));
function releaseHeld(show) {
  if (show) for (const [to, d] of held ?? []) to.write(d);
  held = null;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

say("darkbloom: building (incremental)…");
run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b"]);
mkdirSync(join(dataDir, "models"), { recursive: true, mode: 0o700 });

let modelPath = process.env.DARKBLOOM_MODEL;
if (modelPath) {
  modelPath = resolve(modelPath);
  if (!existsSync(modelPath)) {
    console.error(`darkbloom: DARKBLOOM_MODEL=${modelPath} does not exist`);
    process.exit(2);
  }
} else {
  modelPath = join(dataDir, "models", "darkbloom-test-small.gguf");
  if (!existsSync(modelPath)) {
    say("darkbloom: generating the default test model (random weights, no download)…");
    run(process.execPath, [join(root, "packages/testkit/bin/darkbloom-testkit.js"), "make-model", "--out", modelPath, "--preset", "small"]);
  }
}
const modelId = basename(modelPath).replace(/\.gguf$/i, "");

const keyFile = join(dataDir, "dev-api-key");
let apiKey = process.env.DARKBLOOM_BOOTSTRAP_API_KEY;
if (!apiKey) {
  if (!existsSync(keyFile)) writeFileSync(keyFile, `sk-db-${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  apiKey = readFileSync(keyFile, "utf8").trim();
}
// Provider enrollment: the coordinator refuses providers without this token (same file every run,
// so a second `darkbloom start --token …` against this coordinator can use it too).
const tokenFile = join(dataDir, "provider-token");
let providerToken = process.env.DARKBLOOM_PROVIDER_TOKEN;
if (!providerToken) {
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, `dbpt-${randomBytes(24).toString("hex")}\n`, { mode: 0o600 });
  providerToken = readFileSync(tokenFile, "utf8").trim();
}
const port = process.env.DARKBLOOM_PORT ?? "8080";
const host = process.env.DARKBLOOM_HOST ?? "127.0.0.1";
const origin = `http://${host}:${port}`;

const children = [];
function start(label, script, args, env) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group: a terminal Ctrl-C reaches only this script, which then stops the
    // children in order (one signal each, so they shut down gracefully).
    detached: true,
  });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.on("close", (code, signal) => {
    if (!stopping) {
      releaseHeld(true);
      console.error(`darkbloom: ${label} exited (${signal ?? code}); stopping`);
      shutdown(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say("\ndarkbloom: stopping provider and coordinator…");
  for (const c of [...children].reverse()) if (c.exitCode === null) c.kill("SIGTERM");
  const timer = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")), 8000);
  await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once("exit", r)))));
  clearTimeout(timer);
  process.exit(code);
}
process.on("exit", () => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")));
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

start("coordinator", join(root, "packages/coordinator/bin/darkbloom-coordinator.js"), [], {
  DARKBLOOM_PORT: port,
  DARKBLOOM_HOST: host,
  DARKBLOOM_BOOTSTRAP_API_KEY: apiKey,
  DARKBLOOM_BOOTSTRAP_CREDIT_USD: process.env.DARKBLOOM_BOOTSTRAP_CREDIT_USD ?? "100",
  DARKBLOOM_PROVIDER_TOKEN: providerToken,
  DARKBLOOM_OPEN_REGISTRATION: "",
});

async function waitFor(check, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (stopping) return false;
    try {
      if (await check()) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

if (!(await waitFor(async () => (await fetch(`${origin}/health`)).ok, 30000))) {
  releaseHeld(true);
  console.error("darkbloom: the coordinator did not become healthy");
  await shutdown(1);
}
start("provider", join(root, "packages/provider/bin/darkbloom.js"), [
  "start", "--foreground", "--coordinator", `ws://${host}:${port}/ws/provider`, "--model", modelPath, "--model-id", modelId,
], { DARKBLOOM_CONFIG_DIR: process.env.DARKBLOOM_CONFIG_DIR ?? join(dataDir, "provider"), DARKBLOOM_PROVIDER_TOKEN: providerToken });

const ready = await waitFor(async () => {
  const res = await fetch(`${origin}/v1/models`, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = await res.json();
  return res.ok && body.data.some((m) => m.id === modelId);
}, 180000);
if (!ready) {
  releaseHeld(true);
  console.error("darkbloom: the provider did not register in time");
  await shutdown(1);
}

releaseHeld(false);
say(banner({ origin, apiKey, model: modelId, root }));
