import { execFile } from "node:child_process";
import { TpmToolError } from "./tcti.js";

const TIMEOUT_MS = 20_000;
const MAX_OUTPUT_BYTES = 1 << 20;

/** Runs one tpm2-tools command against `tcti` in `cwd`; rejects with a TpmToolError that says what to do. */
export function runTpm2(tool: string, args: readonly string[], tcti: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { cwd, timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, env: { ...process.env, TPM2TOOLS_TCTI: tcti } },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          return reject(new TpmToolError(`${tool} not found: install tpm2-tools (Debian/Ubuntu: apt-get install tpm2-tools), or unset DARKBLOOM_TPM_TCTI`));
        }
        const detail = stderr.split("\n").filter((l) => /ERROR/.test(l)).slice(-2).join("; ") || err.message;
        reject(new TpmToolError(`${tool} failed (TCTI ${tcti}): ${detail.slice(0, 400)}`));
      },
    );
  });
}
