import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import type { ProviderKeysResponse } from "@darkbloom/protocol";
import { ensureTestModel, repoRoot, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";
import { makeTestCa, startSwtpm, tpmSkipReason, type RunningSwtpm, type TestCa } from "../support/swtpm.js";

/**
 * Trust level `hardware` through real processes and a real (software) TPM: swtpm manufactured with
 * an EK certificate from a CA this test creates, a provider quoting its attestation with
 * tpm2-tools (DARKBLOOM_TPM_TCTI), and a coordinator trusting that CA (DARKBLOOM_TPM_CA_DIR). The
 * same provider against a coordinator that trusts another CA stays `self_signed`. This proves the
 * plumbing (quote, EK chain, credential activation), not a manufacturer's TPM.
 */
const MODEL = "tpm-model";
const skip = tpmSkipReason();
let work: string;
let tpmCa: TestCa;
let otherCa: TestCa;
let swtpm: RunningSwtpm | undefined;
let modelPath: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "darkbloom-tpm-test-"));
  tpmCa = await makeTestCa(join(work, "tpm-ca"));
  otherCa = await makeTestCa(join(work, "other-ca"));
  swtpm = await startSwtpm(tpmCa);
  modelPath = await ensureTestModel({ preset: "tiny" });
});

after(async () => {
  await swtpm?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function trustLevels(coord: RunningCoordinator): Promise<string[]> {
  const res = await fetch(`${coord.baseURL}/providers/keys?model=${MODEL}`, { headers: { authorization: `Bearer ${coord.apiKey}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as ProviderKeysResponse).keys.map((k) => k.trust_level);
}

async function chatTrustLevel(coord: RunningCoordinator): Promise<string | null> {
  const client = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
  const { data, response } = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 3 }).withResponse();
  assert.equal(data.usage?.completion_tokens, 3);
  return response.headers.get("x-provider-trust-level");
}

const RELEASE_TOKEN = "tpm-test-release-token-0123456789";

/** Registers this checkout's provider package as a release (what CI does with `npm run release:hash`). */
async function registerRelease(coord: RunningCoordinator): Promise<void> {
  const body = execFileSync(process.execPath, [join(repoRoot, "scripts/release-hash.mjs")], { encoding: "utf8", timeout: 60_000 });
  const res = await fetch(`${coord.baseURL}/releases`, { method: "POST", headers: { authorization: `Bearer ${RELEASE_TOKEN}`, "content-type": "application/json" }, body });
  assert.equal(res.status, 201, await res.text());
}

/**
 * Runs a coordinator trusting `ca` and a TPM-backed provider; returns what they saw. Only a
 * registered release can be `hardware` (an unknown package stays `self_signed` at most), so the
 * provider's package is registered first unless `release` is false.
 */
async function withTpmProvider<T>(ca: TestCa, check: (coord: RunningCoordinator, provider: RunningProvider) => Promise<T>, release = true): Promise<T> {
  let coord: RunningCoordinator | undefined;
  let provider: RunningProvider | undefined;
  try {
    coord = await startCoordinator({ env: { DARKBLOOM_TPM_CA_DIR: ca.certDir, DARKBLOOM_RELEASE_TOKEN: RELEASE_TOKEN } });
    if (release) await registerRelease(coord);
    provider = await startProvider(coord, { modelPath, modelId: MODEL, parallel: 1, env: { DARKBLOOM_TPM_TCTI: swtpm!.tcti } });
    return await check(coord, provider);
  } finally {
    await provider?.stop();
    await stopAndAuditLedger(coord);
  }
}

describe("TPM 2.0 hardware trust through real processes", { skip }, () => {
  test("a provider whose TPM's EK chains to the configured CA is trusted `hardware` and serves requests", async () => {
    await withTpmProvider(tpmCa, async (coord, provider) => {
      assert.deepEqual(await trustLevels(coord), ["hardware"]);
      assert.equal(await chatTrustLevel(coord), "hardware");
      const log = coord.proc.output();
      assert.match(log, /"hardware proof verified"/);
      assert.match(log.split("\n").find((l) => l.includes('"provider registered"')) ?? "", /"trust_level":"hardware"/);
      await waitFor("the provider to log its trust level", async () => /"trust_level":"hardware"/.test(provider.proc.output()), 10_000, [provider.proc]);
    });
  });

  test("against a coordinator that trusts another CA the same TPM earns only `self_signed` (and still serves)", async () => {
    await withTpmProvider(otherCa, async (coord) => {
      assert.deepEqual(await trustLevels(coord), ["self_signed"]);
      assert.equal(await chatTrustLevel(coord), "self_signed");
      const refused = coord.proc.output().split("\n").find((l) => l.includes('"hardware evidence refused'));
      assert.ok(refused, "the coordinator logged why");
      assert.match(refused, /not issued by a configured TPM CA/);
    });
  });

  test("a valid TPM on a package that is not a registered release earns only `self_signed`", async () => {
    await withTpmProvider(
      tpmCa,
      async (coord) => {
        assert.deepEqual(await trustLevels(coord), ["self_signed"]);
        assert.match(coord.proc.output().split("\n").find((l) => l.includes('"provider registered"')) ?? "", /"known_release":false/);
      },
      false,
    );
  });
});
