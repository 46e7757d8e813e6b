import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  API_PATHS,
  ChatRequestError,
  errorBody,
  errorFormatOf,
  parseApiRequest,
  routingFacts,
  type ApiKind,
  type ErrorFormat,
} from "@darkbloom/protocol";
import { EngineError } from "../engine/index.js";
import { renderApiRequest } from "../serve/render-api.js";
import type { ChatEngine } from "../serve/types.js";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * `darkbloom local`: the engine as an OpenAI- and Anthropic-compatible server on this machine
 * (every API family the network serves), with no coordinator and no sealing — the baseline for
 * overhead measurements.
 */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
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

const KIND_BY_PATH = new Map((Object.entries(API_PATHS) as [ApiKind, string][]).map(([kind, path]) => [`/v1${path}`, kind]));

async function serveApi(api: ApiKind, engines: ReadonlyMap<string, ChatEngine>, req: IncomingMessage, res: ServerResponse) {
  const format = errorFormatOf(api);
  const fail = (status: number, message: string, code: string | null = null, param: string | null = null) =>
    sendText(res, status, errorBody(format, status, message, code, param));
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    const status = (err as { status?: number }).status ?? 400;
    return fail(status, status === 413 ? "request body too large" : "body is not valid JSON");
  }
  let parsed;
  try {
    parsed = parseApiRequest(api, body);
  } catch (err) {
    if (err instanceof ChatRequestError) return fail(400, err.message, null, err.param);
    throw err;
  }
  const facts = routingFacts(parsed);
  const engine = engines.get(facts.model) ?? (engines.size === 1 ? [...engines.values()][0] : undefined);
  if (!engine) return fail(404, `model ${facts.model} not found`, "model_not_found", "model");
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  if (facts.stream) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
  }
  await renderApiRequest(
    engine,
    parsed,
    {
      write: (text, final) => {
        if (facts.stream) res.write(text);
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

function formatOfPath(path: string | undefined): ErrorFormat {
  return path === "/v1/messages" || path?.startsWith("/v1/messages/") ? "anthropic" : "openai";
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
      const api = req.method === "POST" && path !== undefined ? KIND_BY_PATH.get(path) : undefined;
      if (api) return serveApi(api, engines, req, res);
      sendText(res, 404, errorBody(formatOfPath(path), 404, `no route for ${req.method} ${path}`));
    };
    run().catch((err: Error) => {
      if (res.headersSent) return void res.end();
      const format = formatOfPath(path);
      const code = err instanceof EngineError ? err.code : null;
      if (code === "context_length_exceeded" || code === "invalid_request") sendText(res, 400, errorBody(format, 400, err.message, code));
      else if (code === "tools_unsupported") sendText(res, 400, errorBody(format, 400, err.message, code, "tools"));
      else if (code === "queue_full") sendText(res, 429, errorBody(format, 429, err.message, code));
      else sendText(res, 500, errorBody(format, 500, "generation failed"));
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
