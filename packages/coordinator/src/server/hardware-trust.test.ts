import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { signChallenge, type Tpm2Evidence } from "@darkbloom/protocol";
import { generateApiKey } from "../auth/index.js";
import { TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { ScriptedProvider, newProviderKeys, registerFrame, signedAttestation } from "../test-support/scripted-provider.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

/**
 * Hardware trust at registration, against a running coordinator with DARKBLOOM_TPM_CA_DIR set: a
 * provider cannot earn `hardware` with evidence it did not produce for its own attestation, and
 * bad evidence never refuses a registration (it stays `self_signed`, the log says why). The honest
 * path (a real software TPM) is e2e/src/system/tpm.test.ts.
 */
const fixtures = new URL("../../src/trust/hardware/tpm/__fixtures__/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));
// A real swtpm's quote, EK certificate and AK (recorded), over some other subject.
const recorded: Tpm2Evidence = {
  kind: "tpm2",
  ek_cert: fixture("ek.der").toString("base64"),
  ak_public: fixture("ak.pub").toString("base64"),
  quote: fixture("quote.msg").toString("base64"),
  signature: fixture("quote.sig").toString("base64"),
};
const KEY = generateApiKey();
let caDir: string;
let coord: RunningCoordinator;
const logs: string[] = [];

before(async () => {
  caDir = await mkdtemp(join(tmpdir(), "darkbloom-tpm-ca-"));
  await copyFile(new URL("ca.pem", fixtures), join(caDir, "ca.pem"));
  coord = await startCoordinator(
    { port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, providerToken: TEST_PROVIDER_TOKEN, logLevel: "debug", tpmCaDir: caDir },
    { logWrite: (l) => void logs.push(l) },
  );
});

after(async () => {
  await coord?.close();
  await rm(caDir, { recursive: true, force: true });
});

async function registerWith(evidence: Tpm2Evidence | undefined, responseEvidence?: Tpm2Evidence): Promise<{ trust: string; challenged: boolean }> {
  const k = await newProviderKeys();
  const att = await signedAttestation(k, ["hw-model"]);
  const p = await ScriptedProvider.open(coord.url);
  try {
    p.send({ ...registerFrame(att), ...(evidence && { hardware_evidence: evidence }) });
    const challenge = await p.next("attestation_challenge");
    if (responseEvidence) {
      const c = { nonce: challenge.nonce, timestamp: challenge.timestamp };
      p.send({ type: "attestation_response", ...c, signature: signChallenge(c, att.encryption_key, k.identity.secretKey), hardware_evidence: responseEvidence });
    } else await p.answerChallenge(att, k);
    const registered = await p.next("registered");
    return { trust: registered.trust_level, challenged: challenge.hardware_challenge !== undefined };
  } finally {
    await p.close();
  }
}

describe("hardware trust at registration", () => {
  it("a real TPM's recorded quote that is not over this provider's attestation earns only self_signed", async () => {
    assert.deepEqual(await registerWith(recorded), { trust: "self_signed", challenged: false });
    assert.ok(logs.some((l) => l.includes("hardware evidence refused") && l.includes("extraData differs")));
  });

  it("evidence only in the response (no register evidence, no credential activation) earns nothing", async () => {
    assert.deepEqual(await registerWith(undefined, { ...recorded, credential: Buffer.alloc(32).toString("base64") }), { trust: "self_signed", challenged: false });
  });

  it("malformed evidence is refused as such and the provider still registers", async () => {
    assert.deepEqual(await registerWith({ ...recorded, quote: Buffer.from("not a quote").toString("base64") }), { trust: "self_signed", challenged: false });
    assert.ok(logs.some((l) => l.includes("hardware evidence refused") && l.includes("malformed TPM evidence")));
  });

  it("an unusable DARKBLOOM_TPM_CA_DIR stops the start with the variable's name", async () => {
    const empty = await mkdtemp(join(tmpdir(), "darkbloom-tpm-ca-"));
    try {
      const base = { port: 0, databaseUrl: "sqlite::memory:", providerToken: TEST_PROVIDER_TOKEN, logLevel: "silent" } as const;
      await assert.rejects(startCoordinator({ ...base, tpmCaDir: empty }), /DARKBLOOM_TPM_CA_DIR .*no \.pem or \.crt certificate/);
      await assert.rejects(startCoordinator({ ...base, tpmCaDir: join(empty, "missing") }), /DARKBLOOM_TPM_CA_DIR cannot read/);
      await writeFile(join(empty, "bad.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
      await assert.rejects(startCoordinator({ ...base, tpmCaDir: empty }), /DARKBLOOM_TPM_CA_DIR .*bad\.pem/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
