import type { Handler } from "../../http/index.js";

/**
 * The minimal Link page (until the console exists): log in, enter the code `darkbloom login`
 * printed (prefilled from `?user_code=`), approve or deny. No inline script or style and no
 * secrets in the page; the session token stays in this tab's sessionStorage.
 */

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Darkbloom · Link a provider</title>
<script src="/link/link.js" defer></script>
</head>
<body>
<h1>Link a provider to your account</h1>
<p>Enter the code that <code>darkbloom login</code> printed on the provider machine. Approve only codes you started yourself: the provider's earnings will go to your account.</p>
<form id="login" hidden>
<h2>Log in</h2>
<p><label>Email <input id="email" type="email" autocomplete="username" required></label></p>
<p><label>Password <input id="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button></p>
</form>
<form id="approve" hidden>
<h2>Device code</h2>
<p><label>Code <input id="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="32" required></label></p>
<p><button type="submit" id="approve_btn">Approve</button> <button type="button" id="deny_btn">Deny</button> <button type="button" id="logout_btn">Log out</button></p>
</form>
<p id="message" role="status"></p>
</body>
</html>
`;

const SCRIPT = `"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const KEY = "darkbloom_link_session";
  let session = sessionStorage.getItem(KEY);
  const code = new URLSearchParams(location.search).get("user_code");
  if (code) $("user_code").value = code.slice(0, 32);
  const say = (text) => { $("message").textContent = text; };
  const show = () => { $("login").hidden = !!session; $("approve").hidden = !session; };
  const post = async (path, body, auth) => {
    const headers = { "content-type": "application/json" };
    if (auth) headers.authorization = "Bearer " + auth;
    const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
    let json = {};
    try { json = await res.json(); } catch { /* empty */ }
    return { res, json };
  };
  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const { res, json } = await post("/v1/auth/login", { email: $("email").value, password: $("password").value });
    if (!res.ok) return say((json.error && json.error.message) || "Login failed.");
    session = json.token;
    sessionStorage.setItem(KEY, session);
    $("password").value = "";
    say("");
    show();
  });
  const decide = async (action) => {
    const { res, json } = await post("/v1/device/" + action, { user_code: $("user_code").value }, session);
    if (res.status === 401) { session = null; sessionStorage.removeItem(KEY); show(); return say("Your session expired; log in again."); }
    if (!res.ok) return say((json.error && json.error.message) || "Failed.");
    say(action === "approve" ? "Approved: provider " + json.device_id + " is linked to your account. You can close this page." : "Denied.");
  };
  $("approve").addEventListener("submit", (e) => { e.preventDefault(); void decide("approve"); });
  $("deny_btn").addEventListener("click", () => void decide("deny"));
  $("logout_btn").addEventListener("click", async () => {
    await post("/v1/auth/logout", {}, session);
    session = null;
    sessionStorage.removeItem(KEY);
    show();
  });
  show();
})();
`;

/** Served with every Link response: nothing but our own script may run, nothing may frame it. */
export const LINK_PAGE_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function send(body: string, type: string): Handler {
  const bytes = Buffer.from(body, "utf8");
  return (ctx) => {
    ctx.res.writeHead(200, { ...LINK_PAGE_HEADERS, "content-type": type, "content-length": String(bytes.length) });
    ctx.res.end(ctx.req.method === "HEAD" ? undefined : bytes);
  };
}

/** GET /link */
export const linkPageRoute = (): Handler => send(HTML, "text/html; charset=utf-8");
/** GET /link/link.js */
export const linkScriptRoute = (): Handler => send(SCRIPT, "text/javascript; charset=utf-8");
