const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A client-supplied X-Request-Id when it is sane (8–128 safe characters), else a fresh one. */
export function pickRequestId(header: string | string[] | undefined, generate: () => string): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_ID.test(value) ? value : generate();
}
