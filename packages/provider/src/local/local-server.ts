import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ChatRequestError, openAIError, parseChatRequest } from "@darkbloom/protocol";
import { EngineError } from "../engine/index.js";
import { renderChat } from "../serve/render-chat.js";
import type { ChatEngine } from "../serve/types.js";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * `darkbloom local`: the engine as an OpenAI-compatible server on this machine, with no
 * coordinator and no sealing — the baseline for overhead measurements.
 */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error("request body too large"), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function chat(engines: ReadonlyMap<string, ChatEngine>, req: IncomingMessage, res: ServerResponse) {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    const status = (err as { status?: number }).status ?? 400;
    return sendJson(res, status, openAIError(status, status === 413 ? "request body too large" : "body is not valid JSON"));
  }
  let params;
  try {
    params = parseChatRequest(body);
  } catch (err) {
    if (err instanceof ChatRequestError) return sendJson(res, 400, openAIError(400, err.message, null, err.param));
    throw err;
  }
  const engine = engines.get(params.model) ?? (engines.size === 1 ? [...engines.values()][0] : undefined);
  if (!engine) return sendJson(res, 404, openAIError(404, `model ${params.model} not found`, "model_not_found", "model"));
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  if (params.stream) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
  }
  await renderChat(
    engine,
    params,
    {
      write: (text, final) => {
        if (params.stream) res.write(text);
        else if (final) {
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.write(text);
        }
      },
    },
    abort.signal,
  );
  res.end();
}

export async function startLocalServer(
  engines: ReadonlyMap<string, ChatEngine>,
  port: number,
  host = "127.0.0.1",
): Promise<LocalServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const run = async () => {
      if (req.method === "GET" && path === "/health") return sendJson(res, 200, { status: "ok" });
      if (req.method === "GET" && path === "/v1/models") {
        const data = [...engines.keys()].map((id) => ({ id, object: "model", created: 0, owned_by: "local" }));
        return sendJson(res, 200, { object: "list", data });
      }
      if (req.method === "POST" && path === "/v1/chat/completions") return chat(engines, req, res);
      sendJson(res, 404, openAIError(404, `no route for ${req.method} ${path}`));
    };
    run().catch((err: Error) => {
      if (res.headersSent) return void res.end();
      const code = err instanceof EngineError ? err.code : undefined;
      if (code === "context_length_exceeded" || code === "invalid_request") sendJson(res, 400, openAIError(400, err.message, code));
      else if (code === "tools_unsupported") sendJson(res, 400, openAIError(400, err.message, code, "tools"));
      else if (code === "queue_full") sendJson(res, 429, openAIError(429, err.message, code));
      else sendJson(res, 500, openAIError(500, "generation failed"));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
