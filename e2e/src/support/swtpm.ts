import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@darkbloom/testkit";

/**
 * A software TPM (Debian `swtpm`, `swtpm-tools`, `tpm2-tools`) for system tests: manufactured by
 * swtpm_setup with an EK certificate issued by a CA this helper creates (so the tests prove the
 * plumbing with a test CA, not a manufacturer's), served on loopback TCP.
 */

const TOOLS = ["swtpm", "swtpm_setup", "swtpm_localca", "tpm2_quote", "tpm2_activatecredential", "tpm2_getcap"];

/** Undefined when every tool is installed, else what is missing and how to get it. */
export function missingTpmTools(): string | undefined {
  const missing = TOOLS.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" }).status !== 0);
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(", ")} (apt-get install swtpm swtpm-tools tpm2-tools)`;
}

/**
 * Skips (locally) or fails (DARKBLOOM_TEST_TPM_REQUIRED=1, set by .ci/run) when the tools are
 * missing; returns the skip message, or undefined when the test can run.
 */
export function tpmSkipReason(): string | undefined {
  const missing = missingTpmTools();
  if (missing && process.env.DARKBLOOM_TEST_TPM_REQUIRED === "1") throw new Error(`${missing} — DARKBLOOM_TEST_TPM_REQUIRED=1`);
  return missing && `TPM system test skipped: ${missing}`;
}

export interface TestCa {
  /** A directory holding only the CA certificate (DARKBLOOM_TPM_CA_DIR). */
  certDir: string;
  /** swtpm_setup config whose local CA is this one. */
  setupConfig: string;
}

/** A fresh CA (made by swtpm_localca on first use) under `dir`. */
export async function makeTestCa(dir: string): Promise<TestCa> {
  const state = join(dir, "ca");
  await mkdir(state, { recursive: true });
  const localca = join(dir, "localca.conf");
  await writeFile(localca, `statedir = ${state}\nsigningkey = ${state}/signkey.pem\nissuercert = ${state}/issuercert.pem\ncertserial = ${state}/certserial\n`);
  const setupConfig = join(dir, "setup.conf");
  await writeFile(
    setupConfig,
    `create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = ${localca}\ncreate_certs_tool_options = /etc/swtpm-localca.options\nactive_pcr_banks = sha256\n`,
  );
  // The CA's key and certificate are created by the first swtpm_setup that uses it.
  const scratch = join(dir, "scratch-tpm");
  await mkdir(scratch);
  manufacture(scratch, setupConfig);
  await rm(scratch, { recursive: true, force: true });
  const certDir = join(dir, "trusted");
  await mkdir(certDir);
  await copyFile(join(state, "issuercert.pem"), join(certDir, "ca.pem"));
  return { certDir, setupConfig };
}

function manufacture(stateDir: string, setupConfig: string): void {
  const r = spawnSync("swtpm_setup", ["--tpm2", "--tpm-state", stateDir, "--create-ek-cert", "--config", setupConfig, "--overwrite"], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`swtpm_setup failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
}

export interface RunningSwtpm {
  /** For DARKBLOOM_TPM_TCTI / TPM2TOOLS_TCTI. */
  tcti: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

/** Manufactures a TPM whose EK certificate `ca` issued and serves it (data port P, control P+1). */
export async function startSwtpm(ca: TestCa, deadlineMs = 30_000): Promise<RunningSwtpm> {
  const dir = await mkdtemp(join(tmpdir(), "darkbloom-swtpm-"));
  const state = join(dir, "state");
  await mkdir(state);
  manufacture(state, ca.setupConfig);
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const port = await freePort();
    if (!(await portFree(port + 1))) continue;
    const server = serve(state, port);
    const tcti = `swtpm:host=127.0.0.1,port=${port}`;
    while (Date.now() < until && server.child.exitCode === null) {
      const r = spawnSync("tpm2_getcap", ["properties-fixed"], { env: { ...process.env, TPM2TOOLS_TCTI: tcti }, stdio: "ignore", timeout: 5_000 });
      if (r.status === 0) {
        return {
          tcti,
          stop: async () => {
            await server.stop();
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await server.stop(); // lost a port race, or slow: try again on fresh ports
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`swtpm did not answer within ${deadlineMs} ms`);
}

function serve(state: string, port: number): { child: ChildProcess; stop(): Promise<void> } {
  const child = spawn(
    "swtpm",
    [
      "socket", "--tpm2", "--tpmstate", `dir=${state}`, "--flags", "not-need-init,startup-clear",
      "--server", `type=tcp,bindaddr=127.0.0.1,port=${port}`, "--ctrl", `type=tcp,bindaddr=127.0.0.1,port=${port + 1}`,
    ],
    { stdio: "ignore" },
  );
  live.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      live.delete(child);
      resolve();
    }),
  );
  return {
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
