import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeBase64 } from "@darkbloom/protocol";
import { credentialFile } from "./credential-file.js";
import { TctiSchema, TpmToolError } from "./tcti.js";
import { runTpm2 } from "./tools.js";

test("DARKBLOOM_TPM_TCTI takes tpm2-tools TCTI strings and nothing that could smuggle arguments", () => {
  for (const ok of ["device:/dev/tpmrm0", "swtpm:host=127.0.0.1,port=2321", "tabrmd", "mssim:host=localhost,port=2321"]) assert.equal(TctiSchema.safeParse(ok).success, true, ok);
  for (const bad of ["", "device /dev/tpm0", "-T device", "foo:bar", "swtpm:host=a\nport=1"]) assert.equal(TctiSchema.safeParse(bad).success, false, bad);
});

test("the credential file is what tpm2_activatecredential reads: magic, version 1, id object, secret", () => {
  const file = credentialFile({ kind: "tpm2", id_object: encodeBase64(Uint8Array.of(0, 2, 9, 9)), encrypted_secret: encodeBase64(Uint8Array.of(0, 1, 7)) });
  assert.deepEqual([...file], [0xba, 0xdc, 0xc0, 0xde, 0, 0, 0, 1, 0, 2, 9, 9, 0, 1, 7]);
});

test("a missing tpm2-tools binary is a clear error that says what to install", async () => {
  await assert.rejects(runTpm2("tpm2_definitely_not_installed", [], "swtpm:host=127.0.0.1,port=1", "/"), (err: unknown) => {
    assert.ok(err instanceof TpmToolError);
    assert.match(err.message, /tpm2_definitely_not_installed not found: install tpm2-tools \(Debian\/Ubuntu: apt-get install tpm2-tools\), or unset DARKBLOOM_TPM_TCTI/);
    return true;
  });
});
