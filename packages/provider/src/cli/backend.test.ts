import assert from "node:assert/strict";
import { test } from "node:test";
import { backendOf } from "./backend.js";

test("the backend is the GPU type when layers are offloaded, else cpu", () => {
  assert.equal(backendOf(false, 0), "cpu");
  assert.equal(backendOf("metal", 33), "metal");
  assert.equal(backendOf("cuda", 1), "cuda");
  assert.equal(backendOf("vulkan", 12), "vulkan");
  assert.equal(backendOf("metal", 0), "cpu");
});
