import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "./process.js";

test("waitFor gives up at its deadline, naming what it waited for and the last failure", async () => {
  let attempts = 0;
  await assert.rejects(
    waitFor(
      "a flag that never flips",
      async () => {
        attempts++;
        throw new Error("connection refused");
      },
      300,
    ),
    /timed out after \d+ ms waiting for a flag that never flips \(last attempt: connection refused\)/,
  );
  assert.ok(attempts >= 1);
});

test("an attempt that never settles is abandoned (its signal aborted) instead of hanging the wait", async () => {
  let signal: AbortSignal | undefined;
  await assert.rejects(
    waitFor(
      "a server that never answers",
      (s) => {
        signal = s;
        return new Promise<boolean>(() => undefined);
      },
      200,
    ),
    /waiting for a server that never answers \(last attempt: no answer within \d+ ms\)/,
  );
  assert.equal(signal?.aborted, true);
});

test("waitFor returns as soon as the check passes", async () => {
  let n = 0;
  await waitFor("the third attempt", async () => ++n === 3, 60_000);
  assert.equal(n, 3);
});
