/** What to do with a partial download of a file of `expected` bytes of which `have` are on disk. */
export type ResumePlan = { kind: "complete" } | { kind: "fetch"; start: number } | { kind: "restart" };

export function planResume(have: number, expected: number): ResumePlan {
  if (have === expected) return { kind: "complete" };
  if (have > expected) return { kind: "restart" };
  return { kind: "fetch", start: have };
}

/** The `Range` request header for bytes from `start` to the end (none from 0). */
export function rangeHeader(start: number): Record<string, string> {
  return start > 0 ? { range: `bytes=${start}-` } : {};
}

/** `Content-Range: bytes START-END/TOTAL` → its parts (TOTAL may be `*`: null); undefined when malformed. */
export function parseContentRange(value: string | null): { start: number; end: number; total: number | null } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? "");
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return undefined;
  return { start, end, total: m[3] === "*" ? null : Number(m[3]) };
}

/**
 * How to write a response to a request for bytes from `start`: `append` (206 starting at `start`),
 * `overwrite` (a 200: the server ignored the range, the whole file comes again) or an error message.
 */
export function responseWriteMode(status: number, contentRange: string | null, start: number, expected: number): { mode: "append" | "overwrite" } | { error: string } {
  if (status === 200) return { mode: "overwrite" };
  if (status === 206) {
    const range = parseContentRange(contentRange);
    if (!range) return { error: `206 without a valid Content-Range (${JSON.stringify(contentRange)})` };
    if (range.start !== start) return { error: `asked for bytes from ${start}, got ${range.start}` };
    if (range.total !== null && range.total !== expected) return { error: `the file has ${range.total} bytes, the manifest says ${expected}` };
    return { mode: "append" };
  }
  if (status === 416 && start === expected) return { mode: "append" };
  return { error: `HTTP ${status}` };
}
