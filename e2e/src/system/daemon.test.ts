import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { ensureTestModel, repoRoot, startCoordinator, waitFor, type RunningCoordinator } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * `darkbloom` as an operator leaves it running: a background start against a real coordinator,
 * status over the control socket (human and --json), a second start refused, logs, switch, a
 * graceful stop; a stale pid file; a schedule that keeps it paused; flags over provider.toml.
 */
const bin = join(repoRoot, "packages/provider/bin/darkbloom.js");
const MODEL = "daemon-model";
let coord: RunningCoordinator;
let modelPath: string;
let otherModelPath: string;
const daemonPidFiles: string[] = [];
const made: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function env(stateDir: string, configDir: string): NodeJS.ProcessEnv {
  return { ...process.env, DARKBLOOM_STATE_DIR: stateDir, DARKBLOOM_CONFIG_DIR: configDir, DARKBLOOM_PROVIDER_TOKEN: coord.providerToken ?? "" };
}

/** Runs the bin to completion (bounded). */
function darkbloom(e: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: e, timeout: 150_000, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function dirs(): Promise<{ stateDir: string; configDir: string; e: NodeJS.ProcessEnv }> {
  const stateDir = await tempDir("darkbloom-state-");
  const configDir = await tempDir("darkbloom-config-");
  daemonPidFiles.push(join(stateDir, "provider.pid"));
  return { stateDir, configDir, e: env(stateDir, configDir) };
}

const coordUrl = () => `ws://127.0.0.1:${coord.port}/ws/provider`;

async function listedModels(): Promise<string[]> {
  const res = await fetch(`${coord.baseURL}/models`, { headers: { authorization: `Bearer ${coord.apiKey}` } });
  const body = (await res.json()) as { data?: { id: string }[] };
  return (body.data ?? []).map((m) => m.id);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  modelPath = await ensureTestModel({ preset: "tiny" });
  otherModelPath = await ensureTestModel({ preset: "tiny", seed: 2 });
  coord = await startCoordinator();
});

after(async () => {
  // A failed test must not leave a detached daemon behind.
  for (const f of daemonPidFiles) {
    const pid = Number((await readFile(f, "utf8").catch(() => "")).trim());
    if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL");
  }
  await stopAndAuditLedger(coord);
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe("darkbloom daemon", () => {
  test("start in the background → status (human, --json) → second start refused → logs → switch → stop", async () => {
    const { stateDir, e } = await dirs();
    const started = await darkbloom(e, "start", "--coordinator", coordUrl(), "--model", modelPath, "--model-id", MODEL, "--parallel", "2");
    assert.equal(started.code, 0, started.stderr);
    const m = /started in the background \(pid (\d+)\), registered with (\S+) as (\S+)/.exec(started.stdout);
    assert.ok(m, started.stdout);
    const pid = Number(m[1]);
    assert.equal(m[2], coordUrl());
    assert.equal((await readFile(join(stateDir, "provider.pid"), "utf8")).trim(), String(pid));
    assert.equal((await stat(join(stateDir, "control.sock"))).mode & 0o777, 0o600, "control socket is 0600");
    assert.ok((await listedModels()).includes(MODEL));

    // One request through the coordinator so the counters move.
    const openai = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey });
    const done = await openai.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 4 });
    const completion = done.usage?.completion_tokens ?? 0;
    assert.ok(completion > 0);

    const human = await darkbloom(e, "status");
    assert.equal(human.code, 0, human.stderr);
    for (const re of [new RegExp(`pid ${pid}`), /connection: +connected/, new RegExp(`provider id: +${m[3]}`), /trust level: +\w+/, /1 served/, new RegExp(`${MODEL}: \\w+, 0 running, 0 waiting, max concurrency 2`), /uptime:/]) {
      assert.match(human.stdout, re);
    }
    const json = await darkbloom(e, "status", "--json");
    assert.equal(json.code, 0, json.stderr);
    const st = JSON.parse(json.stdout) as Record<string, unknown> & { models: { id: string; max_concurrency: number }[] };
    assert.equal(st.running, true);
    assert.equal(st.pid, pid);
    assert.equal(st.connection, "connected");
    assert.equal(st.coordinator, coordUrl());
    assert.equal(st.provider_id, m[3]);
    assert.equal(typeof st.trust_level, "string");
    assert.equal(st.requests_served, 1);
    assert.equal(st.tokens_generated, completion);
    assert.equal(typeof st.uptime_s, "number");
    assert.deepEqual(st.models.map((x) => [x.id, x.max_concurrency]), [[MODEL, 2]]);

    const second = await darkbloom(e, "start", "--coordinator", coordUrl(), "--model", modelPath, "--model-id", MODEL);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`already running \\(pid ${pid}\\)`));
    assert.ok(alive(pid), "the first one keeps running");

    const logs = await darkbloom(e, "logs", "-n", "200");
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /"event":"registered"/);
    assert.doesNotMatch(logs.stdout, /"hi"/, "no prompt text in the log");

    const switched = await darkbloom(e, "switch", "--model", otherModelPath, "--model-id", "daemon-other");
    assert.equal(switched.code, 0, switched.stderr);
    assert.match(switched.stdout, /now serving daemon-other/);
    await waitFor("the coordinator lists the switched model only", async () => {
      const ids = await listedModels();
      return ids.includes("daemon-other") && !ids.includes(MODEL);
    }, 60_000);
    const after = JSON.parse((await darkbloom(e, "status", "--json")).stdout) as { pid: number; connection: string; provider_id: string; models: { id: string }[] };
    assert.equal(after.pid, pid, "same process");
    assert.deepEqual(after.models.map((x) => x.id), ["daemon-other"]);
    // Switched on the same connection (update_models): no disconnect, no second registration.
    assert.equal(after.connection, "connected");
    assert.equal(after.provider_id, m[3]);
    const switchLog = (await darkbloom(e, "logs", "-n", "500")).stdout;
    assert.match(switchLog, /"event":"models_updated"/);
    assert.equal(switchLog.match(/"event":"registered"/g)?.length, 1, "registered once: the switch did not reconnect");
    assert.doesNotMatch(switchLog, /"event":"disconnected"/);

    const stopped = await darkbloom(e, "stop");
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, new RegExp(`stopped \\(pid ${pid}\\): 0 in-flight request\\(s\\) finished, 0 handed back`));
    assert.equal(alive(pid), false);
    await assert.rejects(stat(join(stateDir, "provider.pid")), "pid file removed");
    await assert.rejects(stat(join(stateDir, "control.sock")), "socket removed");
    await waitFor("the model leaves the coordinator", async () => !(await listedModels()).includes("daemon-other"), 30_000);

    const none = await darkbloom(e, "status");
    assert.equal(none.code, 1);
    assert.equal(none.stderr, "darkbloom is not running\n", "no stack trace");
    const noneJson = await darkbloom(e, "status", "--json");
    assert.equal(noneJson.code, 1);
    assert.deepEqual(JSON.parse(noneJson.stdout), { running: false });
    const again = await darkbloom(e, "stop");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not running/);
  });

  test("a stale pid file is detected: status and stop say not running, start cleans it and starts", async () => {
    const { stateDir, e } = await dirs();
    const dead = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    await writeFile(join(stateDir, "provider.pid"), `${dead}\n`);
    const st = await darkbloom(e, "status");
    assert.equal(st.code, 1);
    assert.match(st.stderr, /not running/);
    const started = await darkbloom(e, "start", "--coordinator", coordUrl(), "--model", modelPath, "--model-id", "daemon-stale");
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, new RegExp(`removed a stale pid file \\(pid ${dead} is gone\\)`));
    assert.match(started.stdout, /registered with/);
    const stopped = await darkbloom(e, "stop");
    assert.equal(stopped.code, 0, stopped.stderr);
    await writeFile(join(stateDir, "provider.pid"), `${dead}\n`);
    const stale = await darkbloom(e, "stop");
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, new RegExp(`not running \\(removed a stale pid file of pid ${dead}\\)`));
    await assert.rejects(stat(join(stateDir, "provider.pid")));
  });

  test("provider.toml: flags override it, a bad key is named, a schedule outside now keeps the provider paused", async () => {
    const { configDir, e } = await dirs();
    const toml = join(configDir, "provider.toml");
    const h = new Date().getHours();
    const hh = (n: number) => String(n % 24).padStart(2, "0");
    await writeFile(
      toml,
      [
        `coordinator = "ws://127.0.0.1:1/ws/provider"`,
        `parallel = 2`,
        `[[models]]`,
        `path = ${JSON.stringify(modelPath)}`,
        `id = "daemon-paused"`,
        `price = { input_per_million = 1000, output_per_million = 2000 }`,
        `[[schedule]]`,
        `start = "${hh(h + 2)}:00"`,
        `end = "${hh(h + 3)}:00"`,
      ].join("\n"),
    );
    const shown = await darkbloom(e, "config", "show", "--json", "--coordinator", coordUrl(), "--parallel", "3");
    assert.equal(shown.code, 0, shown.stderr);
    const cfg = JSON.parse(shown.stdout) as { coordinator: string; parallel: number; token: string; models: { id: string; price: unknown }[] };
    assert.equal(cfg.coordinator, coordUrl(), "--coordinator wins over the file");
    assert.equal(cfg.parallel, 3, "--parallel wins over the file");
    assert.deepEqual(cfg.models.map((x) => x.id), ["daemon-paused"]);
    assert.doesNotMatch(shown.stdout, new RegExp(coord.providerToken ?? "never"), "the token is masked");

    const started = await darkbloom(e, "start", "--coordinator", coordUrl(), "--parallel", "3");
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /paused: outside the availability schedule/);
    const st = JSON.parse((await darkbloom(e, "status", "--json")).stdout) as { connection: string; paused_by_schedule: boolean; models: { max_concurrency: number; price: unknown }[] };
    assert.equal(st.connection, "paused");
    assert.equal(st.paused_by_schedule, true);
    assert.equal(st.models[0]?.max_concurrency, 3);
    assert.deepEqual(st.models[0]?.price, { input_per_million: 1000, output_per_million: 2000 });
    assert.equal((await listedModels()).includes("daemon-paused"), false, "paused: the coordinator routes nothing to it");
    assert.equal((await darkbloom(e, "stop")).code, 0);

    await writeFile(toml, `parallel = 2\n[[models]]\npath = "x.gguf"\nprice = { input_per_million = -1, output_per_million = 1 }\n`);
    const bad = await darkbloom(e, "start", "--foreground");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /provider\.toml: models\[0\]\.price\.input_per_million: /);
    await writeFile(toml, `paralel = 2\n`);
    const typo = await darkbloom(e, "config", "show");
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /paralel: unknown key/);
  });
});
