import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig } from "./load.js";
import { resolveConfig, showConfig } from "./resolve.js";

const FILE = "/cfg/provider.toml";

test("a full provider.toml parses", () => {
  const cfg = parseConfig(
    `coordinator = "https://c.example"
parallel = 2
memory_cap_gb = 8.5
grace_period_s = 10
[[models]]
path = "/m/qwen.gguf"
price = { input_per_million = 100, output_per_million = 300 }
[[models]]
path = "/m/other.gguf"
id = "o"
[[schedule]]
days = ["sat", "sun"]
start = "00:00"
end = "00:00"
`,
    FILE,
  );
  const eff = resolveConfig(cfg, {}, {}, FILE);
  assert.equal(eff.coordinator, "wss://c.example/ws/provider");
  assert.deepEqual(eff.models, [
    { path: "/m/qwen.gguf", id: "qwen", price: { input_per_million: 100, output_per_million: 300 } },
    { path: "/m/other.gguf", id: "o" },
  ]);
  assert.equal(eff.parallel, 2);
  assert.equal(eff.memoryCapGb, 8.5);
  assert.equal(eff.gracePeriodS, 10);
  assert.equal(eff.schedule.length, 1);
});

test("errors name the file and the key", () => {
  const cases: [string, RegExp][] = [
    [`parallel = "4"`, /provider\.toml: parallel: /],
    [`parallel = 0`, /parallel: /],
    [`coordinatr = "x"`, /coordinatr: unknown key/],
    [`[[models]]\npath = "a"\nsize = 1`, /models\[0\]\.size: unknown key/],
    [`[[schedule]]\nstart = "9:00"\nend = "10:00"`, /schedule\[0\]\.start: a local time HH:MM/],
    [`[[schedule]]\ndays = ["monday"]\nstart = "09:00"\nend = "10:00"`, /schedule\[0\]\.days\[0\]/],
    [`parallel = = 3`, /not valid TOML \(line 1, column \d+\)/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseConfig(text, FILE), (e: unknown) => e instanceof ConfigError && re.test(e.message) && e.message.startsWith(FILE), text);
  }
});

test("flags override the file, the environment overrides the file's secrets, and secrets are masked", () => {
  const file = parseConfig(`coordinator = "ws://a:1/ws/provider"\nparallel = 2\ntoken = "file-token-123"\n[[models]]\npath = "/m/a.gguf"\nid = "b"\nprice = { input_per_million = 1, output_per_million = 2 }\n`, FILE);
  const eff = resolveConfig(file, { coordinator: "http://b:2", parallel: 6, modelPath: "/m/b.gguf" }, { DARKBLOOM_PROVIDER_TOKEN: "env-token-456" });
  assert.equal(eff.coordinator, "ws://b:2/ws/provider");
  assert.equal(eff.parallel, 6);
  assert.deepEqual(eff.models, [{ path: "/m/b.gguf", id: "b", price: { input_per_million: 1, output_per_million: 2 } }], "the price for the same id still applies");
  assert.equal(eff.token, "env-token-456");
  assert.equal(resolveConfig(file, { token: "flag-token-789" }, { DARKBLOOM_PROVIDER_TOKEN: "env-token-456" }).token, "flag-token-789");
  assert.equal(resolveConfig(file, {}, {}).token, "file-token-123");
  const shown = JSON.stringify(showConfig(eff));
  assert.doesNotMatch(shown, /env-token-456/);
  assert.match(shown, /\*\*\*\* \(13 chars\)/);
  assert.throws(() => resolveConfig({}, { coordinator: "ftp://x" }, {}), /--coordinator: .*ws, wss, http or https/);
  assert.throws(() => resolveConfig(parseConfig(`coordinator = "nonsense"`, FILE), {}, {}), /^ConfigError: coordinator: |coordinator: /);
});

test("DARKBLOOM_TPM_TCTI is read from the environment and checked", () => {
  assert.equal(resolveConfig({}, {}, {}).tpmTcti, undefined);
  const eff = resolveConfig({}, {}, { DARKBLOOM_TPM_TCTI: "swtpm:host=127.0.0.1,port=2321" });
  assert.equal(eff.tpmTcti, "swtpm:host=127.0.0.1,port=2321");
  assert.equal(showConfig(eff).tpm_tcti, "swtpm:host=127.0.0.1,port=2321");
  assert.throws(() => resolveConfig({}, {}, { DARKBLOOM_TPM_TCTI: "-T device" }), /DARKBLOOM_TPM_TCTI: a tpm2-tools TCTI/);
});
