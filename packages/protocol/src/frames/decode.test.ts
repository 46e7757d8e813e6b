import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_FRAME_BYTES } from "../version.js";
import { FrameError, decodeCoordinatorFrame, decodeProviderFrame, encodeFrame } from "./decode.js";
import type { HeartbeatFrame } from "./provider-frames.js";

const heartbeat: HeartbeatFrame = {
  type: "heartbeat",
  status: "idle",
  active_models: ["m"],
  backend_capacity: {
    slots: [
      {
        model: "m",
        state: "idle",
        num_running: 0,
        num_waiting: 0,
        max_concurrency: 4,
        observed_decode_tps: 0,
        observed_prefill_tps: 0,
        active_token_budget_used: 0,
        active_token_budget_max: 8192,
        queued_token_budget: 0,
      },
    ],
  },
};

test("round-trips a heartbeat frame", () => {
  assert.deepEqual(decodeProviderFrame(encodeFrame(heartbeat)), heartbeat);
});

test("decodes a chunk frame and a cancel frame", () => {
  const chunk = { type: "inference_chunk", request_id: "r1", tokens: 3, chunk: { kid: "k", seq: 0, final: false, salt: "AAAA", ct: "AAAA" } };
  assert.deepEqual(decodeProviderFrame(JSON.stringify(chunk)), chunk);
  const cancel = { type: "cancel", request_id: "r1", reason: "client gone" };
  assert.deepEqual(decodeCoordinatorFrame(Buffer.from(JSON.stringify(cancel))), cancel);
});

test("rejects unknown types, including prototype keys, without echoing the payload", () => {
  for (const type of ["nope", "__proto__", "constructor", "toString"]) {
    assert.throws(() => decodeProviderFrame(JSON.stringify({ type, secret: "PAYLOAD" })), (e: unknown) => {
      return e instanceof FrameError && /unknown frame type/.test(e.message) && !e.message.includes("PAYLOAD");
    });
  }
});

test("a provider may not send coordinator frames and vice versa", () => {
  assert.throws(() => decodeProviderFrame(JSON.stringify({ type: "cancel", request_id: "r", reason: "x" })), FrameError);
  assert.throws(() => decodeCoordinatorFrame(encodeFrame(heartbeat)), FrameError);
});

test("rejects malformed JSON, non-objects, missing type and invalid payloads", () => {
  assert.throws(() => decodeProviderFrame("{"), /not valid JSON/);
  assert.throws(() => decodeProviderFrame("[1]"), /not a JSON object/);
  assert.throws(() => decodeProviderFrame('{"x":1}'), /no string `type`/);
  const bad = { ...heartbeat, backend_capacity: { slots: [{ ...heartbeat.backend_capacity.slots[0], num_running: -1 }] } };
  assert.throws(() => decodeProviderFrame(JSON.stringify(bad)), /invalid heartbeat frame: backend_capacity.slots.0.num_running/);
});

test("rejects frames over the size limit before parsing", () => {
  const huge = "x".repeat(MAX_FRAME_BYTES + 1);
  assert.throws(() => decodeProviderFrame(huge), /exceeds/);
});

test("an inference_error may name the refused parameter (optional, bounded)", () => {
  const err = { type: "inference_error", request_id: "r", code: "bad_request", message: "images are not supported", retryable: false };
  assert.equal(decodeProviderFrame(JSON.stringify(err)).type, "inference_error");
  const named = decodeProviderFrame(JSON.stringify({ ...err, param: "messages.0.content.1" }));
  assert.equal(named.type === "inference_error" ? named.param : undefined, "messages.0.content.1");
  assert.throws(() => decodeProviderFrame(JSON.stringify({ ...err, param: "p".repeat(129) })), /param/);
});

test("decodes trust_status with named gates and rejects an unnamed gate", () => {
  const frame = {
    type: "trust_status",
    trust_level: "self_signed",
    routable: false,
    gates: [{ name: "circuit_open", model: "m", until: 1_700_000_060_000, detail: "5 consecutive failures" }],
  };
  assert.deepEqual(decodeCoordinatorFrame(JSON.stringify(frame)), frame);
  const bad = { ...frame, gates: [{ name: "", detail: "x" }] };
  assert.throws(() => decodeCoordinatorFrame(JSON.stringify(bad)), FrameError);
});

test("model load frames: load_model/unload_model go to providers, load_model_status comes back", () => {
  assert.deepEqual(decodeCoordinatorFrame('{"type":"load_model","model":"m"}'), { type: "load_model", model: "m" });
  assert.deepEqual(decodeCoordinatorFrame('{"type":"unload_model","model":"m"}'), { type: "unload_model", model: "m" });
  const status = { type: "load_model_status", model: "m", state: "failed", reason: "memory gate: needs 4.1 GiB, cap 0.2 GiB", free_for_load_gb: 0 };
  assert.deepEqual(decodeProviderFrame(JSON.stringify(status)), status);
  assert.throws(() => decodeProviderFrame('{"type":"load_model","model":"m"}'), FrameError);
  assert.throws(() => decodeCoordinatorFrame(JSON.stringify(status)), FrameError);
  assert.throws(() => decodeProviderFrame('{"type":"load_model_status","model":"m","state":"exploded"}'), FrameError);
  assert.throws(() => decodeProviderFrame('{"type":"load_model_status","model":"","state":"loaded"}'), FrameError);
  assert.throws(() => decodeCoordinatorFrame('{"type":"load_model"}'), FrameError);
});
