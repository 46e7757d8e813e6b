import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { openStore, type Store } from "@darkbloom/coordinator";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const MODEL = "drain-model";

/**
 * SIGTERM drains a real coordinator: /readyz turns 503, new requests are refused cleanly (503 +
 * Retry-After), a stream already running finishes (long grace) or ends with an error event (short
 * grace), the process exits 0 and its ledger balances. The provider is frozen (SIGSTOP) so the
 * request is certainly still in flight when the coordinator gets SIGTERM, and thawed (SIGCONT) to
 * let it go on.
 */
describe("graceful drain on SIGTERM (real processes)", () => {
  let coord: RunningCoordinator | undefined;
  let provider: RunningProvider | undefined;

  after(async () => {
    provider?.proc.child.kill("SIGCONT");
    await provider?.stop();
    await stopAndAuditLedger(coord);
  });

  /** Starts a stream; resolves with the response once its headers arrive (with the first chunk). */
  function startStream(c: RunningCoordinator, maxTokens: number): Promise<Response> {
    return fetch(`${c.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: maxTokens,
        messages: [{ role: "user", content: "Tell me everything." }],
      }),
    });
  }

  /** Starts a stream and returns its reader once the first content delta arrived. */
  async function openStream(c: RunningCoordinator, maxTokens: number): Promise<SseReader> {
    const res = await startStream(c, maxTokens);
    assert.equal(res.status, 200);
    const reader = new SseReader(res.body!);
    await reader.untilContent();
    return reader;
  }

  async function expectRefusedWhileDraining(c: RunningCoordinator): Promise<void> {
    await waitFor("/readyz to answer 503", async (signal) => (await fetch(`${c.origin}/readyz`, { signal })).status === 503, 30_000, [c.proc]);
    const refused = await fetch(`${c.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 4, messages: [{ role: "user", content: "late" }] }),
    });
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get("retry-after")) > 0, "Retry-After");
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "shutting_down");
    assert.equal((await fetch(`${c.origin}/health`)).status, 200, "liveness is not readiness");
  }

  async function totals(c: RunningCoordinator): Promise<{ requests: number; completionTokens: number }> {
    const store: Store = await openStore({ engine: "sqlite", path: c.dbPath });
    try {
      return await store.usage.totalsSince(0);
    } finally {
      await store.close();
    }
  }

  test("long grace: the in-flight stream completes, new requests are refused, exit 0", async () => {
    const modelPath = await ensureTestModel({ preset: "tiny" });
    const c = (coord = await startCoordinator({ env: { DARKBLOOM_SHUTDOWN_GRACE_MS: "120000" } }));
    provider = await startProvider(c, { modelPath, modelId: MODEL });

    // Dispatched to a frozen provider: in flight, and it can only finish after the drain began.
    provider.proc.child.kill("SIGSTOP");
    const pending = startStream(c, 48);
    await waitFor(
      "the stream to be in flight",
      async (signal) => /^darkbloom_requests_in_flight 1$/m.test(await (await fetch(`${c.origin}/metrics`, { signal })).text()),
      30_000,
      [c.proc],
    );
    c.proc.child.kill("SIGTERM");
    await expectRefusedWhileDraining(c);
    provider.proc.child.kill("SIGCONT");

    const res = await pending;
    assert.equal(res.status, 200, "the stream admitted before the drain is served during it");
    const rest = await new SseReader(res.body!).rest();
    assert.equal(rest.errors.length, 0, "no error event");
    assert.ok(rest.done, "the stream ended with [DONE]");
    assert.equal(rest.usage?.completion_tokens, 48, "every token delivered");
    assert.equal(await waitExit(c), 0);
    assert.match(c.proc.output(), /"msg":"shut down".*"finished_in_grace":true/);
    const t = await totals(c);
    assert.equal(t.requests, 1, "the refused request reserved nothing");
    assert.equal(t.completionTokens, 48, "billed exactly what was delivered");
    await provider.stop();
    provider = undefined;
    await stopAndAuditLedger(c);
    coord = undefined;
  });

  test("short grace: the in-flight stream gets an error event (not a cut), billed for delivered tokens only, exit 0", async () => {
    const modelPath = await ensureTestModel({ preset: "tiny" });
    const c = (coord = await startCoordinator({ env: { DARKBLOOM_SHUTDOWN_GRACE_MS: "1000" } }));
    provider = await startProvider(c, { modelPath, modelId: MODEL });
    const stream = await openStream(c, 1_500);

    provider.proc.child.kill("SIGSTOP");
    c.proc.child.kill("SIGTERM");
    await expectRefusedWhileDraining(c);

    const rest = await stream.rest(); // the grace ends while the provider is frozen
    provider.proc.child.kill("SIGCONT");
    assert.equal(rest.done, false);
    assert.equal(rest.errors.length, 1, "exactly one error event");
    assert.equal(rest.errors[0]!.code, "shutting_down");
    assert.equal(await waitExit(c), 0);
    assert.match(c.proc.output(), /"msg":"shut down".*"finished_in_grace":false/);
    const t = await totals(c);
    assert.equal(t.requests, 1);
    assert.ok(t.completionTokens > 0 && t.completionTokens < 1_500, `billed ${t.completionTokens} delivered tokens, not the reservation`);
    await provider.stop();
    provider = undefined;
    await stopAndAuditLedger(c);
    coord = undefined;
  });
});

async function waitExit(c: RunningCoordinator): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`coordinator did not exit within 60 s\n${c.proc.output()}`)), 60_000);
  });
  try {
    return await Promise.race([c.proc.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface StreamEnd {
  done: boolean;
  errors: { code: string; message: string }[];
  usage: { completion_tokens: number } | undefined;
  contentChunks: number;
}

/** Reads an OpenAI chat SSE stream event by event; every read has a deadline. */
class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buf = "";
  contentChunks = 0;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** Reads until the first content delta. */
  async untilContent(): Promise<void> {
    for (;;) {
      const ev = await this.next();
      if (ev === undefined) throw new Error("the stream ended before any content");
      if (ev !== "[DONE]" && contentOf(ev)) {
        this.contentChunks++;
        return;
      }
    }
  }

  async rest(): Promise<StreamEnd> {
    const end: StreamEnd = { done: false, errors: [], usage: undefined, contentChunks: 0 };
    for (;;) {
      const ev = await this.next();
      if (ev === undefined) return end;
      if (ev === "[DONE]") {
        end.done = true;
        continue;
      }
      const parsed = JSON.parse(ev) as { error?: { code: string; message: string }; usage?: { completion_tokens: number } };
      if (parsed.error) end.errors.push(parsed.error);
      if (parsed.usage) end.usage = parsed.usage;
      if (contentOf(ev)) end.contentChunks++;
    }
  }

  /** The next `data:` payload, or undefined at the end of the body. */
  private async next(): Promise<string | undefined> {
    for (;;) {
      const sep = this.buf.indexOf("\n\n");
      if (sep !== -1) {
        const event = this.buf.slice(0, sep);
        this.buf = this.buf.slice(sep + 2);
        const data = event
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trim())
          .join("\n");
        if (data) return data;
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no stream data within 90 s")), 90_000);
      });
      const r = await Promise.race([this.reader.read(), late]).finally(() => clearTimeout(timer));
      if (r.done) return undefined;
      this.buf += this.decoder.decode(r.value, { stream: true });
    }
  }
}

function contentOf(data: string): boolean {
  const parsed = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
  return Boolean(parsed.choices?.[0]?.delta?.content);
}
