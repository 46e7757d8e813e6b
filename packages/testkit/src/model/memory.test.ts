// Chunked writing: generating the ~275 MB medium model must not need memory proportional to it.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readGgufHeader } from "../gguf/index.js";
import { makeModel } from "./make-model.js";

test("medium model is written in bounded chunks (RSS growth far below file size)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "testkit-mem-"));
  try {
    const base = process.memoryUsage().rss;
    let peak = base;
    let calls = 0;
    const res = await makeModel({
      out: join(dir, "medium.gguf"),
      preset: "medium",
      onProgress: () => {
        calls++;
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    assert.ok(res.bytes > 150e6, `size ${res.bytes}`);
    assert.ok(res.maxBufferBytes <= 1 << 20, `max buffer ${res.maxBufferBytes}`);
    assert.ok(calls > 100, `progress calls ${calls}`);
    const growth = peak - base;
    assert.ok(growth < 64e6, `RSS grew by ${(growth / 1e6).toFixed(1)} MB for a ${(res.bytes / 1e6).toFixed(0)} MB file`);
    const h = await readGgufHeader(res.path);
    assert.equal(h.metadata["llama.block_count"]?.value, res.spec.layers);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
