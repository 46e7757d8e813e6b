import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { attestKeys, signChallenge, type AttestationChallengeFrame, type AttestationResponseFrame, type Attestation } from "@darkbloom/protocol";
import { ManualClock } from "../test-support/manual-clock.js";
import { newProviderKeys, signedAttestation, type ProviderKeys } from "../test-support/scripted-provider.js";
import { Challenger, type ChallengeOutcome } from "./challenger.js";

const SETTINGS = { intervalMs: 300_000, timeoutMs: 30_000, maxSkewMs: 60_000, strikes: 3 };
const T0 = 1_800_000_000_000;

let clock: ManualClock;
let keys: ProviderKeys;
let registered: Attestation;
let sent: AttestationChallengeFrame[];
let outcomes: ChallengeOutcome[];
let challenger: Challenger;
let nonce = 0;

beforeEach(async () => {
  clock = new ManualClock(T0);
  keys = await newProviderKeys();
  registered = await signedAttestation(keys, ["m"], T0);
  sent = [];
  outcomes = [];
  challenger = new Challenger(
    {
      clock,
      settings: SETTINGS,
      newNonce: () => Buffer.from(`nonce-${++nonce}`).toString("base64"),
      send: (f) => void sent.push(f),
      current: () => ({ attestation: registered, models: ["m"] }),
      onOutcome: (o) => void outcomes.push(o),
    },
    "self_signed",
  );
  challenger.start();
});

/** The honest answer to `ch`, with a re-signed attestation stamped `at` (provider clock). */
async function answer(ch: AttestationChallengeFrame, k: ProviderKeys = keys, at = clock.now()): Promise<AttestationResponseFrame> {
  const challenge = { nonce: ch.nonce, timestamp: ch.timestamp };
  const attestation = await attestKeys(k.identity, keys.keys, { provider_version: "2", models: [{ id: "m", weight_hash: "ab".repeat(32) }], hardware: {}, nonce: ch.nonce, timestamp: at });
  return { type: "attestation_response", ...challenge, signature: signChallenge(challenge, registered.encryption_key, k.identity.secretKey), attestation };
}

const last = () => outcomes.at(-1)!;
/** Moves the clock to T0 + ms. */
const at = (ms: number) => clock.advance(T0 + ms - clock.now());
const reasonOf = (o: ChallengeOutcome) => (o.passed ? "passed" : o.reason);

describe("periodic challenges (ManualClock)", () => {
  it("sends a challenge every interval, none before", () => {
    clock.advance(SETTINGS.intervalMs - 1);
    assert.equal(sent.length, 0);
    clock.advance(1);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.timestamp, T0 + SETTINGS.intervalMs);
    // Unanswered: it fails after the timeout, and the next one still comes on schedule.
    clock.advance(SETTINGS.intervalMs);
    assert.equal(sent.length, 2);
    assert.equal(outcomes.length, 1);
    assert.match(reasonOf(outcomes[0]!), /no answer within 30 s/);
  });

  it("an answer within the window passes and republishes the re-signed attestation", async () => {
    clock.advance(SETTINGS.intervalMs);
    clock.advance(SETTINGS.timeoutMs - 1);
    await challenger.onResponse(await answer(sent[0]!));
    assert.equal(last().passed, true);
    assert.ok(last().passed && last().passed === true && (last() as { attestation?: Attestation }).attestation?.nonce === sent[0]!.nonce);
    assert.equal(challenger.trust.lastPassAt, clock.now());
    clock.advance(1); // the timeout must not fire for an answered challenge
    assert.equal(outcomes.length, 1);
  });

  it("an answer after the timeout fails once (the timeout), not twice; sent again it is a replay", async () => {
    clock.advance(SETTINGS.intervalMs + SETTINGS.timeoutMs);
    assert.equal(outcomes.length, 1);
    const late = await answer(sent[0]!);
    await challenger.onResponse(late);
    assert.equal(outcomes.length, 1, "the late answer is not a second failure");
    assert.equal(challenger.trust.consecutiveFailures, 1);
    await challenger.onResponse(late);
    assert.equal(outcomes.length, 2);
    assert.match(reasonOf(last()), /replayed nonce/);
  });

  it("a replayed answer fails: each nonce is answerable once", async () => {
    clock.advance(SETTINGS.intervalMs);
    const first = await answer(sent[0]!);
    await challenger.onResponse(first);
    assert.equal(last().passed, true);
    await challenger.onResponse(first);
    assert.equal(last().passed, false);
    assert.match(reasonOf(last()), /replayed nonce/);
    // Replaying it against the next challenge fails too.
    clock.advance(SETTINGS.intervalMs);
    await challenger.onResponse(first);
    assert.match(reasonOf(last()), /replayed nonce/);
  });

  it("a signature by another identity key fails", async () => {
    clock.advance(SETTINGS.intervalMs);
    const other = await newProviderKeys();
    await challenger.onResponse(await answer(sent[0]!, other));
    assert.match(reasonOf(last()), /challenge signature does not verify/);
  });

  it("clock skew beyond 60 s fails, within it passes", async () => {
    clock.advance(SETTINGS.intervalMs);
    await challenger.onResponse(await answer(sent[0]!, keys, clock.now() - 61_000));
    assert.match(reasonOf(last()), /clock skew: attestation timestamp is 61 s behind/);
    clock.advance(SETTINGS.intervalMs);
    await challenger.onResponse(await answer(sent[1]!, keys, clock.now() + 61_000));
    assert.match(reasonOf(last()), /61 s ahead/);
    clock.advance(SETTINGS.intervalMs);
    await challenger.onResponse(await answer(sent[2]!, keys, clock.now() + 59_000));
    assert.equal(last().passed, true);
  });

  it("a re-signed attestation must bind the registered sealing key, carry the nonce and cover the served models", async () => {
    const cases: [(a: Attestation, ch: AttestationChallengeFrame) => Promise<Attestation>, RegExp][] = [
      [async (_a, ch) => attestKeys(keys.identity, (await newProviderKeys()).keys, { provider_version: "2", models: [{ id: "m" }], hardware: {}, nonce: ch.nonce, timestamp: clock.now() }), /another encryption key/],
      [async () => attestKeys(keys.identity, keys.keys, { provider_version: "2", models: [{ id: "m" }], hardware: {}, nonce: "old", timestamp: clock.now() }), /challenge nonce/],
      [async (_a, ch) => attestKeys(keys.identity, keys.keys, { provider_version: "2", models: [{ id: "x" }], hardware: {}, nonce: ch.nonce, timestamp: clock.now() }), /does not cover served model "m"/],
      [async (a) => ({ ...a, provider_version: "forged" }), /does not verify/],
    ];
    for (const [make, reason] of cases) {
      clock.advance(SETTINGS.intervalMs);
      const ch = sent.at(-1)!;
      const honest = await answer(ch);
      await challenger.onResponse({ ...honest, attestation: await make(honest.attestation!, ch) });
      assert.match(reasonOf(last()), reason);
    }
  });

  it("3 failures in a row make it untrusted; a later pass restores the earned level", async () => {
    const { intervalMs: I, timeoutMs: T } = SETTINGS;
    const levels = () => outcomes.map((o) => o.change.level);
    at(2 * I + T); // challenges 1 and 2 timed out
    assert.deepEqual(levels(), ["self_signed", "self_signed"]);
    at(3 * I + T - 1); // challenge 3 outstanding
    assert.equal(challenger.trust.level, "self_signed");
    at(3 * I + T);
    assert.deepEqual(levels(), ["self_signed", "self_signed", "none"]);
    assert.equal(last().change.changed, true);
    assert.match(last().change.reason ?? "", /3 attestation challenges failed in a row/);
    at(4 * I + T); // still failing: no further change reported
    assert.equal(last().change.changed, false);
    assert.equal(challenger.trust.level, "none");
    at(5 * I + 1);
    await challenger.onResponse(await answer(sent.at(-1)!));
    assert.equal(last().passed, true);
    assert.deepEqual(last().change, { changed: true, level: "self_signed", reason: "challenge passed: earned trust level restored" });
    assert.equal(challenger.trust.consecutiveFailures, 0);
    assert.equal(challenger.trust.failures, 4);
    assert.equal(challenger.trust.passes, 1);
  });

  it("a pass between failures resets the count; hardware is restored as hardware", async () => {
    const { intervalMs: I, timeoutMs: T } = SETTINGS;
    challenger.stop();
    outcomes = [];
    sent = [];
    const hw = new Challenger(
      { clock, settings: SETTINGS, newNonce: () => `n${++nonce}`, send: (f) => void sent.push(f), current: () => ({ attestation: registered, models: ["m"] }), onOutcome: (o) => void outcomes.push(o) },
      "hardware",
    );
    hw.start();
    at(2 * I + T);
    assert.equal(hw.trust.consecutiveFailures, 2);
    at(3 * I);
    await hw.onResponse(await answer(sent.at(-1)!));
    assert.equal(hw.trust.consecutiveFailures, 0);
    for (let k = 4; k <= 6; k++) {
      at(k * I);
      await hw.onResponse({ ...(await answer(sent.at(-1)!)), signature: "A".repeat(86) + "==" });
    }
    assert.equal(hw.trust.level, "none");
    at(7 * I);
    await hw.onResponse(await answer(sent.at(-1)!));
    assert.equal(hw.trust.level, "hardware");
    hw.stop();
    assert.equal(clock.pending, 0, "stop clears every timer");
  });

  it("stop() ends the schedule and ignores late answers", async () => {
    clock.advance(SETTINGS.intervalMs);
    challenger.stop();
    assert.equal(clock.pending, 0);
    await challenger.onResponse(await answer(sent[0]!));
    clock.advance(10 * SETTINGS.intervalMs);
    assert.equal(sent.length, 1);
    assert.equal(outcomes.length, 0);
  });
});
