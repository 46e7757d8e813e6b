import { PROTOCOL_VERSION } from "@darkbloom/protocol";
import { ConfigError, configFromEnv, describeDatabase } from "../config/index.js";
import { createLogger, errorFields } from "../log/index.js";
import { startCoordinator } from "../server/index.js";
import { USAGE_LINE, UsageError, parseCommand, usage } from "./args.js";
import { packageVersion } from "./version.js";

/** `--help` / `--version` answer and exit; anything else unknown exits 2. True: go on and run. */
function handleArgs(argv: string[]): boolean {
  let cmd;
  try {
    cmd = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`darkbloom-coordinator: ${err.message}\n${USAGE_LINE}\n(--help lists the DARKBLOOM_* settings)\n`);
    process.exit(2);
  }
  if (cmd.kind === "help") process.stdout.write(`${usage()}\n`);
  if (cmd.kind === "version") process.stdout.write(`darkbloom-coordinator ${packageVersion()} (protocol v${PROTOCOL_VERSION})\n`);
  return cmd.kind === "run";
}

/** `darkbloom-coordinator`: config from DARKBLOOM_* env, one JSON line when listening, graceful stop. */
async function main(): Promise<void> {
  if (!handleArgs(process.argv.slice(2))) return;
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`darkbloom-coordinator: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  let coordinator;
  try {
    coordinator = await startCoordinator(config, { logger });
  } catch (err) {
    logger.error("failed to start", errorFields(err));
    process.exit(1);
  }
  logger.info("listening", {
    url: coordinator.url,
    port: coordinator.port,
    database: describeDatabase(config.database),
    coordinator_sealed: config.allowCoordinatorSealed,
    provider_registration: config.providerToken !== undefined ? "token" : "open",
  });
  // However the stop began (a signal, or POST /v1/admin/drain), the process exits once it is done.
  coordinator.closed.then(
    () => {
      logger.info("stopped");
      process.exit(0);
    },
    (err: unknown) => {
      logger.error("shutdown failed", errorFields(err));
      process.exit(1);
    },
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn("second signal; exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("signal received; draining", { signal, grace_ms: config.shutdownGraceMs });
    coordinator.close().catch(() => undefined); // reported through `closed`
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

void main();
