import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { CoordinatorFrame, InferenceCompleteFrame, ProviderModel, SealedChunk, SealedRequest } from "@darkbloom/protocol";
import type { BudgetHold } from "../admission/index.js";
import { createLogger } from "../log/index.js";
import { MemoryRegistry, type LiveProvider } from "../registry/index.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { Relay } from "./relay.js";
import type { DispatchPlan, RelayFailure, RelayObserver } from "./types.js";

/**
 * Speculative TTFT dispatch and bounded failover on a fake clock, with scripted in-process
 * providers (each link records the frames the relay sends it; the test plays the provider side).
 * First-token deadline: 5 s (SPEC base, no input tokens), so a backup goes out at 2.5 s.
 */
const MODEL = "m";
const CHUNK = {} as SealedChunk;
const USAGE = { prompt_tokens: 3, completion_tokens: 2 };

interface Scripted {
  p: LiveProvider;
  sent: CoordinatorFrame[];
}

function scripted(id: string): Scripted {
  const sent: CoordinatorFrame[] = [];
  const model: ProviderModel = { id: MODEL, size_bytes: 1, quantization: "q", context_length: 4096, template_render_ok: true };
  const p: LiveProvider = {
    id,
    kid: `kid-${id}`,
    publicKey: new Uint8Array(32),
    attestation: {} as LiveProvider["attestation"],
    trustLevel: "self_signed",
    version: "0",
    models: new Map([[MODEL, model]]),
    link: { send: (f) => (sent.push(f), true), close: () => {} },
    connectedAt: 0,
    lastSeenAt: 0,
    slots: new Map(),
    inFlight: 0,
  };
  return { p, sent };
}

/** Request-related frames the relay sent (trust_status updates from the registry aside). */
const kinds = (s: Scripted) => s.sent.filter((f) => f.type !== "trust_status").map((f) => f.type);
const flush = () => new Promise<void>((r) => setImmediate(r));

let clock: ManualClock;
let registry: MemoryRegistry;
let held: Set<BudgetHold>;
let backupsAllowed: boolean;
let outcomes: { backup: string; won: boolean }[];
let relay: Relay;

interface Seen {
  chunksFrom: string[];
  completedBy?: string;
  failure?: RelayFailure;
}

function observer(seen: Seen): RelayObserver {
  return {
    onChunk: (_c, p) => void seen.chunksFrom.push(p.id),
    onComplete: (_f: InferenceCompleteFrame, p) => void (seen.completedBy = p.id),
    onFailure: (failure) => void (seen.failure = failure),
  };
}

function plan(id: string, stream = true): DispatchPlan {
  return { requestId: id, api: "chat.completions", model: MODEL, stream, maxTokens: 16, inputTokensEstimate: 0, seal: () => ({}) as SealedRequest };
}

beforeEach(() => {
  clock = new ManualClock(1_000_000);
  registry = new MemoryRegistry(() => 0, clock.now);
  held = new Set();
  backupsAllowed = true;
  outcomes = [];
  relay = new Relay({
    registry,
    clock,
    logger: createLogger({ level: "silent" }),
    maxAttempts: 3,
    cancelSettleMs: 1_000,
    streamIdleTimeoutMs: 10_000,
    maxRequestMs: 600_000,
    budget: {
      fits: () => true,
      hold: (p, pl) => {
        const h: BudgetHold = { provider: p, model: pl.model, tokens: 1 };
        held.add(h);
        return h;
      },
      release: (h) => void held.delete(h),
    },
    backups: { allowed: () => backupsAllowed, outcome: (_m, b, won) => void outcomes.push({ backup: b.id, won }) },
  });
});

/** Two providers; the request goes to `a` first (registry ties break to the first candidate). */
async function twoProviders(): Promise<[Scripted, Scripted]> {
  const a = scripted("a");
  const b = scripted("b");
  registry.add(a.p);
  registry.add(b.p);
  return [a, b];
}

function allReleased(...ps: Scripted[]): void {
  assert.equal(held.size, 0, "every budget hold released");
  for (const s of ps) assert.equal(s.p.inFlight, 0, `${s.p.id} no longer counts the request`);
}

describe("speculative TTFT dispatch", () => {
  it("dispatches a backup at half the first-token deadline; the backup's first content wins, the primary is cancelled and never billed", async () => {
    const [a, b] = await twoProviders();
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("r1"), observer(seen));
    await flush();
    assert.deepEqual(kinds(a), ["inference_request"]);
    clock.advance(2_499);
    await flush();
    assert.deepEqual(kinds(b), [], "no backup before half the deadline");
    clock.advance(1);
    await flush();
    assert.deepEqual(kinds(b), ["inference_request"], "backup dispatched at half the deadline");
    relay.onProviderFrame(b.p, { type: "inference_chunk", request_id: "r1", tokens: 1, chunk: CHUNK });
    assert.deepEqual(kinds(a), ["inference_request", "cancel"], "the loser is cancelled");
    assert.deepEqual(outcomes, [{ backup: "b", won: true }]);
    // The loser's late frames (its usage included) never reach the consumer or settlement.
    relay.onProviderFrame(a.p, { type: "inference_chunk", request_id: "r1", tokens: 1, chunk: CHUNK });
    relay.onProviderFrame(a.p, { type: "inference_error", request_id: "r1", code: "cancelled", message: "x", retryable: false, usage: USAGE });
    relay.onProviderFrame(b.p, { type: "inference_complete", request_id: "r1", usage: USAGE, finish_reason: "stop" });
    assert.deepEqual(seen.chunksFrom, ["b"]);
    assert.equal(seen.completedBy, "b");
    assert.equal(seen.failure, undefined);
    allReleased(a, b);
  });

  it("the primary's first content wins: the backup is cancelled and ignored", async () => {
    const [a, b] = await twoProviders();
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("r2"), observer(seen));
    await flush();
    clock.advance(2_500);
    await flush();
    relay.onProviderFrame(a.p, { type: "inference_chunk", request_id: "r2", tokens: 1, chunk: CHUNK });
    assert.deepEqual(kinds(b), ["inference_request", "cancel"]);
    assert.deepEqual(outcomes, [{ backup: "b", won: false }]);
    relay.onProviderFrame(b.p, { type: "inference_chunk", request_id: "r2", tokens: 1, chunk: CHUNK });
    relay.onProviderFrame(a.p, { type: "inference_complete", request_id: "r2", usage: USAGE, finish_reason: "stop" });
    assert.deepEqual(seen.chunksFrom, ["a"]);
    assert.equal(seen.completedBy, "a");
    allReleased(a, b);
  });

  it("the primary's deadline stays its hard limit: past it the primary is cancelled and the backup carries on with its own", async () => {
    const [a, b] = await twoProviders();
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("r3"), observer(seen));
    await flush();
    clock.advance(2_500);
    await flush();
    clock.advance(2_500); // the primary's 5 s
    await flush();
    assert.deepEqual(kinds(a), ["inference_request", "cancel"]);
    assert.deepEqual(kinds(b), ["inference_request"], "the backup keeps running, no third dispatch");
    clock.advance(2_000); // 4.5 s into the backup's own 5 s
    relay.onProviderFrame(b.p, { type: "inference_chunk", request_id: "r3", tokens: 1, chunk: CHUNK });
    relay.onProviderFrame(b.p, { type: "inference_complete", request_id: "r3", usage: USAGE, finish_reason: "stop" });
    assert.equal(seen.completedBy, "b");
    allReleased(a, b);
  });

  it("sends no backup while the policy says no (the model has a queue); failover still happens at the deadline", async () => {
    const [a, b] = await twoProviders();
    backupsAllowed = false;
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("r4"), observer(seen));
    await flush();
    clock.advance(4_999);
    await flush();
    assert.deepEqual(kinds(b), []);
    clock.advance(1);
    await flush();
    assert.deepEqual(kinds(a), ["inference_request", "cancel"]);
    assert.deepEqual(kinds(b), ["inference_request"], "failover after the hard deadline");
    relay.onProviderFrame(b.p, { type: "inference_chunk", request_id: "r4", tokens: 1, chunk: CHUNK });
    relay.onProviderFrame(b.p, { type: "inference_complete", request_id: "r4", usage: USAGE, finish_reason: "stop" });
    assert.equal(seen.completedBy, "b");
    allReleased(a, b);
  });

  it("sends no backup for a non-streaming request (no first token to wait for)", async () => {
    const [a, b] = await twoProviders();
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("r5", false), observer(seen));
    await flush();
    clock.advance(10_000);
    await flush();
    assert.deepEqual(kinds(b), []);
    relay.onProviderFrame(a.p, { type: "inference_chunk", request_id: "r5", tokens: 2, chunk: CHUNK });
    relay.onProviderFrame(a.p, { type: "inference_complete", request_id: "r5", usage: USAGE, finish_reason: "stop" });
    assert.equal(seen.completedBy, "a");
    allReleased(a, b);
  });

  it("a backup that errors is dropped (its usage ignored); the primary goes on", async () => {
    const [a, b] = await twoProviders();
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("r6"), observer(seen));
    await flush();
    clock.advance(2_500);
    await flush();
    relay.onProviderFrame(b.p, { type: "inference_error", request_id: "r6", code: "engine_error", message: "x", retryable: true, usage: USAGE });
    assert.equal(b.p.inFlight, 0);
    relay.onProviderFrame(a.p, { type: "inference_chunk", request_id: "r6", tokens: 1, chunk: CHUNK });
    relay.onProviderFrame(a.p, { type: "inference_complete", request_id: "r6", usage: USAGE, finish_reason: "stop" });
    assert.equal(seen.completedBy, "a");
    allReleased(a, b);
  });

  it("the consumer leaving cancels both racers", async () => {
    const [a, b] = await twoProviders();
    const seen: Seen = { chunksFrom: [] };
    const h = relay.start(plan("r7"), observer(seen));
    await flush();
    clock.advance(2_500);
    await flush();
    h.cancel("consumer disconnected");
    assert.deepEqual(kinds(a).at(-1), "cancel");
    assert.deepEqual(kinds(b).at(-1), "cancel");
    relay.onProviderFrame(a.p, { type: "inference_error", request_id: "r7", code: "cancelled", message: "x", retryable: false, usage: USAGE });
    assert.equal(seen.failure?.cancelled, true);
    allReleased(a, b);
  });
});

describe("failover before the first token", () => {
  it("is bounded: three attempts, then a clean error", async () => {
    const ps = ["a", "b", "c", "d"].map(scripted);
    for (const s of ps) registry.add(s.p);
    backupsAllowed = false;
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("f1"), observer(seen));
    for (let i = 0; i < 3; i++) {
      await flush();
      const target = ps.find((s) => s.sent.length > 0 && s.sent.at(-1)?.type === "inference_request" && s.p.inFlight === 1)!;
      relay.onProviderFrame(target.p, { type: "inference_error", request_id: "f1", code: "engine_error", message: "boom", retryable: true });
    }
    await flush();
    assert.equal(ps.filter((s) => s.sent.length > 0).length, 3, "exactly three providers tried");
    assert.equal(seen.failure?.status, 502);
    assert.equal(seen.failure?.code, "provider_error");
    allReleased(...ps);
  });

  it("a backup counts as an attempt, and a failed primary hands over to its running backup", async () => {
    const [a, b] = await twoProviders();
    const c = scripted("c");
    registry.add(c.p);
    const seen: Seen = { chunksFrom: [] };
    relay.start(plan("f2"), observer(seen));
    await flush();
    clock.advance(2_500);
    await flush();
    relay.onProviderFrame(a.p, { type: "inference_error", request_id: "f2", code: "engine_error", message: "boom", retryable: true });
    await flush();
    assert.deepEqual(kinds(c), [], "the running backup takes over: no new dispatch");
    relay.onProviderFrame(b.p, { type: "inference_error", request_id: "f2", code: "engine_error", message: "boom", retryable: true });
    await flush();
    assert.deepEqual(kinds(c), ["inference_request"], "third and last attempt");
    relay.onProviderFrame(c.p, { type: "inference_error", request_id: "f2", code: "engine_error", message: "boom", retryable: true });
    await flush();
    assert.equal(seen.failure?.code, "provider_error");
    allReleased(a, b, c);
  });
});
