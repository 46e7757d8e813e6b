import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { signChallenge } from "@darkbloom/protocol";
import { startCoordinator, type RunningCoordinator } from "../server/index.js";
import { waitUntil, withDeadline } from "../test-support/wait.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { ScriptedProvider, newProviderKeys, registerFrame, signedAttestation } from "../test-support/scripted-provider.js";

const REGISTER_TIMEOUT_MS = 10_000;
const EVICTION_MS = 30_000;
let coord: RunningCoordinator;
// Every timer of this coordinator fires only when a test advances this clock: no test waits on time.
const clock = new ManualClock();

before(async () => {
  coord = await startCoordinator(
    {
      port: 0,
      databaseUrl: "sqlite::memory:",
      logLevel: "silent",
      providerToken: TEST_PROVIDER_TOKEN,
      heartbeatIntervalMs: 1_000,
      providerEvictionMs: EVICTION_MS,
      writeTimeoutMs: 5_000,
      registerTimeoutMs: REGISTER_TIMEOUT_MS,
    },
    { clock },
  );
});
after(() => coord.close());

const open = () => ScriptedProvider.open(coord.url);

describe("provider socket", () => {
  it("closes with 1008 on a frame that does not decode", async () => {
    const p = await open();
    p.send('{"type":"nonsense"}');
    assert.deepEqual(await p.waitClosed(), { code: 1008, reason: "bad frame" });
  });

  it("closes with 1008 when the first frame is not register", async () => {
    const p = await open();
    p.send({ type: "inference_accepted", request_id: "r" });
    assert.equal((await p.waitClosed()).code, 1008);
  });

  it("rejects an attestation whose signature does not verify", async () => {
    const att = await signedAttestation(await newProviderKeys(), ["m"]);
    const p = await open();
    p.send(registerFrame({ ...att, provider_version: "forged" }));
    assert.deepEqual(await p.waitClosed(), { code: 1008, reason: "attestation did not verify" });
    assert.equal(coord.registry.size, 0);
  });

  it("closes a connection that never registers when the register timeout fires", async () => {
    const p = await open(); // the server arms the timer before the handshake response is written
    clock.advance(REGISTER_TIMEOUT_MS - 1);
    assert.equal(p.ws.readyState, WebSocket.OPEN);
    clock.advance(1);
    assert.deepEqual(await p.waitClosed(), { code: 1008, reason: "register timeout" });
  });

  it("the register timeout covers the whole handshake: an unanswered challenge times out", async () => {
    const k = await newProviderKeys();
    const att = await signedAttestation(k, ["m"]);
    const p = await open();
    p.send(registerFrame(att));
    await p.next("attestation_challenge");
    clock.advance(REGISTER_TIMEOUT_MS);
    assert.deepEqual(await p.waitClosed(), { code: 1008, reason: "register timeout" });
    assert.equal(coord.registry.size, 0);
  });

  it("registers only after a valid answer to the challenge", async () => {
    const k = await newProviderKeys();
    const att = await signedAttestation(k, ["m"]);
    const p = await open();
    p.send(registerFrame(att));
    const ch = await p.next("attestation_challenge");
    assert.equal(Buffer.from(ch.nonce, "base64").length, 32);
    assert.equal(ch.timestamp, clock.now());
    assert.equal(coord.registry.size, 0, "not in the registry before the proof");
    await p.answerChallenge(att, k);
    const reg = await p.next("registered");
    assert.equal(reg.trust_level, "self_signed");
    assert.equal(coord.registry.get(reg.provider_id)?.trustLevel, "self_signed");
    await p.close();
    assert.equal(coord.registry.size, 0);
  });

  it("refuses an answer to another nonce or timestamp", async () => {
    for (const change of [{ nonce: Buffer.alloc(32, 7).toString("base64") }, { timestamp: 1 }]) {
      const k = await newProviderKeys();
      const att = await signedAttestation(k, ["m"]);
      const p = await open();
      p.send(registerFrame(att));
      const ch = await p.next("attestation_challenge");
      const forged = { nonce: ch.nonce, timestamp: ch.timestamp, ...change };
      p.send({ type: "attestation_response", ...forged, signature: signChallenge(forged, att.encryption_key, k.identity.secretKey) });
      assert.equal((await p.waitClosed()).code, 1008);
      assert.equal(coord.registry.size, 0);
    }
  });

  it("refuses other upgrade paths", async () => {
    const ws = new WebSocket(coord.url.replace("http", "ws") + "/ws/other", { headers: { authorization: `Bearer ${TEST_PROVIDER_TOKEN}` } });
    await assert.rejects(withDeadline(new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject)), 5_000, "refusal"));
  });

  it("evicts a provider that stops sending heartbeats", async () => {
    const p = await FakeProvider.connect(coord.url, { models: ["m"] });
    assert.equal(coord.registry.size, 1);
    // Its one heartbeat must have landed before time moves, or it would count as recent.
    await waitUntil("the first heartbeat", () => coord.registry.get(p.id)?.slots.size === 1, 5_000);
    const done = withDeadline(new Promise<number>((resolve) => p.ws.once("close", (code) => resolve(code))), 5_000, "eviction");
    clock.advance(EVICTION_MS - 1);
    assert.equal(coord.registry.size, 1);
    clock.advance(1_001); // the next eviction check after the window
    assert.equal(coord.registry.size, 0);
    await done; // the link is terminated (1006), not closed politely
  });
});
