import { z } from "zod";
import { defaultPolicy, type MemoryPolicy } from "./budget.js";

/** DARKBLOOM_MEM_CAP_FRACTION (0 < f ≤ 0.9: it can only lower SPEC's cap) and DARKBLOOM_ACTIVATION_RESERVE_GB (0..1024). */
const EnvSchema = z.object({
  DARKBLOOM_MEM_CAP_FRACTION: z.coerce.number().gt(0).max(0.9).optional(),
  DARKBLOOM_ACTIVATION_RESERVE_GB: z.coerce.number().min(0).max(1024).optional(),
});

export class MemoryConfigError extends Error {
  override readonly name = "MemoryConfigError";
}

/** The memory policy for this machine, with the environment's overrides (validated; empty counts as unset). */
export function memoryPolicyFromEnv(totalBytes: number, env: NodeJS.ProcessEnv): MemoryPolicy {
  const raw = {
    DARKBLOOM_MEM_CAP_FRACTION: env.DARKBLOOM_MEM_CAP_FRACTION || undefined,
    DARKBLOOM_ACTIVATION_RESERVE_GB: env.DARKBLOOM_ACTIVATION_RESERVE_GB || undefined,
  };
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "environment");
    const hint = name === "DARKBLOOM_MEM_CAP_FRACTION" ? "a number in (0, 0.9]" : "a number of GiB in [0, 1024]";
    throw new MemoryConfigError(`${name}=${JSON.stringify(raw[name as keyof typeof raw] ?? "")} is invalid: expected ${hint}`);
  }
  return defaultPolicy(totalBytes, {
    ...(parsed.data.DARKBLOOM_MEM_CAP_FRACTION !== undefined && { capFraction: parsed.data.DARKBLOOM_MEM_CAP_FRACTION }),
    ...(parsed.data.DARKBLOOM_ACTIVATION_RESERVE_GB !== undefined && { activationReserveGb: parsed.data.DARKBLOOM_ACTIVATION_RESERVE_GB }),
  });
}
