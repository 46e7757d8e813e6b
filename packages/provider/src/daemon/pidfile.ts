import { mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";

/** Is a process with this pid alive (signal 0 probes without signalling)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid in the file, if the file exists and holds one. */
export async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

export type PidState = { kind: "none" } | { kind: "running"; pid: number } | { kind: "stale"; pid?: number };

/** What the pid file says: no daemon, a live one, or a stale file left by a dead one. */
export async function pidState(file: string): Promise<PidState> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return { kind: "none" };
  const pid = await readPid(file);
  if (pid === undefined) return { kind: "stale" };
  return isAlive(pid) ? { kind: "running", pid } : { kind: "stale", pid };
}

/**
 * Takes the pid file for this process: exclusive create, so two starting daemons cannot both win;
 * a stale file (its process is dead) is removed first. Returns the pid of the live holder instead
 * when another instance runs.
 */
export async function acquirePidFile(file: string, pid = process.pid): Promise<{ ok: true; staleRemoved?: number | true } | { ok: false; pid: number }> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let staleRemoved: number | true | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, "wx", 0o600);
      await fh.writeFile(`${pid}\n`);
      await fh.close();
      return staleRemoved === undefined ? { ok: true } : { ok: true, staleRemoved };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const state = await pidState(file);
    if (state.kind === "running") {
      if (state.pid === pid) return { ok: true };
      return { ok: false, pid: state.pid };
    }
    staleRemoved = state.kind === "stale" ? (state.pid ?? true) : staleRemoved;
    await rm(file, { force: true });
  }
  throw new Error(`could not take the pid file ${file}`);
}

/** Removes the pid file if it is still this process's. */
export async function releasePidFile(file: string, pid = process.pid): Promise<void> {
  if ((await readPid(file)) === pid) await rm(file, { force: true });
}
