import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { ensureTestModel, repoRoot, startCoordinator, startProvider, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

// What a newcomer does after `npm start`: install the SDK from the checkout into a fresh directory
// outside the repo and run the printed Node example (scripts/examples.mjs renders both the banner
// and what runs here). The banner says `npm install ./protocol.tgz ./sdk.tgz openai`, which fetches
// `openai` and the protocol's dependencies from the registry. To run offline, this test packs those
// same packages from the repo's node_modules (the versions the lockfile pins) and runs
// `npm install --offline` on all the tarballs: the @darkbloom packages are the real `npm pack`
// output, installed by npm, and nothing resolves back into the checkout.

interface Examples {
  EXAMPLE_MAX_TOKENS: number;
  sdkTarballs(root: string): string[];
  curlExample(o: { origin: string; apiKey: string; model: string }): string;
  nodeExample(o: { origin: string; apiKey: string; model: string }): string;
}

const MODEL = "tiny-chat";
const root = realpathSync(repoRoot);

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, npm_config_update_notifier: "false" } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Where `name` resolves from `fromDir`, node_modules lookup style. */
function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (from ${fromDir})`);
  }
}

/** `names` and their runtime dependencies, as installed in the repo. */
function dependencyClosure(names: string[], fromDir: string): string[] {
  const seen = new Map<string, string>();
  const visit = (name: string, from: string) => {
    if (seen.has(name) || name.startsWith("@darkbloom/")) return;
    const dir = packageDir(name, from);
    seen.set(name, dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir);
  };
  for (const n of names) visit(n, fromDir);
  return [...seen.values()];
}

describe("newcomer: the printed Node example runs outside the checkout", () => {
  let coord: RunningCoordinator;
  let provider: RunningProvider;
  let dir: string;

  before(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "darkbloom-newcomer-")));
    assert.ok(relative(root, dir).startsWith(".."), `${dir} must be outside ${root}`);
    coord = await startCoordinator();
    provider = await startProvider(coord, { modelPath: await ensureTestModel({ preset: "tiny" }), modelId: MODEL });
  });

  after(async () => {
    await provider?.stop();
    await stopAndAuditLedger(coord);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let examples: Examples;
  let tarballs: string[] = [];

  test("the printed examples cap max_tokens", async () => {
    examples = (await import(pathToFileURL(join(root, "scripts/examples.mjs")).href)) as Examples;
    const shown = { origin: coord.origin, apiKey: coord.apiKey, model: MODEL };
    assert.match(examples.curlExample(shown), new RegExp(`"max_tokens":${examples.EXAMPLE_MAX_TOKENS}`));
    assert.match(examples.nodeExample(shown), new RegExp(`max_tokens: ${examples.EXAMPLE_MAX_TOKENS},`));
  });

  test("npm pack makes the tarballs the banner installs", async () => {
    const protocolDir = join(root, "packages/protocol");
    const protocolDeps = (JSON.parse(readFileSync(join(protocolDir, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies;
    const thirdParty = dependencyClosure(["openai", ...Object.keys(protocolDeps)], protocolDir);
    const packed = await run("npm", ["pack", "--ignore-scripts", "--silent", protocolDir, join(root, "packages/sdk"), ...thirdParty], dir, 120_000);
    tarballs = packed.stdout.trim().split("\n").map((l) => l.trim()).filter((l) => l.endsWith(".tgz"));
    for (const t of examples.sdkTarballs(root)) assert.ok(tarballs.includes(t), `npm pack made ${t} (the name the banner installs)`);
  });

  test("npm install puts the SDK and openai in the new directory", async () => {
    assert.ok(tarballs.length > 2, "packed");
    await run("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", ...tarballs.map((t) => `./${t}`)], dir, 180_000);
    for (const p of ["@darkbloom/sdk", "@darkbloom/protocol", "openai"]) {
      const installed = join(dir, "node_modules", p);
      assert.ok(existsSync(join(installed, "package.json")) && !lstatSync(installed).isSymbolicLink(), `${p} is installed in the new directory`);
    }
  });

  test("node hello.mjs streams a completion end to end and exits", async () => {
    writeFileSync(join(dir, "hello.mjs"), examples.nodeExample({ origin: coord.origin, apiKey: coord.apiKey, model: MODEL }));
    const { stdout } = await run(process.execPath, ["hello.mjs"], dir, 120_000);
    assert.ok(stdout.trim().length > 0, "the example printed the completion");
  });
});
