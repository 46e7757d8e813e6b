import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** A child process whose stdout+stderr are captured in memory (and optionally echoed). */
export interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  kill(): Promise<number | null>;
}

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * Children must not outlive the test process: when it exits, or is stopped by the test runner's
 * timeout (SIGTERM) or ^C, every child still running is killed, so a timed-out system test does not
 * leave a coordinator or provider competing for the CPU with the next test file.
 */
function killChildrenOnExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of live) c.kill("SIGKILL");
  };
  process.once("exit", killAll);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === "SIGTERM" ? 143 : 130);
    });
  }
}

export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv, label: string): Proc {
  killChildrenOnExit();
  const child = spawn(process.execPath, [script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: string[] = [];
  const echo = process.env.DARKBLOOM_TEST_ECHO === "1";
  const collect = (d: Buffer) => {
    const s = d.toString("utf8");
    chunks.push(s);
    if (echo) process.stderr.write(`[${label}] ${s}`);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const proc: Proc = {
    child,
    output: () => chunks.join(""),
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      return exited;
    },
  };
  return proc;
}

/** Longest a single `check` attempt may take before it counts as a failed attempt. */
const CHECK_ATTEMPT_MS = 5_000;

/**
 * Polls `check` until it returns true, failing with `what`, the last check error and the process
 * output after `timeoutMs`, or as soon as one of `procs` exits. Each attempt is bounded too: it gets
 * a signal aborted after a few seconds (pass it to fetch), and an attempt that ignores it is
 * abandoned, so a server that accepts a connection and never answers cannot hang the test.
 */
export async function waitFor(
  what: string,
  check: (signal: AbortSignal) => Promise<boolean>,
  timeoutMs: number,
  procs: Proc[] = [],
): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let lastError = "";
  for (;;) {
    const attemptMs = Math.max(1, Math.min(CHECK_ATTEMPT_MS, deadline - Date.now()));
    const ok = await boundedAttempt(check, attemptMs).catch((err: unknown) => {
      lastError = err instanceof Error ? err.message : String(err);
      return false;
    });
    if (ok) return;
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${what}: process exited early (${p.child.exitCode ?? p.child.signalCode})\n${p.output()}`);
      }
    }
    if (Date.now() >= deadline) {
      const last = lastError ? ` (last attempt: ${lastError})` : "";
      throw new Error(`timed out after ${Date.now() - started} ms waiting for ${what}${last}\n${procs.map((p) => p.output()).join("\n---\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function boundedAttempt(check: (signal: AbortSignal) => Promise<boolean>, ms: number): Promise<boolean> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([check(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
