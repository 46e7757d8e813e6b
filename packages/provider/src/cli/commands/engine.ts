import { parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";
import { UsageError } from "../usage-error.js";

const USAGE = `usage: darkbloom engine status|build|reset [--gpu auto|false]

  status  which llama.cpp binary the engine loads: node-llama-cpp's generic prebuilt binary, or a
          native build made for this machine
  build   compiles llama.cpp from the source bundled with node-llama-cpp for this CPU (offline;
          needs cmake, a C++ compiler and git; ~10 minutes on 2 cores; progress is shown). On
          CPU a native build decodes markedly faster. If the build fails, the prebuilt binary stays
          in use. Restart the provider afterwards (darkbloom restart).
          --gpu false (default on Linux) builds for the CPU only; --gpu auto also looks for CUDA/Vulkan.
  reset   removes native builds: the engine goes back to the prebuilt binary`;

const ACTIONS = ["status", "build", "reset"] as const;
type Action = (typeof ACTIONS)[number];

export const command: SubCommand = {
  summary: "engine status|build|reset   which llama.cpp binary runs; build a native one",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { gpu: { type: "string" } }, true);
    if (values.help) return printHelp(USAGE);
    const action = positionals[0] as Action | undefined;
    if (positionals.length !== 1 || !action || !ACTIONS.includes(action)) throw new UsageError("engine needs one of: status, build, reset");
    const gpu = values.gpu ?? (process.platform === "darwin" ? "auto" : "false");
    if (gpu !== "auto" && gpu !== "false") throw new UsageError(`--gpu must be auto or false, got ${gpu}`);
    // Loaded here, so `darkbloom --help` never touches node-llama-cpp.
    const build = await import("../../engine-build/index.js");
    const describe = (): string => {
      const b = build.engineBinary();
      if ("error" in b) return `the llama.cpp binding does not load: ${b.error}`;
      return `${b.buildType === "localBuild" ? "native build (made on this machine)" : "prebuilt binary (generic CPU)"}, gpu ${b.gpu}`;
    };
    if (action === "status") {
      process.stdout.write(`engine: ${describe()}\n`);
      return 0;
    }
    if (action === "reset") {
      const code = await build.runNodeLlamaCpp(build.CLEAR_ARGS);
      process.stdout.write(code === 0 ? `native builds removed; engine: ${describe()}\n` : `could not remove the native builds (exit ${code})\n`);
      return code === 0 ? 0 : 1;
    }
    const missing = build.missingBuildTools();
    if (missing.length > 0) {
      process.stderr.write(`cannot build: ${missing.join(", ")} not installed (e.g. apt-get install cmake g++ git); the prebuilt binary stays in use\n`);
      return 1;
    }
    process.stdout.write("building llama.cpp for this machine from the bundled source (offline, ~10 min on 2 cores)…\n");
    const code = await build.runNodeLlamaCpp(build.buildArgs(gpu));
    const after = describe();
    if (code !== 0) {
      process.stderr.write(`the native build failed (exit ${code}); the prebuilt binary stays in use. engine: ${after}\n`);
      return 1;
    }
    process.stdout.write(`done. engine: ${after}\nrestart the provider to use it (darkbloom restart)\n`);
    return after.startsWith("native build") ? 0 : 1;
  },
};
