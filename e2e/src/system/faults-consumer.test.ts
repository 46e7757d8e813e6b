import assert from "node:assert/strict";
import { request } from "node:http";
import { after, test } from "node:test";
import { FakeProvider } from "@darkbloom/coordinator/test-support/fake-provider";
import { waitUntil } from "@darkbloom/coordinator/test-support/wait";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

// Consumers that misbehave, against real coordinator and provider processes: one stops reading
// its stream, one hangs up mid-stream. Either way the provider must be told at once and free the
// sequence, and the consumer pays only for what was delivered.

const MODEL = "faults-consumer-model";
const FLOOD_MODEL = "faults-consumer-flood";
let coord: RunningCoordinator | undefined;
let provider: RunningProvider | undefined;

after(async () => {
  await provider?.stop();
  await stopAndAuditLedger(coord);
});

interface LogLine {
  event?: string;
  msg?: string;
  request_id?: string;
  finish_reason?: string;
  completion_tokens?: number;
  status?: number;
  route?: string;
}

function lines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        return {};
      }
    });
}

/** The provider's log lines for requests that ended because the coordinator cancelled them. */
function aborted(p: RunningProvider): LogLine[] {
  return lines(p.proc.output()).filter((l) => l.event === "inference_complete" && l.finish_reason === "abort");
}

/** Opens a streaming chat request and hands back the response without reading its body. */
function openStream(c: RunningCoordinator, maxTokens: number, model = MODEL): Promise<{ res: import("node:http").IncomingMessage; destroy(): void }> {
  const body = JSON.stringify({ model, stream: true, max_tokens: maxTokens, messages: [{ role: "user", content: "go on and on" }] });
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.baseURL}/chat/completions`,
      { method: "POST", headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" } },
      (res) => resolve({ res, destroy: () => req.destroy() }),
    );
    req.on("error", reject);
    req.end(body);
  });
}

test("a consumer that disconnects mid-stream: the provider is cancelled and frees the sequence", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator({ env: { DARKBLOOM_STREAM_BUFFER_CHUNKS: "4", DARKBLOOM_ACCESS_LOG_LEVEL: "info" } });
  provider = await startProvider(coord, { modelPath, modelId: MODEL, parallel: 1 });
  const c = coord;
  const p = provider;
  const before = aborted(p).length;
  const { res, destroy } = await openStream(c, 1800);
  assert.equal(res.statusCode, 200);
  // Read until content flows, then hang up.
  await new Promise<void>((resolve) => {
    let seen = "";
    res.on("data", (d: Buffer) => {
      seen += d.toString();
      if ((seen.match(/"content"/g) ?? []).length >= 3) resolve();
    });
  });
  destroy();

  await waitFor("the provider to be cancelled", async () => aborted(p).length === before + 1, 60_000, [c.proc, p.proc]);
  const stopped = aborted(p).at(-1)!;
  assert.ok(stopped.completion_tokens! < 1800, `generation stopped early (${stopped.completion_tokens} tokens)`);
  // The sequence is free: a single-sequence provider answers the next request at once.
  const next = await fetch(`${c.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, max_tokens: 3, messages: [{ role: "user", content: "next" }] }),
    signal: AbortSignal.timeout(60_000),
  });
  assert.equal(next.status, 200);
  assert.equal(((await next.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens, 3);
});

test("a consumer that stops reading gets a 499 and the provider's generation is cancelled", async () => {
  // A tiny model's whole answer (~2,000 tokens of ~150-byte SSE events) fits in loopback socket
  // buffers, so a paused reader never overflows anything with it. The flooding provider here is a
  // scripted one built from the real protocol code, sending 64 KiB chunks until cancelled.
  const c = coord!;
  const flood = await FakeProvider.connect(c.origin, { models: [FLOOD_MODEL], behavior: () => "flood", floodChunks: 2_000, token: c.providerToken });
  try {
    const { res, destroy } = await openStream(c, 1800, FLOOD_MODEL);
    assert.equal(res.statusCode, 200);
    res.pause(); // never read again: kernel buffers fill, then the coordinator's 4-chunk buffer
    const cancel = await waitUntil("the provider to be cancelled", () => flood.cancels[0], 60_000);
    assert.match(cancel.reason, /slow|too slow|consumer/i);
    destroy();
    await waitFor(
      "the request's access-log line with 499",
      async () => lines(c.proc.output()).some((l) => l.msg === "request" && l.route === "/v1/chat/completions" && l.status === 499),
      30_000,
      [c.proc],
    );
  } finally {
    await flood.close();
  }
});
