import { readFileSync } from "node:fs";

/** CPU time (user + system, ms) and resident memory (MiB) of one process, from /proc (Linux). */
export interface ProcSample {
  cpuMs: number;
  rssMiB: number;
  at: number;
}

const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux

export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SEC, rssMiB: rssKiB / 1024, at: performance.now() };
}

/** Samples a process every `intervalMs` until stopped; reports CPU use over the span and peak RSS. */
export function watchProc(pid: number, intervalMs = 100): { stop(): { cpuPercent: number; peakRssMiB: number; startRssMiB: number } } {
  const first = sampleProc(pid);
  let peak = first.rssMiB;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, sampleProc(pid).rssMiB);
    } catch {
      // the process is gone; the last figures stand
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const last = sampleProc(pid);
      peak = Math.max(peak, last.rssMiB);
      const wall = last.at - first.at;
      return { cpuPercent: wall > 0 ? ((last.cpuMs - first.cpuMs) / wall) * 100 : NaN, peakRssMiB: peak, startRssMiB: first.rssMiB };
    },
  };
}
