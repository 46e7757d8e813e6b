// Builds llama.cpp's own `llama-server` from the source bundled in node-llama-cpp (the same
// llama.cpp our engine runs), once, into an ignored cache folder, for side-by-side benchmarks.
// Offline: the source is a git bundle inside the package; cmake builds without CURL.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type LlamaServerBuild = { ok: true; binary: string; tag: string } | { ok: false; reason: string };

function llamaPackageDir(): string {
  // node-llama-cpp's exports map has no ./package.json; its entry point is <root>/dist/index.js.
  return join(dirname(dirname(fileURLToPath(import.meta.resolve("node-llama-cpp")))), "llama");
}

function has(cmd: string, args: string[] = ["--version"]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** Runs a command, echoing its progress lines ("[ 42%] Building …") to `progress`. */
function run(cmd: string, args: string[], cwd: string, progress: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split("\n")) if (/^\[\s*\d+%\]/.test(line)) progress(line.trim());
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${tail}`))));
  });
}

/**
 * Returns the cached llama-server for the bundled llama.cpp release, building it first if needed
 * (~10 min on 2 cores). Not built (with the reason) when git, cmake or a C++ compiler is missing.
 */
export async function ensureLlamaServer(cacheRoot: string, progress: (line: string) => void): Promise<LlamaServerBuild> {
  const pkg = llamaPackageDir();
  const bundle = join(pkg, "gitRelease.bundle");
  if (!existsSync(bundle)) return { ok: false, reason: `node-llama-cpp ships no llama.cpp source bundle (${bundle})` };
  const tag = (JSON.parse(readFileSync(join(pkg, "llama.cpp.info.json"), "utf8")) as { tag: string }).tag;
  const dir = join(cacheRoot, `llama-server-${tag}`);
  const binary = join(dir, "build", "bin", "llama-server");
  if (existsSync(binary)) return { ok: true, binary, tag };
  for (const [tool, args] of [["git", ["--version"]], ["cmake", ["--version"]], ["c++", ["--version"]]] as const) {
    if (!has(tool, [...args])) return { ok: false, reason: `${tool} is not installed (needed to build llama-server)` };
  }
  mkdirSync(dir, { recursive: true });
  const src = join(dir, "src");
  if (!existsSync(join(src, "CMakeLists.txt"))) {
    rmSync(src, { recursive: true, force: true });
    progress(`unpacking llama.cpp ${tag} from node-llama-cpp's bundle`);
    await run("git", ["clone", "--quiet", bundle, src], dir, progress);
  }
  progress("configuring llama-server (cmake, native CPU, no CURL)");
  await run(
    "cmake",
    ["-S", src, "-B", join(dir, "build"), "-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_CURL=OFF", "-DGGML_NATIVE=ON", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=ON"],
    dir,
    progress,
  );
  progress(`building llama-server with ${availableParallelism()} jobs (takes ~10 minutes on 2 cores; cached afterwards)`);
  await run("cmake", ["--build", join(dir, "build"), "--target", "llama-server", "-j", String(availableParallelism())], dir, progress);
  if (!existsSync(binary)) return { ok: false, reason: `the build finished without ${binary}` };
  return { ok: true, binary, tag };
}
