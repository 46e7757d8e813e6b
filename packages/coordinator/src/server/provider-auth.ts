import { createHash, timingSafeEqual } from "node:crypto";

/** How providers are admitted at the WebSocket upgrade (before any frame is read). */
export type ProviderAdmission = { kind: "token"; token: string } | { kind: "open" };

export type AuthVerdict = "ok" | "missing" | "invalid";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/**
 * Checks the upgrade's `Authorization: Bearer <token>` against the enrollment token. Both sides are
 * hashed to fixed-length SHA-256 digests and compared with timingSafeEqual, so the comparison takes
 * the same time whatever the presented token's length or content.
 */
export function providerAuthorizer(admission: ProviderAdmission): (authorization: string | undefined) => AuthVerdict {
  if (admission.kind === "open") return () => "ok";
  const expected = digest(admission.token);
  return (authorization) => {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
    if (!m) return "missing";
    return timingSafeEqual(digest(m[1]!), expected) ? "ok" : "invalid";
  };
}

/** A complete HTTP 401 for a refused upgrade: the client reads a status and a reason, not a reset. */
export function unauthorizedUpgradeResponse(verdict: Exclude<AuthVerdict, "ok"> | "account_token"): string {
  const message =
    verdict === "missing"
      ? "Provider registration needs an account token (darkbloom login) or the coordinator's enrollment token: send `Authorization: Bearer <token>` (darkbloom start --token or DARKBLOOM_PROVIDER_TOKEN)."
      : verdict === "account_token"
        ? "The provider account token is not valid for this coordinator (revoked or unknown): run `darkbloom login` again."
        : "The provider enrollment token is not valid for this coordinator.";
  const code = verdict === "account_token" ? "invalid_account_token" : "invalid_provider_token";
  const body = JSON.stringify({ error: { message, type: "authentication_error", code, param: null } });
  return (
    "HTTP/1.1 401 Unauthorized\r\n" +
    'WWW-Authenticate: Bearer realm="darkbloom-provider"\r\n' +
    "Content-Type: application/json\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    "Connection: close\r\n\r\n" +
    body
  );
}
