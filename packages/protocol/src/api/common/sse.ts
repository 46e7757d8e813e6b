/** Server-sent event framing shared by every family's encoder. */

/** `data: <json>\n\n` (OpenAI chat and legacy completions). */
export const sseData = (data: string): string => `data: ${data}\n\n`;

/** `event: <name>\ndata: <json>\n\n` (Responses API, Anthropic Messages). */
export const sseEvent = (event: string, data: string): string => `event: ${event}\ndata: ${data}\n\n`;

/** A random id body (hex) for response/message ids. */
export function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
