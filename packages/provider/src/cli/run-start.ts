import { ConfigError, configFilePath, loadConfigFile, resolveConfig } from "../config/index.js";
import { resolveCatalogModel } from "./resolve-model.js";
import { launchDaemon } from "../daemon/launch.js";
import { statePaths } from "../daemon/paths.js";
import { runProvider } from "../daemon/runtime.js";
import { createLogger } from "../log.js";
import type { Command } from "./args.js";

export async function runStart(cmd: Extract<Command, { kind: "start" }>, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const file = configFilePath(env);
  let config;
  try {
    config = resolveConfig(await loadConfigFile(file), cmd.flags, env, file);
    if (config.models.length === 0) throw new ConfigError("no model to serve: pass --model FILE or list [[models]] in provider.toml");
    // A model may be a downloaded catalog id instead of a file: serve its weights under that id.
    config = { ...config, models: await Promise.all(config.models.map((m) => resolveCatalogModel(m, env))) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`darkbloom start: ${err.message}\n`);
    return 2;
  }
  const paths = statePaths(env);
  if (cmd.foreground) {
    const log = createLogger("provider");
    if (config.token === undefined) log("no_token", { hint: "no DARKBLOOM_PROVIDER_TOKEN or --token: only a coordinator with open registration will accept this provider" });
    return runProvider({ config, paths, daemonChild: env.DARKBLOOM_DAEMON_CHILD === "1", log });
  }
  const out = await launchDaemon(paths, cmd.argv, cmd.waitS * 1000, env);
  switch (out.kind) {
    case "already_running":
      process.stderr.write(`darkbloom is already running (pid ${out.pid}): \`darkbloom status\` shows it, \`darkbloom stop\` stops it\n`);
      return 1;
    case "failed":
      process.stderr.write(`darkbloom failed to start (exit code ${out.code ?? "?"}); the end of ${paths.logFile}:\n${out.logTail}\n`);
      return 1;
    case "timeout":
      process.stderr.write(`darkbloom (pid ${out.pid}) has not registered within ${cmd.waitS} s; it keeps trying: see \`darkbloom logs\`\n`);
      return 1;
    case "registered":
    case "paused": {
      if (out.staleRemoved !== undefined) process.stdout.write(`removed a stale pid file${out.staleRemoved === true ? "" : ` (pid ${out.staleRemoved} is gone)`}\n`);
      const st = out.status;
      const what =
        out.kind === "registered"
          ? `registered with ${st.coordinator} as ${st.provider_id ?? "?"} (trust ${st.trust_level ?? "?"})`
          : "paused: outside the availability schedule";
      process.stdout.write(`darkbloom started in the background (pid ${out.pid}), ${what}, serving ${st.models.map((m) => m.id).join(", ")}\nlogs: ${paths.logFile}\n`);
      return 0;
    }
  }
}
