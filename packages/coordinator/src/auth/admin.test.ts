import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { HttpError, type RequestContext } from "../http/index.js";
import { adminGuard } from "./admin.js";

const ctxWith = (authorization?: string) =>
  ({ req: { headers: authorization === undefined ? {} : { authorization } } as IncomingMessage, logFields: {} }) as unknown as RequestContext;
const statusOf = (fn: () => void): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err.status;
  }
};

test("admin routes need the configured token, compared exactly", () => {
  const guard = adminGuard("admin-secret-0123456789");
  assert.equal(statusOf(() => guard(ctxWith("Bearer admin-secret-0123456789"))), undefined);
  assert.equal(statusOf(() => guard(ctxWith())), 401);
  assert.equal(statusOf(() => guard(ctxWith("Bearer admin-secret-012345678"))), 401);
  assert.equal(statusOf(() => guard(ctxWith("Bearer admin-secret-0123456789x"))), 401);
  assert.equal(statusOf(() => guard(ctxWith("Basic admin-secret-0123456789"))), 401);
});

test("without DARKBLOOM_ADMIN_TOKEN every admin request is 403", () => {
  assert.equal(statusOf(() => adminGuard(undefined)(ctxWith("Bearer anything-at-all-123"))), 403);
});
