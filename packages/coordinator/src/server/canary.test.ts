import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { e2eChat } from "../test-support/e2e-client.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Privacy canary: unique strings in the prompt and in the completion must never reach the
 * coordinator's logs or its database files, in e2e mode (where it cannot even read them) and in
 * coordinator-sealed mode (where it holds them only in memory).
 */
const PROMPT_CANARY = `canary-prompt-${randomBytes(8).toString("hex")}`;
const REPLY_CANARY = `canary-reply-${randomBytes(8).toString("hex")}`;
const KEY = generateApiKey();
const dir = mkdtempSync(join(tmpdir(), "darkbloom-canary-"));
const logs: string[] = [];
let coord: RunningCoordinator;
let provider: FakeProvider;

before(async () => {
  coord = await startCoordinator(
    { providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: join(dir, "c.db"), bootstrapApiKey: KEY, bootstrapCreditUsd: 5, logLevel: "debug" },
    { logWrite: (l) => void logs.push(l) },
  );
  provider = await FakeProvider.connect(coord.url, { models: ["tiny"], pieces: ["ok ", REPLY_CANARY] });
});

after(async () => {
  await provider.close();
  await coord.close();
  rmSync(dir, { recursive: true, force: true });
});

function dbBytes(): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f)).toString("latin1"))
    .join("\n");
}

function assertNoCanary(where: string, text: string): void {
  assert.ok(!text.includes(PROMPT_CANARY), `prompt canary leaked into ${where}`);
  assert.ok(!text.includes(REPLY_CANARY), `reply canary leaked into ${where}`);
}

describe("privacy canary", () => {
  it("e2e: neither logs nor the database ever see prompt or completion text", async () => {
    const messages = [{ role: "user", content: `please repeat ${PROMPT_CANARY}` }];
    const s = await e2eChat(coord.url, KEY, { model: "tiny", stream: true, messages });
    const n = await e2eChat(coord.url, KEY, { model: "tiny", messages });
    assert.ok(s.plaintext.includes(REPLY_CANARY), "the client did receive the reply");
    assert.ok(n.plaintext.includes(REPLY_CANARY));
    assertNoCanary("the e2e wire", s.raw + n.raw);
    assert.ok(logs.some((l) => l.includes('"privacy":"e2e"')), "requests were logged");
    assertNoCanary("logs", logs.join(""));
    assertNoCanary("database files", dbBytes());
  });

  it("coordinator-sealed: plaintext stays in memory only", async () => {
    const r = await fetch(`${coord.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: "tiny", stream: true, messages: [{ role: "user", content: PROMPT_CANARY }] }),
    });
    assert.ok((await r.text()).includes(REPLY_CANARY));
    assertNoCanary("logs", logs.join(""));
    assertNoCanary("database files", dbBytes());
  });

  it("after shutdown the database files still hold no canary", async () => {
    await provider.close();
    await coord.close();
    assertNoCanary("database files", dbBytes());
    assertNoCanary("logs", logs.join(""));
  });
});
