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

export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv, label: string): Proc {
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
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
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

/** Polls `check` until it returns true, failing with the process output after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  procs: Proc[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    for (const p of procs) {
      if (p.child.exitCode !== null) throw new Error(`${what}: process exited early (${p.child.exitCode})\n${p.output()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n${procs.map((p) => p.output()).join("\n---\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
