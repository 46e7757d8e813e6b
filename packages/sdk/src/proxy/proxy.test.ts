import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, beforeEach, test } from "node:test";
import { coordinatorRoot, startPrivateProxy, type PrivateProxy } from "./index.js";
import { hostAllowed } from "./request.js";
import { makeProvider, REPLY_WORDS, sseReply, startFakeCoordinator, type FakeCoordinator } from "../testing/fake-coordinator.js";

const SECRET = "the proxy's secret prompt";
let fake: FakeCoordinator;
let proxy: PrivateProxy;

before(async () => {
  fake = await startFakeCoordinator(await Promise.all(["p1", "p2"].map((id) => makeProvider(id))));
  proxy = await startPrivateProxy({ coordinator: fake.baseURL, apiKey: "sk-db-test", port: 0, maxBodyBytes: 4096 });
});
after(async () => {
  await proxy.close();
  await fake.close();
});
beforeEach(() => {
  fake.behaviour = "ok";
  fake.sealedRequests.length = 0;
  fake.opened.length = 0;
  delete fake.gate;
});

const chatBody = (stream: boolean) => JSON.stringify({ model: "test-model", stream, max_tokens: 16, messages: [{ role: "user", content: SECRET }] });

test("coordinatorRoot accepts the root, the API root and the provider socket URL", () => {
  assert.equal(coordinatorRoot("http://h:8080"), "http://h:8080");
  assert.equal(coordinatorRoot("http://h:8080/v1/"), "http://h:8080");
  assert.equal(coordinatorRoot("ws://h:8080/ws/provider"), "http://h:8080");
  assert.throws(() => coordinatorRoot("ftp://h"), /http/);
});

test("non-stream chat: sealed upstream without the client sending a key, decrypted reply", async () => {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: chatBody(false) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-darkbloom-privacy"), "e2e");
  const body = (await res.json()) as { choices: { message: { content: string } }[] };
  assert.equal(body.choices[0]!.message.content, REPLY_WORDS.join(""));
  const sent = fake.sealedRequests[0]!;
  assert.equal(sent.raw.includes(SECRET), false, "the prompt never travelled in clear");
  assert.equal(sent.headers.authorization, "Bearer sk-db-test", "the proxy's key, not the client's");
});

test("a client's own (wrong) key is replaced by the proxy's", async () => {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer sk-wrong", "x-api-key": "sk-wrong" }, body: chatBody(false) });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
});

test("stream: each unsealed chunk reaches the client before the upstream stream has finished", async () => {
  let release!: () => void;
  fake.gate = new Promise<void>((r) => (release = r));
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let got = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        got += d;
        // The first event arrived while the fake still holds the rest: nothing was buffered.
        if (got.includes("Hello") && !got.includes("[DONE]")) release();
      });
      res.on("end", () => resolve(got));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("no complete answer within 10 s")));
    req.end(chatBody(true));
  });
  assert.equal(text, sseReply(REPLY_WORDS).join(""));
});

test("GET /v1/models passes through with the proxy's key", async () => {
  const res = await fetch(`${proxy.url}/v1/models`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { object: "list", data: [{ id: "test-model" }] });
});

test("a body over the limit is refused with 413 in the family's shape", async () => {
  const big = JSON.stringify({ model: "test-model", messages: [{ role: "user", content: "x".repeat(5000) }] });
  const openai = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", body: big });
  assert.equal(openai.status, 413);
  assert.equal(((await openai.json()) as { error: { code: string } }).error.code, "request_too_large");
  const anthropic = await fetch(`${proxy.url}/v1/messages`, { method: "POST", body: big });
  assert.equal(anthropic.status, 413);
  assert.deepEqual(await anthropic.json(), { type: "error", error: { type: "invalid_request_error", message: "Request body exceeds 4096 bytes." } });
  assert.equal(fake.sealedRequests.length, 0);
});

test("methods other than inference POSTs and GETs are not forwarded with the held key", async () => {
  const res = await fetch(`${proxy.url}/v1/keys`, { method: "POST", body: "{}" });
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, "not_found");
});

test("requests addressed to a non-loopback name are refused (DNS rebinding)", async () => {
  assert.equal(hostAllowed("localhost:8090", "127.0.0.1"), true);
  assert.equal(hostAllowed("127.0.0.1:8090", "127.0.0.1"), true);
  assert.equal(hostAllowed("[::1]:8090", "127.0.0.1"), true);
  assert.equal(hostAllowed("evil.example:8090", "127.0.0.1"), false);
  assert.equal(hostAllowed(undefined, "127.0.0.1"), false);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${proxy.url}/v1/models`, { headers: { host: "evil.example" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(status, 403);
});

test("errors from the coordinator pass through with their status", async () => {
  fake.behaviour = "http-error";
  const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", body: chatBody(false) });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3");
  await res.arrayBuffer();
});

test("a proxy pinned to identities nobody offers answers 503 e2e_no_trusted_provider and sends nothing", async () => {
  const other = await makeProvider("other");
  const pinned = await startPrivateProxy({ coordinator: fake.baseURL, apiKey: "sk-db-test", port: 0, pinnedIdentityKeys: [other.entry.attestation.identity_key] });
  try {
    const res = await fetch(`${pinned.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: chatBody(false) });
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "e2e_no_trusted_provider");
    assert.match(body.error.message, /2 not_pinned/);
    assert.equal(fake.sealedRequests.length, 0);
  } finally {
    await pinned.close();
  }
});
