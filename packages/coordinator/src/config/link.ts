import { z } from "zod";
import { SEMVER_RE } from "@darkbloom/protocol";

/** Releases, the minimum provider version and device login (api/releases.ts, api/device/). */
export const LINK_FIELDS = {
  /** Bearer secret CI uses for `POST /v1/releases` (constant-time). Unset: that route answers 403. */
  releaseToken: z
    .string()
    .min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)")
    .max(512)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
  /** Providers reporting an older version are refused at registration with an upgrade message. Unset: any version. */
  minProviderVersion: z.string().max(64).regex(SEMVER_RE, "must be a semantic version like 1.2.3").optional(),
  /**
   * The coordinator's public base URL (`https://coordinator.example`), used for the device login
   * `verification_uri`. Unset: the URL the request came in on (`http://<Host>`).
   */
  publicUrl: z.url({ protocol: /^https?$/ }).max(512).optional(),
};

export type LinkSettings = { [K in keyof typeof LINK_FIELDS]: z.output<(typeof LINK_FIELDS)[K]> };

export const LINK_ENV_NAMES: Record<keyof LinkSettings, string> = {
  releaseToken: "DARKBLOOM_RELEASE_TOKEN",
  minProviderVersion: "DARKBLOOM_MIN_PROVIDER_VERSION",
  publicUrl: "DARKBLOOM_PUBLIC_URL",
};
