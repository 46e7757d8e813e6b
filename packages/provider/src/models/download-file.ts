import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { sha256File } from "./hash-file.js";
import { PART_SUFFIX } from "./paths.js";
import { planResume, rangeHeader, responseWriteMode } from "./range.js";

export class DownloadError extends Error {
  override readonly name = "DownloadError";
}

export interface DownloadFileOptions {
  url: string;
  /** Final path; bytes go to `<dest>.part` first, renamed once the hash matches. */
  dest: string;
  size: number;
  sha256: string;
  /** Bytes of this file on disk so far, after every chunk. */
  onProgress?(bytes: number): void;
  /** Notable events (resume, corrupt file refused). */
  onEvent?(event: "resuming" | "corrupt" | "restart", detail: Record<string, unknown>): void;
  /** Attempts that end without the whole file (connection lost) before giving up. Default 5. */
  maxAttempts?: number;
  /** Whole fetches refused for a wrong hash before giving up. Default 2. */
  maxCorrupt?: number;
  fetch?: typeof fetch;
  /** Waits between attempts (default 250 ms × attempt); injectable for tests. */
  sleep?(ms: number): Promise<void>;
}

const fileSize = async (path: string) => (await stat(path).catch(() => undefined))?.size ?? 0;

/**
 * Downloads one file resumably: an existing `.part` continues with an HTTP Range request; a lost
 * connection is retried from where it stopped; the finished file must have the manifest's SHA-256,
 * else it is deleted and fetched again (at most `maxCorrupt` times).
 */
export async function downloadFile(opts: DownloadFileOptions): Promise<void> {
  const part = `${opts.dest}${PART_SUFFIX}`;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = opts.maxAttempts ?? 5;
  const maxCorrupt = opts.maxCorrupt ?? 2;
  await mkdir(dirname(opts.dest), { recursive: true });
  let failures = 0;
  let corrupt = 0;
  for (;;) {
    let have = await fileSize(part);
    const plan = planResume(have, opts.size);
    if (plan.kind === "restart") {
      opts.onEvent?.("restart", { path: opts.dest, have, expected: opts.size });
      await truncate(part, 0);
      have = 0;
    }
    if (plan.kind !== "complete") {
      if (have > 0) opts.onEvent?.("resuming", { path: opts.dest, from: have });
      try {
        await fetchInto(doFetch, opts, part, have);
      } catch (err) {
        if (err instanceof DownloadError) throw err;
        failures++;
        if (failures >= maxAttempts) throw new DownloadError(`${opts.url}: ${(err as Error).message} (gave up after ${failures} attempts)`);
        await sleep(250 * failures);
        continue;
      }
      continue; // re-plan: the part may be complete, short (connection cut) or too long
    }
    const digest = await sha256File(part);
    if (digest === opts.sha256) {
      await rename(part, opts.dest);
      return;
    }
    await rm(part, { force: true });
    corrupt++;
    opts.onEvent?.("corrupt", { path: opts.dest, expected: opts.sha256, got: digest });
    if (corrupt >= maxCorrupt) throw new DownloadError(`${opts.url}: SHA-256 ${digest} does not match the manifest's ${opts.sha256} (refused ${corrupt} times)`);
  }
}

/** One request for the bytes from `start`; throws DownloadError when retrying cannot help. */
async function fetchInto(doFetch: typeof fetch, opts: DownloadFileOptions, part: string, start: number): Promise<void> {
  const res = await doFetch(opts.url, { headers: rangeHeader(start) });
  const decision = responseWriteMode(res.status, res.headers.get("content-range"), start, opts.size);
  if ("error" in decision) {
    await res.body?.cancel();
    // Server errors and rate limits may pass; anything else (404, 403, a bad range) will not.
    if (res.status >= 500 || res.status === 429) throw new Error(`${opts.url}: ${decision.error}`);
    throw new DownloadError(`${opts.url}: ${decision.error}`);
  }
  if (res.status === 416 || !res.body) return;
  let written = decision.mode === "append" ? start : 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      // Never write past the manifest's size: a longer file is wrong whatever it holds.
      if (written > opts.size) {
        cb(new DownloadError(`${opts.url}: the server sent more than the manifest's ${opts.size} bytes`));
        return;
      }
      opts.onProgress?.(written);
      cb(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), count, createWriteStream(part, { flags: decision.mode === "append" ? "a" : "w" }));
}
