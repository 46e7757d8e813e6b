// A native build of the llama.cpp binding from the source bundled in node-llama-cpp (offline):
// the prebuilt binary is compiled for a generic x86-64/arm64 CPU, a native build uses every
// instruction set of this one (and OpenMP). node-llama-cpp prefers a local build when one exists
// (getLlama's `build: "never"` still loads local builds first), so the engine picks it up on its
// next start; clearing the builds falls back to the prebuilt binary.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The root folder of the node-llama-cpp package this provider runs on. */
export function nodeLlamaCppDir(): string {
  // Its exports map has no ./package.json; its entry point is <root>/dist/index.js.
  return dirname(dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))));
}

/** The node-llama-cpp CLI script. */
export function nodeLlamaCppCli(): string {
  return join(nodeLlamaCppDir(), "dist", "cli", "cli.js");
}

/** Tools the build needs from the system (nothing is downloaded). */
export function missingBuildTools(): string[] {
  const probes: [string, string[]][] = [
    ["cmake", ["--version"]],
    ["c++", ["--version"]],
    ["git", ["--version"]],
  ];
  return probes.filter(([cmd, args]) => spawnSync(cmd, args, { stdio: "ignore" }).status !== 0).map(([cmd]) => cmd);
}

/** The arguments of the node-llama-cpp CLI for each step. */
export function buildArgs(gpu: "auto" | "false"): string[] {
  // `source download` takes the release from the package's own git bundle when it has one, then
  // builds it; the prebuilt binaries stay in place as the fallback.
  return ["source", "download", "--gpu", gpu, "--noUsageExample"];
}

export const CLEAR_ARGS = ["source", "clear", "--type", "builds"];

/** Runs the node-llama-cpp CLI with the terminal attached (its own progress output); resolves with the exit code. */
export function runNodeLlamaCpp(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nodeLlamaCppCli(), ...args], { stdio: "inherit", env });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Which binary a fresh engine would load: asked in a child process, since a process keeps the
 * binding it loaded first.
 */
export function engineBinary(): { buildType: "prebuilt" | "localBuild"; gpu: string } | { error: string } {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL("./probe.js", import.meta.url))], { encoding: "utf8" });
  if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split("\n").slice(-3).join(" ") };
  try {
    return JSON.parse(r.stdout) as { buildType: "prebuilt" | "localBuild"; gpu: string };
  } catch {
    return { error: `unexpected output: ${r.stdout.slice(0, 200)}` };
  }
}
