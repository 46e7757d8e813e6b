import assert from "node:assert/strict";
import { test } from "node:test";
import { DEVICE_CODE_GRANT_TYPE, encodeBase64, generateIdentityKeyPair, verifyDeviceCodeRequest, type DeviceCodeProof } from "@darkbloom/protocol";
import { DeviceLoginError, deviceLogin } from "./device-login.js";

/** A scripted coordinator for the polling logic (the real one is exercised end to end in e2e/system/device-login). */
function scripted(answers: { status: number; body: unknown }[]) {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const polls: URLSearchParams[] = [];
  let proof: DeviceCodeProof | undefined;
  const fetchImpl = (async (url: string, init: RequestInit) => {
    if (url.endsWith("/v1/device/code")) {
      proof = JSON.parse(String(init.body)) as DeviceCodeProof;
      return Response.json({ device_code: "dc", user_code: "BCDF-GHJK", verification_uri: "http://c/link", verification_uri_complete: "http://c/link?user_code=BCDF-GHJK", expires_in: 60, interval: 5 });
    }
    polls.push(new URLSearchParams(String(init.body)));
    const next = answers.shift()!;
    return Response.json(next.body, { status: next.status });
  }) as typeof fetch;
  return {
    io: { fetch: fetchImpl, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), now: () => t, prompt: () => undefined },
    sleeps,
    polls,
    proof: () => proof,
  };
}

test("polls at the interval, adds 5 s per slow_down, and returns the token once approved", async () => {
  const identity = await generateIdentityKeyPair();
  const s = scripted([
    { status: 400, body: { error: "authorization_pending" } },
    { status: 400, body: { error: "slow_down" } },
    { status: 400, body: { error: "authorization_pending" } },
    { status: 200, body: { access_token: `dbat-${"a".repeat(64)}`, token_type: "Bearer", account_id: "acct_1", device_id: "prv_x" } },
  ]);
  const grant = await deviceLogin("http://c", identity, s.io, "host");
  assert.equal(grant.account_id, "acct_1");
  assert.deepEqual(s.sleeps, [5_000, 5_000, 10_000, 10_000]);
  assert.equal(s.polls[0]?.get("grant_type"), DEVICE_CODE_GRANT_TYPE);
  assert.equal(s.polls[0]?.get("device_code"), "dc");
  const proof = s.proof()!;
  assert.equal(proof.identity_key, encodeBase64(identity.publicKey));
  assert.ok(verifyDeviceCodeRequest(proof), "the request is signed by the identity key");
});

test("denied, expired and unknown answers end the login with a message", async () => {
  const identity = await generateIdentityKeyPair();
  await assert.rejects(deviceLogin("http://c", identity, scripted([{ status: 400, body: { error: "access_denied" } }]).io), (e: Error) => e instanceof DeviceLoginError && /denied/.test(e.message));
  await assert.rejects(deviceLogin("http://c", identity, scripted([{ status: 400, body: { error: "expired_token" } }]).io), /expired/);
  await assert.rejects(deviceLogin("http://c", identity, scripted([{ status: 500, body: "oops" }]).io), /unexpected answer/);
  // The code's own lifetime bounds the wait even if the coordinator keeps saying "pending".
  const pending = Array.from({ length: 20 }, () => ({ status: 400, body: { error: "authorization_pending" } }));
  await assert.rejects(deviceLogin("http://c", identity, scripted(pending).io), /expired/);
});
