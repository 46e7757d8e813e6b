/**
 * Normalizes the --coordinator value to the provider WebSocket URL. Accepts
 * `ws://host:port/ws/provider`, `ws(s)://host:port` and an `http(s)://host:port` base.
 */
export function providerSocketUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`--coordinator must be a URL like ws://127.0.0.1:8080/ws/provider, got ${JSON.stringify(input)}`);
  }
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new Error(`--coordinator must use ws, wss, http or https, got ${url.protocol}`);
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/ws/provider";
  return url.toString();
}
