import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import { ensureTestModel } from "@darkbloom/testkit";

const bin = fileURLToPath(new URL("../../../bin/darkbloom.js", import.meta.url));

interface Row {
  name: string;
  status: string;
  detail: string;
  fix?: string;
}

test("darkbloom doctor (built bin) catches a broken model file and a world-readable identity key", async () => {
  const root = await mkdtemp(join(tmpdir(), "darkbloom-doctor-"));
  const config = join(root, "config");
  const models = join(root, "models");
  await mkdir(config, { mode: 0o700 });
  await mkdir(models);
  await writeFile(join(config, "identity.json"), JSON.stringify({ version: 1, public_key: "AAAA", secret_key: "BBBB" }), { mode: 0o644 });
  await chmod(join(config, "identity.json"), 0o644);
  const good = join(models, "good.gguf");
  await copyFile(await ensureTestModel({ preset: "tiny" }), good);
  const broken = join(models, "broken.gguf");
  await writeFile(broken, Buffer.from("this is not a GGUF file at all"));
  // A coordinator's /health, to check reachability and the protocol version.
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", providers: 0, protocol_version: PROTOCOL_VERSION })));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const env = { ...process.env, DARKBLOOM_CONFIG_DIR: config, DARKBLOOM_MODELS_DIR: models };
    // spawnSync would block the event loop serving /health: run the bin asynchronously.
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [bin, "doctor", "--json", "--coordinator", url], { env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 1, "a failed check exits 1");
    const { ok, checks } = JSON.parse(out) as { ok: boolean; checks: Row[] };
    assert.equal(ok, false);
    const by = (name: string) => checks.find((c) => c.name === name);
    assert.equal(by("identity key")?.status, "fail");
    assert.equal(by("identity key")?.fix, `chmod 600 ${join(config, "identity.json")}`);
    assert.equal(by("model broken")?.status, "fail");
    assert.match(by("model broken")?.fix ?? "", /re-download/);
    assert.equal(by("model good")?.status, "pass");
    assert.equal(by("template good")?.status, "pass");
    assert.equal(by("coordinator")?.status, "pass");
    assert.match(by("coordinator")?.detail ?? "", new RegExp(`protocol v${PROTOCOL_VERSION}`));
    assert.notEqual(by("engine")?.status, "fail");

    // Fixed: the table passes (exit 0).
    await chmod(join(config, "identity.json"), 0o600);
    const fixed = spawnSync(process.execPath, [bin, "doctor", "--model", good], { env, encoding: "utf8", timeout: 60_000 });
    assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stdout, /^PASS\s+identity key/m);
    assert.match(fixed.stdout, /^PASS\s+model good/m);
  } finally {
    server.close();
  }
});

test("darkbloom doctor --help prints its usage", () => {
  const r = spawnSync(process.execPath, [bin, "doctor", "--help"], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: darkbloom doctor/);
});
