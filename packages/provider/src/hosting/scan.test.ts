import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { test } from "node:test";
import { ensureTestModel } from "@darkbloom/testkit";
import { scanModel, quantizationName } from "./scan.js";

test("scan reads the header only: size, weight type, context, KV estimate and a passing template check", async () => {
  const path = await ensureTestModel({ preset: "tiny" });
  const m = await scanModel({ id: "tiny", path }, 4);
  assert.deepEqual(m.description, { id: "tiny", size_bytes: (await stat(path)).size, quantization: "F16", context_length: 2048, template_render_ok: true });
  // tiny: 2 layers, 128 embd, 2 heads, 1 KV head, 2048 × 4 cells, f16.
  assert.equal(m.kvBytes, 2 * 2 * 2048 * 4 * 1 * 64 * 2);
  assert.equal(m.preload, true);
});

test("a model whose chat template does not render is offered with template_render_ok=false", async () => {
  const path = await ensureTestModel({ preset: "tiny-bad-template" });
  const m = await scanModel({ id: "broken", path, preload: false }, 4);
  assert.equal(m.description.template_render_ok, false);
  assert.equal(m.preload, false);
});

test("scan refuses a missing file or a non-GGUF with a clear message", async () => {
  await assert.rejects(scanModel({ id: "x", path: "/nonexistent/x.gguf" }, 1), /does not exist or is unreadable/);
  await assert.rejects(scanModel({ id: "x", path: new URL(import.meta.url).pathname }, 1), /not a readable GGUF/);
  assert.equal(quantizationName(15), "Q4_K_M");
  assert.equal(quantizationName(undefined), "unknown");
});
