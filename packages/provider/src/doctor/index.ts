import { configDir } from "../identity/identity-store.js";
import { checkCoordinator, checkDisk, checkEngine, checkIdentity, checkMemory, checkModel } from "./checks.js";
import { coordinatorFacts, diskFacts, engineFacts, identityFacts, memoryFacts, modelFacts, modelsDir } from "./gather.js";
import { resolveModels } from "./models.js";
import type { CheckResult } from "./types.js";

export { exitCodeOf, memoryCapBytes } from "./checks.js";
export { renderTable } from "./render.js";
export type { CheckResult, CheckStatus } from "./types.js";

export interface DoctorOptions {
  coordinator?: string;
  models: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** Runs every check in order; never throws for a failed check (it becomes a fail row). */
export async function runDoctor(opts: DoctorOptions): Promise<CheckResult[]> {
  const env = opts.env ?? process.env;
  const dir = modelsDir(env);
  const models = await resolveModels(opts.models, dir);
  const results: CheckResult[] = [checkEngine(await engineFacts()), checkMemory(memoryFacts())];
  const modelFactsList = await Promise.all(models.map((m) => modelFacts(m.path, m.id)));
  results.push(checkDisk(await diskFacts(dir)));
  results.push(
    opts.coordinator === undefined
      ? { name: "coordinator", status: "warn", detail: "not checked", fix: "pass --coordinator URL to check reachability and the protocol version" }
      : checkCoordinator(await coordinatorFacts(opts.coordinator)),
  );
  results.push(checkIdentity(await identityFacts(configDir(env))));
  if (models.length === 0) results.push({ name: "models", status: "warn", detail: `no GGUF models in ${dir}`, fix: "pass --model FILE|ID or download one (darkbloom models download ID)" });
  for (const f of modelFactsList) results.push(...checkModel(f));
  return results;
}
