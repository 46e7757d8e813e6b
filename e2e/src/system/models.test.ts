import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { aggregateSha256, type ModelFile } from "@darkbloom/protocol";
import {
  ensureTestModel,
  repoRoot,
  spawnNode,
  spawnProvider,
  startCoordinator,
  startFileServer,
  startProvider,
  type RunningCoordinator,
  type RunningFileServer,
} from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const ADMIN = "admin-token-for-models-0123456789";
const MODEL = "org/tiny-catalog";
const FILE = `/${MODEL}/1/tiny.gguf`;
const bin = join(repoRoot, "packages/provider/bin/darkbloom.js");

/**
 * The operator's model path with real processes: an admin registers a manifest on a coordinator,
 * `darkbloom models download` fetches it (resuming after the file server cuts the connection),
 * `darkbloom start --model <catalog id>` serves it, verify catches tampering, remove deletes it.
 */
describe("catalog models end to end", () => {
  let coord: RunningCoordinator;
  let files: RunningFileServer;
  let modelsDir: string;

  before(async () => {
    const source = await ensureTestModel({ preset: "tiny" });
    const served = await mkdtemp(join(tmpdir(), "darkbloom-e2e-served-"));
    await mkdir(join(served, MODEL, "1"), { recursive: true });
    await copyFile(source, join(served, FILE));
    files = await startFileServer(served);
    modelsDir = await mkdtemp(join(tmpdir(), "darkbloom-e2e-models-"));
    coord = await startCoordinator({ env: { DARKBLOOM_ADMIN_TOKEN: ADMIN, DARKBLOOM_MODEL_BASE_URL: files.origin } });
    const bytes = await readFile(source);
    const { createHash } = await import("node:crypto");
    const list: ModelFile[] = [{ path: "tiny.gguf", size_bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), role: "weights" }];
    const res = await fetch(`${coord.origin}/v1/admin/models/register`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ schema_version: 1, model_id: MODEL, version: "1", files: list, aggregate_sha256: aggregateSha256(list), total_size_bytes: bytes.length }),
    });
    assert.equal(res.status, 201, await res.text());
  });

  after(async () => {
    await files?.close();
    await stopAndAuditLedger(coord);
  });

  /** Runs the built bin to its exit (bounded). */
  async function darkbloom(...args: string[]): Promise<{ code: number | null; output: string }> {
    const proc = spawnNode(bin, args, { DARKBLOOM_MODELS_DIR: modelsDir }, "darkbloom");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`darkbloom ${args.join(" ")} did not exit:\n${proc.output()}`)), 120_000);
    });
    try {
      const code = await Promise.race([proc.exited, deadline]);
      return { code, output: proc.output() };
    } finally {
      clearTimeout(timer);
      await proc.kill();
    }
  }

  test("catalog, resumable download, start --model <id> serves it, verify, remove", async () => {
    const catalog = await darkbloom("models", "catalog", "--coordinator", coord.origin);
    assert.equal(catalog.code, 0, catalog.output);
    assert.match(catalog.output, new RegExp(`${MODEL}\\s+version 1`));

    const size = (await stat(join(await ensureTestModel({ preset: "tiny" })))).size;
    const seen = files.requests.length;
    files.cutNext(FILE, Math.floor(size / 2));
    const download = await darkbloom("models", "download", MODEL, "--coordinator", coord.origin);
    assert.equal(download.code, 0, download.output);
    assert.match(download.output, /resuming from byte \d+/);
    assert.match(download.output, /downloaded org\/tiny-catalog@1 \(verified\)/);
    assert.match(download.output, new RegExp(`${MODEL}@1: 100% `)); // plain progress lines (not a TTY)
    assert.deepEqual(files.requests.slice(seen).map((r) => r.status), [200, 206]);

    const listed = await darkbloom("models", "list");
    assert.match(listed.output, new RegExp(`${MODEL}\\s+version 1`));
    assert.equal((await darkbloom("models", "verify", MODEL)).code, 0);

    const provider = await startProvider(coord, { modelPath: MODEL, modelId: MODEL, env: { DARKBLOOM_MODELS_DIR: modelsDir } });
    try {
      const client = new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey });
      const reply = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hello" }], max_tokens: 4 });
      assert.equal(reply.model, MODEL);
      assert.ok((reply.usage?.completion_tokens ?? 0) > 0);
    } finally {
      await provider.stop();
    }

    const weights = join(modelsDir, encodeURIComponent(MODEL), "tiny.gguf");
    const bytes = await readFile(weights);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(weights, bytes);
    const verify = await darkbloom("models", "verify");
    assert.equal(verify.code, 1, verify.output);
    assert.match(verify.output, /FAILED[\s\S]*tiny\.gguf: SHA-256 [0-9a-f]{64}, the manifest says/);

    const removed = await darkbloom("models", "remove", MODEL);
    assert.equal(removed.code, 0, removed.output);
    assert.match((await darkbloom("models", "list")).output, /no models downloaded/);

    const missing = await spawnProvider(coord, { modelPath: MODEL, modelId: MODEL, env: { DARKBLOOM_MODELS_DIR: modelsDir } });
    const code = await Promise.race([missing.exited, new Promise((r) => setTimeout(() => r("timeout"), 60_000))]);
    assert.equal(code, 1, missing.output());
    assert.match(missing.output(), /run `darkbloom models download org\/tiny-catalog`/);
  });

  test("--help of models and each of its commands", async () => {
    const top = await darkbloom("--help");
    assert.match(top.output, /darkbloom models catalog\|download ID\|list\|remove ID\|verify \[ID\]/);
    const models = await darkbloom("models", "--help");
    assert.equal(models.code, 0);
    for (const sub of ["catalog", "download", "list", "remove", "verify"]) {
      assert.match(models.output, new RegExp(`^  ${sub}`, "m"));
      const help = await darkbloom("models", sub, "--help");
      assert.equal(help.code, 0, help.output);
      assert.match(help.output, new RegExp(`usage: darkbloom models ${sub}`));
    }
    const bad = await darkbloom("models", "download");
    assert.equal(bad.code, 2);
    assert.match(bad.output, /expected ID/);
    assert.equal((await darkbloom("models", "frobnicate")).code, 2);
  });
});
