import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Router, type Handler } from "./router.js";

const h = (): Handler => () => undefined;

describe("router", () => {
  const exactCapacity = h();
  const modelById = h();
  const keyRotate = h();
  const keyPatch = h();
  const keyDelete = h();
  const router = new Router()
    .get("/v1/models/capacity", exactCapacity)
    .get("/v1/models/*id", modelById)
    .post("/v1/keys/:id/rotate", keyRotate)
    .patch("/v1/keys/:id", keyPatch)
    .delete("/v1/keys/:id", keyDelete);

  it("prefers exact paths over patterns", () => {
    const m = router.match("GET", "/v1/models/capacity");
    assert.equal(m.kind === "found" && m.handler, exactCapacity);
  });

  it("matches a rest parameter containing slashes, percent-decoded", () => {
    const m = router.match("GET", "/v1/models/org/name%3Av1/q4");
    assert.equal(m.kind, "found");
    assert.equal(m.kind === "found" && m.handler, modelById);
    assert.deepEqual(m.kind === "found" && m.params, { id: "org/name:v1/q4" });
    assert.equal(m.kind === "found" && m.route, "/v1/models/*id", "the pattern is logged, not the id");
  });

  it("matches one-segment parameters and answers 405 for the wrong method", () => {
    const r = router.match("POST", "/v1/keys/key_1/rotate");
    assert.deepEqual(r.kind === "found" && r.params, { id: "key_1" });
    assert.equal(router.match("DELETE", "/v1/keys/key_1").kind, "found");
    const wrong = router.match("PUT", "/v1/keys/key_1");
    assert.deepEqual(wrong.kind === "method" && wrong.allowed.sort(), ["DELETE", "PATCH"]);
    assert.equal(router.match("POST", "/v1/keys/a/b/rotate").kind, "none", ":id is one segment");
    assert.equal(router.match("GET", "/v1/models/").kind, "none");
    assert.equal(router.match("GET", "/v1/models/%E0%A4%A").kind, "none", "bad percent-encoding is no match");
  });
});
