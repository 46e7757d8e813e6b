import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { aggregateSha256 } from "./aggregate.js";
import { CatalogEntrySchema, ModelManifestSchema, modelFileUrl, type ModelFile } from "./manifest.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function manifest(files: ModelFile[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: 1,
    model_id: "org/tiny",
    version: "1",
    files,
    aggregate_sha256: aggregateSha256(files),
    total_size_bytes: files.reduce((n, f) => n + f.size_bytes, 0),
    ...over,
  };
}

const weights: ModelFile = { path: "tiny.gguf", size_bytes: 10, sha256: sha("w"), role: "weights" };
const tok: ModelFile = { path: "extra/tokenizer.json", size_bytes: 5, sha256: sha("t"), role: "tokenizer" };

describe("model manifests", () => {
  it("aggregate_sha256 is SHA-256 over the sorted `path\\0sha256\\n` lines", () => {
    const expected = createHash("sha256").update(`extra/tokenizer.json\0${tok.sha256}\ntiny.gguf\0${weights.sha256}\n`).digest("hex");
    assert.equal(aggregateSha256([weights, tok]), expected);
    assert.equal(aggregateSha256([tok, weights]), expected);
  });

  it("accepts a consistent manifest", () => {
    assert.equal(ModelManifestSchema.safeParse(manifest([weights, tok])).success, true);
  });

  it("refuses inconsistent or unsafe manifests", () => {
    const bad: Record<string, unknown>[] = [
      manifest([weights, tok], { aggregate_sha256: sha("other") }),
      manifest([weights, tok], { total_size_bytes: 14 }),
      manifest([tok]),
      manifest([weights, { ...weights, role: "weights", path: "b.gguf" }]),
      manifest([weights, { ...weights }]),
      manifest([{ ...weights, path: "../etc/passwd" }]),
      manifest([{ ...weights, path: "/abs.gguf" }]),
      manifest([weights], { model_id: "../up" }),
      manifest([{ ...weights, sha256: "ABC" }]),
      manifest([weights], { schema_version: 2 }),
      manifest([weights], { base_url: "file:///etc" }),
      manifest([weights], { extra: 1 }),
    ];
    for (const m of bad) assert.equal(ModelManifestSchema.safeParse(m).success, false, JSON.stringify(m));
  });

  it("catalog entries keep the checks and build file URLs", () => {
    const entry = { ...manifest([weights]), base_url: "http://h/models/x", registered_at: 1 };
    assert.equal(CatalogEntrySchema.safeParse(entry).success, true);
    assert.equal(CatalogEntrySchema.safeParse({ ...entry, total_size_bytes: 3 }).success, false);
    assert.equal(modelFileUrl("http://h/models/x", "a/b c.gguf"), "http://h/models/x/a/b%20c.gguf");
    assert.equal(modelFileUrl("http://h/models/x/", "t.gguf"), "http://h/models/x/t.gguf");
  });
});
