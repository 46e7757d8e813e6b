import type { CheckResult } from "./types.js";

const MARK: Record<CheckResult["status"], string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

/** The doctor's table: status, check, detail; each warn/fail followed by its fix. */
export function renderTable(results: readonly CheckResult[]): string {
  const nameWidth = Math.max(5, ...results.map((r) => r.name.length));
  const lines = [`${"STATUS".padEnd(6)}  ${"CHECK".padEnd(nameWidth)}  DETAIL`];
  for (const r of results) {
    lines.push(`${MARK[r.status].padEnd(6)}  ${r.name.padEnd(nameWidth)}  ${r.detail}`);
    if (r.status !== "pass" && r.fix) lines.push(`${"".padEnd(6)}  ${"".padEnd(nameWidth)}  fix: ${r.fix}`);
  }
  const fails = results.filter((r) => r.status === "fail").length;
  const warns = results.filter((r) => r.status === "warn").length;
  lines.push("", fails > 0 ? `${fails} check(s) failed, ${warns} warning(s)` : warns > 0 ? `all checks passed, ${warns} warning(s)` : "all checks passed");
  return lines.join("\n");
}
