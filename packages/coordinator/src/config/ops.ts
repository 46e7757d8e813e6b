import { z } from "zod";

/** Operations settings: metrics access (drain grace is `shutdownGraceMs` in schema.ts). */
export const OPS_FIELDS = {
  /**
   * Bearer token for GET /metrics (constant-time). Unset: the admin token is required instead; with
   * neither set, /metrics answers loopback clients only.
   */
  metricsToken: z
    .string()
    .min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)")
    .max(512)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
};

export type OpsSettings = { [K in keyof typeof OPS_FIELDS]: z.output<(typeof OPS_FIELDS)[K]> };

export const OPS_ENV_NAMES: Record<keyof OpsSettings, string> = {
  metricsToken: "DARKBLOOM_METRICS_TOKEN",
};
