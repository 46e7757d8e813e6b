import { spawn } from "node:child_process";
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { controlRequest } from "./control/client.js";
import type { ProviderStatus } from "./control/messages.js";
import { pidState } from "./pidfile.js";
import type { StatePaths } from "./paths.js";

export type LaunchOutcome =
  | { kind: "already_running"; pid: number }
  | { kind: "registered"; pid: number; status: ProviderStatus; staleRemoved?: number | true }
  | { kind: "paused"; pid: number; status: ProviderStatus; staleRemoved?: number | true }
  | { kind: "failed"; code: number | null; logTail: string }
  | { kind: "timeout"; pid: number };

/** The last `n` lines of a file ("" when it does not exist). */
export async function tailLines(file: string, n: number): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.slice(-n).join("\n");
}

/** The arguments of the last background start, kept (0600) so `darkbloom restart` can repeat them. */
export function argsFile(paths: StatePaths): string {
  return join(paths.dir, "start-args.json");
}

export async function readLastArgs(paths: StatePaths): Promise<string[] | undefined> {
  const text = await readFile(argsFile(paths), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = z.array(z.string()).safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `darkbloom start --foreground ARGS` detached, its output appended to the log file, and
 * waits (at most `waitMs`) until it has registered with the coordinator, been paused by its
 * schedule, or exited.
 */
export async function launchDaemon(paths: StatePaths, args: string[], waitMs: number, env: NodeJS.ProcessEnv = process.env): Promise<LaunchOutcome> {
  const state = await pidState(paths.pidFile);
  if (state.kind === "running") return { kind: "already_running", pid: state.pid };
  let staleRemoved: number | true | undefined;
  if (state.kind === "stale") {
    staleRemoved = state.pid ?? true;
    await rm(paths.pidFile, { force: true });
    await rm(paths.socket, { force: true });
  }
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await writeFile(argsFile(paths), JSON.stringify(args), { mode: 0o600 });
  const log = await open(paths.logFile, "a", 0o600);
  const bin = process.argv[1]!;
  const child = spawn(process.execPath, [bin, "start", "--foreground", ...args], {
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
    env: { ...env, DARKBLOOM_STATE_DIR: paths.dir, DARKBLOOM_DAEMON_CHILD: "1" },
  });
  await log.close();
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  child.unref();
  const pid = child.pid!;
  const deadline = Date.now() + waitMs;
  const extra = staleRemoved === undefined ? {} : { staleRemoved };
  while (Date.now() < deadline) {
    if (exited !== undefined) return { kind: "failed", code: exited, logTail: await tailLines(paths.logFile, 8) };
    const res = await controlRequest(paths.socket, { op: "status" }, 5_000).catch(() => undefined);
    if (res?.ok && res.status.pid === pid) {
      if (res.status.connection === "connected") return { kind: "registered", pid, status: res.status, ...extra };
      if (res.status.connection === "paused") return { kind: "paused", pid, status: res.status, ...extra };
    }
    await sleep(200);
  }
  return { kind: "timeout", pid };
}
