import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import {
  decodeCoordinatorFrame,
  encodeBase64,
  generateEncryptionKeyPair,
  signChallenge,
  type ProviderAttestationsResponse,
  type ProviderKeysResponse,
  type TrustStatusFrame,
} from "@darkbloom/protocol";
import { NoTrustedProviderError, privateFetch } from "@darkbloom/sdk";
import { ensureTestModel, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { ScriptedProvider, newProviderKeys, registerFrame, signedAttestation } from "@darkbloom/coordinator/test-support/scripted-provider";
import { waitUntil } from "@darkbloom/coordinator/test-support/wait";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * Trust through real processes: a coordinator challenging every second; a real provider that
 * answers each challenge with a freshly re-signed attestation (weight hash included); a scripted
 * provider that registers properly, then answers its periodic challenges with the wrong key — it
 * becomes untrusted and receives nothing; and the SDK refusing forged, mismatched and stale
 * attestations that a compromised coordinator serves, before sealing anything.
 */
const MODEL = "trust-e2e";
const WAIT_MS = 60_000;
let coord: RunningCoordinator;
let provider: RunningProvider;
let modelPath: string;

before(async () => {
  modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator({ env: { DARKBLOOM_CHALLENGE_INTERVAL_MS: "1000", DARKBLOOM_CHALLENGE_TIMEOUT_MS: "800" } });
  provider = await startProvider(coord, { modelPath, modelId: MODEL });
});
after(async () => {
  await provider?.stop();
  await stopAndAuditLedger(coord);
});

const auth = () => ({ authorization: `Bearer ${coord.apiKey}` });
const attestations = async () => (await (await fetch(`${coord.baseURL}/providers/attestation`)).json()) as ProviderAttestationsResponse;

describe("periodic challenges through real processes", () => {
  test("the real provider keeps passing: its published attestation is re-signed for a challenge nonce and carries the weight hash", async () => {
    const weightHash = createHash("sha256").update(await readFile(modelPath)).digest("hex");
    const entry = await waitUntil(
      "a re-signed attestation (challenge nonces are 32 bytes of base64)",
      async () => (await attestations()).data.find((e) => e.models.includes(MODEL) && e.attestation.nonce.length === 44),
      WAIT_MS,
      100,
    );
    assert.equal(entry.trust_level, "self_signed");
    assert.equal(entry.consecutive_challenge_failures, 0);
    assert.deepEqual(entry.attestation.models, [{ id: MODEL, weight_hash: weightHash }]);
    assert.ok(Math.abs(Date.now() - entry.last_challenge_at) < 30_000);
    const later = await waitUntil("the next challenge", async () => (await attestations()).data.find((e) => e.provider_id === entry.provider_id && e.last_challenge_at > entry.last_challenge_at), WAIT_MS, 100);
    assert.notEqual(later.attestation.nonce, entry.attestation.nonce);
  });

  test("a provider answering its challenges with the wrong key goes untrusted and receives nothing", async () => {
    const keys = await newProviderKeys();
    const att = await signedAttestation(keys, [MODEL]);
    const liar = await ScriptedProvider.open(coord.origin, coord.providerToken);
    try {
      liar.send(registerFrame(att));
      await liar.answerChallenge(att, keys);
      const liarId = (await liar.next("registered")).provider_id;
      // From now on every challenge is signed by a key that is not its identity key.
      const impostor = await newProviderKeys();
      liar.ws.on("message", (data) => {
        const f = decodeCoordinatorFrame((data as Buffer).toString("utf8"));
        if (f.type !== "attestation_challenge") return;
        const challenge = { nonce: f.nonce, timestamp: f.timestamp };
        liar.send({ type: "attestation_response", ...challenge, signature: signChallenge(challenge, att.encryption_key, impostor.identity.secretKey) });
      });
      const status = await waitUntil("the untrusted trust_status", () => liar.frames.find((f): f is TrustStatusFrame => f.type === "trust_status" && f.trust_level === "none"), WAIT_MS, 50);
      assert.equal(status.routable, false);
      assert.equal(status.gates[0]?.name, "untrusted");
      assert.match(status.gates[0]?.detail ?? "", /3 attestation challenges failed in a row.*signature does not verify/);
      assert.ok(!(await attestations()).data.some((e) => e.provider_id === liarId), "not listed publicly");
      const keysRes = (await (await fetch(`${coord.baseURL}/providers/keys?model=${MODEL}`, { headers: auth() })).json()) as ProviderKeysResponse;
      assert.ok(!keysRes.keys.some((k) => k.provider_id === liarId), "its key is not offered");

      const client = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
      for (let i = 0; i < 4; i++) {
        const { response } = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 2 }).withResponse();
        assert.notEqual(response.headers.get("x-provider-id"), liarId);
      }
      assert.equal(liar.frames.filter((f) => f.type === "inference_request").length, 0, "the untrusted provider received nothing");
      assert.match(coord.proc.output(), /"msg":"provider trust level changed".*"trust_level":"none"/);
    } finally {
      await liar.close();
    }
  });
});

describe("the SDK refuses what a compromised coordinator serves", () => {
  /** privateFetch whose keys lookups pass through `tamper` (the coordinator lying); records every POST. */
  function tampered(tamper: (body: ProviderKeysResponse) => Promise<ProviderKeysResponse> | ProviderKeysResponse, extra: Parameters<typeof privateFetch>[0] extends infer O ? Partial<O> : never = {}) {
    const posts: string[] = [];
    const underlying: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if ((init?.method ?? "GET") === "POST") posts.push(url);
      const res = await fetch(input, init);
      if (!url.includes("/providers/keys")) return res;
      const body = await tamper((await res.json()) as ProviderKeysResponse);
      return new Response(JSON.stringify(body), { status: res.status, headers: { "content-type": "application/json" } });
    };
    const client = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0, fetch: privateFetch({ baseURL: coord.baseURL, apiKey: coord.apiKey, fetch: underlying, ...extra }) });
    return { client, posts };
  }

  const ask = (client: OpenAI) => client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "a secret" }], max_tokens: 2 });

  async function refused(client: OpenAI, posts: string[], reason: string): Promise<void> {
    await assert.rejects(ask(client), (err: unknown) => {
      const cause = (err as { cause?: unknown }).cause;
      assert.ok(cause instanceof NoTrustedProviderError, `expected NoTrustedProviderError, got ${String(err)}`);
      assert.ok(cause.rejections.length > 0 && cause.rejections.every((r) => r.reason === reason), JSON.stringify(cause.rejections));
      return true;
    });
    assert.deepEqual(posts, [], "nothing was sealed or sent");
  }

  test("honest keys (re-signed within seconds) are sealed to", async () => {
    const { client, posts } = tampered((b) => b, { maxAttestationAgeMs: 30_000 });
    const res = await ask(client);
    assert.equal(res.usage?.completion_tokens, 2);
    assert.equal(posts.length, 1);
  });

  test("a forged attestation (a field changed after signing) is never sealed to", async () => {
    const { client, posts } = tampered((b) => ({ ...b, keys: b.keys.map((k) => ({ ...k, attestation: { ...k.attestation, hardware: { ...k.attestation.hardware, cores: 4096 } } })) }));
    await refused(client, posts, "bad_signature");
  });

  test("a key swapped for the coordinator's own (mismatched with the attestation) is never sealed to", async () => {
    const mitm = await generateEncryptionKeyPair();
    const { client, posts } = tampered((b) => ({ ...b, keys: b.keys.map((k) => ({ ...k, kid: mitm.kid, public_key: encodeBase64(mitm.publicKey) })) }));
    await refused(client, posts, "key_mismatch");
  });

  test("a stale attestation, an unpinned identity and a trust level below the minimum are never sealed to", async () => {
    const stale = tampered((b) => b, { maxAttestationAgeMs: 1 });
    await refused(stale.client, stale.posts, "stale");
    const other = await newProviderKeys();
    const pinned = tampered((b) => b, { pinnedIdentityKeys: [encodeBase64(other.identity.publicKey)] });
    await refused(pinned.client, pinned.posts, "not_pinned");
    // minTrust "hardware" is sent as X-Darkbloom-Min-Trust: the coordinator has no hardware provider
    // and answers 503 (a lying one offering self_signed keys is refused: sdk trust unit tests).
    const hardware = tampered((b) => b, { minTrust: "hardware" });
    await assert.rejects(ask(hardware.client), (err: unknown) => (err as { status?: number }).status === 503);
    assert.deepEqual(hardware.posts, []);
  });
});
