import { basename } from "node:path";
import { UsageError } from "../usage-error.js";
import { intOption, parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const USAGE = `usage: darkbloom benchmark --model FILE [--model-id ID] [--max-concurrency N] [--tokens T] [--prompt-words W] [--json]

  Measures prefill and decode tok/s of the real engine on this machine at concurrency 1, 2, 4 … N
  (default N = 4), prints them as a table and stores the result in the state dir
  (DARKBLOOM_STATE_DIR, default ~/.local/state/darkbloom/benchmark.json). \`darkbloom start\` reports the
  best decode tok/s as benchmark_tps when it serves the benchmarked model, so the coordinator can
  route by it before it has observed this provider. Run it on an otherwise idle machine.
  --tokens (default 64) tokens generated per request; --prompt-words (default 128) prompt length.`;

export const command: SubCommand = {
  summary: "benchmark --model FILE [--max-concurrency N]   prefill/decode tok/s on this machine",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, {
      json: { type: "boolean" },
      model: { type: "string" },
      "model-id": { type: "string" },
      "max-concurrency": { type: "string" },
      tokens: { type: "string" },
      "prompt-words": { type: "string" },
    });
    if (values.help) return printHelp(USAGE);
    const modelPath = values.model;
    if (typeof modelPath !== "string" || modelPath.length === 0) throw new UsageError("--model FILE is required");
    const modelId = typeof values["model-id"] === "string" ? values["model-id"] : basename(modelPath).replace(/\.gguf$/i, "");
    const maxConcurrency = intOption("max-concurrency", values["max-concurrency"], 4, 1, 64);
    const maxTokens = intOption("tokens", values.tokens, 64, 1, 4096);
    const promptWords = intOption("prompt-words", values["prompt-words"], 128, 1, 8192);

    const { createEngine } = await import("../../engine/index.js");
    const { backendOf } = await import("../backend.js");
    const { concurrencyLevels, measure, renderBenchmarkTable } = await import("../../benchmark/measure.js");
    const { saveBenchmark } = await import("../../benchmark/store.js");
    const engine = await createEngine({ modelPath, modelId, parallel: maxConcurrency });
    try {
      const backend = backendOf(engine.model.llama.gpu, engine.model.gpuLayers);
      // One untimed request first: weights paged in, buffers allocated.
      await measure(engine, { concurrency: 1, promptWords: 8, maxTokens: 2 });
      const rows = [];
      for (const concurrency of concurrencyLevels(maxConcurrency)) {
        rows.push(await measure(engine, { concurrency, promptWords, maxTokens }));
        if (!values.json) process.stderr.write(`measured concurrency ${concurrency}\n`);
      }
      const result = {
        schema_version: 1 as const,
        measured_at: new Date().toISOString(),
        model_id: modelId,
        backend,
        rows,
        benchmark_tps: Math.max(...rows.map((r) => r.decode_tps)),
      };
      const file = await saveBenchmark(result);
      if (values.json) process.stdout.write(`${JSON.stringify({ ...result, file }, null, 2)}\n`);
      else process.stdout.write(`model ${modelId} (${backend})\n${renderBenchmarkTable(rows)}\n\nbenchmark_tps ${result.benchmark_tps} (stored in ${file})\n`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};

