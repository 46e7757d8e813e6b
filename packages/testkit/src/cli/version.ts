import { readFileSync } from "node:fs";

/** This package's version, from its package.json (src/cli and dist/cli sit at the same depth). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}
