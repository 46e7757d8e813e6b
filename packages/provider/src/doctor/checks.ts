// The doctor's checks: pure functions from gathered facts to pass/warn/fail rows with a fix.
import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import type { CheckResult, CoordinatorFacts, DiskFacts, EngineFacts, IdentityFacts, MemoryFacts, ModelFacts } from "./types.js";

const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/** SPEC: the hard memory cap is 0.90 × RAM, leaving at least 2 GiB for the OS. */
export function memoryCapBytes(totalBytes: number): number {
  return Math.max(0, Math.min(0.9 * totalBytes, totalBytes - 2 * GIB));
}

/** Below this cap, no model plus the 3 GiB activation reserve and 1 GiB KV minimum fits. */
const MIN_USEFUL_CAP = 4 * GIB + 512 * 2 ** 20;

export function checkEngine(f: EngineFacts): CheckResult {
  if (!f.ok) {
    return { name: "engine", status: "fail", detail: `llama.cpp binding did not load: ${f.error}`, fix: "reinstall darkbloom (npm i -g) so node-llama-cpp's prebuilt binary for this platform is present" };
  }
  const detail = `backend ${f.backend}, ${f.threads} threads (${f.cpuMathCores} math cores)${f.binary ? `, ${f.binary === "localBuild" ? "native build" : "prebuilt binary"}` : ""}`;
  if (f.backend === "cpu" && process.platform === "darwin") {
    return { name: "engine", status: "warn", detail, fix: "Metal is unavailable: check that this Mac has Apple silicon and node-llama-cpp's Metal binary" };
  }
  if (f.backend === "cpu" && f.binary === "prebuilt") {
    return {
      name: "engine",
      status: "warn",
      detail,
      fix: "the generic prebuilt llama.cpp binary decodes slower on CPU than one built for this machine: run `darkbloom engine build` (offline, ~10 min)",
    };
  }
  return { name: "engine", status: "pass", detail };
}

export function checkMemory(f: MemoryFacts): CheckResult {
  const cap = memoryCapBytes(f.totalBytes);
  const detail = `RAM ${gib(f.totalBytes)}, memory cap ${gib(cap)} (0.90 × RAM, ≥ 2 GiB left to the OS)`;
  if (cap < MIN_USEFUL_CAP) {
    return { name: "memory", status: "fail", detail, fix: "this machine has too little RAM to serve a model (cap < 4.5 GiB incl. 3 GiB activation + 1 GiB KV reserve); use a machine with ≥ 8 GiB" };
  }
  return { name: "memory", status: "pass", detail };
}

export function checkDisk(f: DiskFacts, largestModelBytes = 0): CheckResult {
  if (f.freeBytes === undefined) {
    return { name: "disk", status: "warn", detail: `cannot examine ${f.dir}: ${f.error ?? "unknown error"}`, fix: `create ${f.dir} or set DARKBLOOM_MODELS_DIR to a writable directory` };
  }
  const detail = `${gib(f.freeBytes)} free in ${f.dir}`;
  if (f.freeBytes < GIB) return { name: "disk", status: "fail", detail, fix: `free disk space in ${f.dir} (less than 1 GiB left)` };
  if (f.freeBytes < Math.max(10 * GIB, largestModelBytes)) return { name: "disk", status: "warn", detail, fix: `free disk space: less than ${gib(Math.max(10 * GIB, largestModelBytes))} leaves little room for model downloads` };
  return { name: "disk", status: "pass", detail };
}

export function checkCoordinator(f: CoordinatorFacts): CheckResult {
  if (!f.reachable) {
    return { name: "coordinator", status: "fail", detail: `${f.url} unreachable: ${f.error}`, fix: "check the --coordinator URL, your network, and that the coordinator is running (GET /health)" };
  }
  if (f.protocolVersion === undefined) {
    return { name: "coordinator", status: "warn", detail: `${f.url} reachable, protocol version not reported`, fix: "the coordinator predates protocol reporting; upgrade it or make sure it speaks protocol v" + PROTOCOL_VERSION };
  }
  if (f.protocolVersion !== PROTOCOL_VERSION) {
    const fix = f.protocolVersion > PROTOCOL_VERSION ? "upgrade darkbloom (npm i -g darkbloom@latest)" : "the coordinator is older than this provider: use a provider release for its protocol";
    return { name: "coordinator", status: "fail", detail: `${f.url} speaks protocol v${f.protocolVersion}, this provider v${PROTOCOL_VERSION}`, fix };
  }
  return { name: "coordinator", status: "pass", detail: `${f.url} reachable, protocol v${f.protocolVersion}` };
}

export function checkIdentity(f: IdentityFacts): CheckResult {
  if (!f.exists) return { name: "identity key", status: "pass", detail: `${f.file} not created yet (made with mode 0600 on first start)` };
  const problems: string[] = [];
  const fixes: string[] = [];
  const dir = f.file.replace(/\/[^/]*$/, "") || "/";
  if ((f.fileMode & 0o077) !== 0) {
    problems.push(`file mode ${octal(f.fileMode)} (others can read the secret key)`);
    fixes.push(`chmod 600 ${f.file}`);
  }
  if ((f.dirMode & 0o077) !== 0) {
    problems.push(`directory mode ${octal(f.dirMode)}`);
    fixes.push(`chmod 700 ${dir}`);
  }
  if (!f.readable) {
    return { name: "identity key", status: "fail", detail: `${f.file} unreadable or corrupt: ${f.error ?? ""}`.trim(), fix: `move ${f.file} aside (a new identity is created on start; the coordinator then sees a new provider)` };
  }
  if (problems.length > 0) {
    return { name: "identity key", status: (f.fileMode & 0o077) !== 0 ? "fail" : "warn", detail: `${f.file}: ${problems.join(", ")}`, fix: fixes.join(" && ") };
  }
  return { name: "identity key", status: "pass", detail: `${f.file} mode 0600, directory 0700` };
}

export function checkModel(f: ModelFacts): CheckResult[] {
  const name = `model ${f.id}`;
  if (!f.header.ok) {
    return [{ name, status: "fail", detail: `${f.path}: not a readable GGUF file (${f.header.error})`, fix: `re-download ${f.path} (it is truncated or corrupt)` }];
  }
  const rows: CheckResult[] = [];
  const header = `GGUF v${f.header.version}, ${f.header.tensors} tensors`;
  if (f.sha256 === undefined) rows.push({ name, status: "pass", detail: `${header}; sha256 skipped (no manifest)` });
  else if (f.sha256.expected.toLowerCase() !== f.sha256.actual) {
    rows.push({ name, status: "fail", detail: `${header}; sha256 ${f.sha256.actual.slice(0, 16)}… ≠ manifest ${f.sha256.expected.slice(0, 16)}…`, fix: `re-download ${f.path} (its contents differ from the manifest)` });
  } else rows.push({ name, status: "pass", detail: `${header}; sha256 matches the manifest` });
  rows.push(
    f.templateRenderOk
      ? { name: `template ${f.id}`, status: "pass", detail: "chat template renders a sample conversation" }
      : { name: `template ${f.id}`, status: "fail", detail: "chat template missing or fails to render; the model is fenced off for every request", fix: "use a GGUF whose tokenizer.chat_template is a valid Jinja chat template" },
  );
  return rows;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}

/** Exit code: 1 when anything failed, else 0 (warnings do not fail). */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === "fail") ? 1 : 0;
}
