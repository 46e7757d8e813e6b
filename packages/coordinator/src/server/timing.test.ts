import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { TIMING_PHASES } from "../http/index.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { e2eChat } from "../test-support/e2e-client.js";
import { waitUntil } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

const KEY = generateApiKey();
const logs: string[] = [];
let coord: RunningCoordinator;
let provider: FakeProvider;

before(async () => {
  coord = await startCoordinator(
    { providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 5 },
    { logWrite: (l) => void logs.push(l) },
  );
  provider = await FakeProvider.connect(coord.url, { models: ["tiny"], behavior: () => "reply" });
});

after(async () => {
  await provider.close();
  await coord.close();
});

const chat = (extra: Record<string, unknown> = {}) => ({ model: "tiny", messages: [{ role: "user", content: "hi" }], ...extra });
const post = (body: unknown) =>
  fetch(`${coord.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** X-Timing as a map; every value a non-negative number of milliseconds with two decimals. */
function xTiming(h: Headers): Map<string, number> {
  const raw = h.get("x-timing");
  assert.ok(raw, "X-Timing present");
  const out = new Map<string, number>();
  for (const part of raw.split(",")) {
    const m = /^([a-z]+)=(\d+\.\d{2})$/.exec(part);
    assert.ok(m, `well-formed X-Timing part: ${part}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Server-Timing entries (W3C syntax: name;dur=…;desc="…", comma separated). */
function serverTiming(h: Headers): Map<string, number> {
  const raw = h.get("server-timing");
  assert.ok(raw, "Server-Timing present");
  const out = new Map<string, number>();
  for (const entry of raw.split(", ")) {
    const m = /^([a-z]+);dur=(\d+\.\d{2});desc="[^"]*"$/.exec(entry);
    assert.ok(m, `well-formed Server-Timing entry: ${entry}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

function checkComplete(h: Headers): void {
  const x = xTiming(h);
  const st = serverTiming(h);
  // Every phase a served request goes through, admission's queue step included (measured even
  // when it admitted at once), and the provider's time to first token as `ttft`.
  const measured = [...TIMING_PHASES];
  assert.deepEqual([...x.keys()], [...measured, "total"], "every measured phase, in path order, then total");
  assert.deepEqual([...st.keys()], [...x.keys()], "both headers name the same phases");
  for (const [k, v] of x) assert.equal(st.get(k), v, `${k} agrees`);
  const sum = measured.reduce((s, p) => s + x.get(p)!, 0);
  assert.ok(sum <= x.get("total")! + 0.05 * measured.length, "phases fit inside the total");
}

describe("Server-Timing and X-Timing", () => {
  it("coordinator-sealed stream and non-stream responses carry every phase", async () => {
    const s = await post(chat({ stream: true }));
    assert.equal(s.status, 200);
    checkComplete(s.headers);
    await s.text();
    const n = await post(chat());
    assert.equal(n.status, 200);
    checkComplete(n.headers);
    await n.text();
  });

  it("e2e responses carry them too", async () => {
    const r = await e2eChat(coord.url, KEY, chat({ stream: true }));
    assert.equal(r.status, 200);
    checkComplete(r.headers);
  });

  it("errors after auth carry the phases known so far; the access log has the full timing", async () => {
    const r = await post({ model: "nope", messages: [{ role: "user", content: "hi" }] });
    assert.equal(r.status, 404);
    const x = xTiming(r.headers);
    assert.ok(x.has("auth") && x.has("parse") && x.has("total"));
    assert.ok(!x.has("ttft") && !x.has("queue"), "phases the request never reached are not reported");
    await r.text();
    const rid = r.headers.get("x-request-id");
    const line = await waitUntil("the request's access-log line", () =>
      logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "request" && l.request_id === rid),
    );
    assert.match(String(line.timing), /^parse=\d+\.\d{2},auth=\d+\.\d{2},total=\d+\.\d{2}$/);
  });

  it("routes that do not time themselves send no timing headers", async () => {
    const r = await fetch(`${coord.url}/health`);
    assert.equal(r.headers.get("x-timing"), null);
    assert.equal(r.headers.get("server-timing"), null);
    await r.text();
  });
});
