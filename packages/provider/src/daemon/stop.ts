import { rm } from "node:fs/promises";
import { isAlive, pidState } from "./pidfile.js";
import type { StatePaths } from "./paths.js";
import { tailLines } from "./launch.js";

export type StopOutcome =
  | { kind: "not_running"; staleRemoved?: number | true }
  | { kind: "stopped"; pid: number; drained?: { finished: number; unfinished: number } }
  | { kind: "killed"; pid: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** The drain result the daemon logged when it stopped (the last `drained` line with why=stop). */
async function lastDrain(logFile: string): Promise<{ finished: number; unfinished: number } | undefined> {
  const lines = (await tailLines(logFile, 50)).split("\n").reverse();
  for (const line of lines) {
    try {
      const ev = JSON.parse(line) as { event?: string; why?: string; finished?: unknown; unfinished?: unknown };
      if (ev.event === "drained" && ev.why === "stop" && typeof ev.finished === "number" && typeof ev.unfinished === "number") {
        return { finished: ev.finished, unfinished: ev.unfinished };
      }
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

/**
 * SIGTERM, then waits up to `timeoutMs` for the daemon to finish or hand back its in-flight
 * requests and exit; past that, SIGKILL (and the pid file and socket are cleaned up here).
 */
export async function stopDaemon(paths: StatePaths, timeoutMs: number): Promise<StopOutcome> {
  const state = await pidState(paths.pidFile);
  if (state.kind === "none") return { kind: "not_running" };
  if (state.kind === "stale") {
    await rm(paths.pidFile, { force: true });
    await rm(paths.socket, { force: true });
    return { kind: "not_running", staleRemoved: state.pid ?? true };
  }
  const { pid } = state;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return { kind: "not_running" };
  }
  if (await waitGone(pid, timeoutMs)) {
    const drained = await lastDrain(paths.logFile);
    return { kind: "stopped", pid, ...(drained && { drained }) };
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // exited meanwhile
  }
  await waitGone(pid, 5_000);
  await rm(paths.pidFile, { force: true });
  await rm(paths.socket, { force: true });
  return { kind: "killed", pid };
}

export function describeStop(out: StopOutcome, timeoutS: number): { text: string; code: number } {
  switch (out.kind) {
    case "not_running": {
      const stale = out.staleRemoved === undefined ? "" : ` (removed a stale pid file${out.staleRemoved === true ? "" : ` of pid ${out.staleRemoved}`})`;
      return { text: `darkbloom is not running${stale}`, code: 1 };
    }
    case "stopped": {
      const d = out.drained;
      const work = d ? `: ${d.finished} in-flight request(s) finished, ${d.unfinished} handed back` : "";
      return { text: `darkbloom stopped (pid ${out.pid})${work}`, code: 0 };
    }
    case "killed":
      return { text: `darkbloom (pid ${out.pid}) did not stop within ${timeoutS} s: killed it (SIGKILL); requests in flight were cut off`, code: 1 };
  }
}
