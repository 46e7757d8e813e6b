import { z } from "zod";

/** Hardware-backed trust (trust/hardware). */
export const TPM_FIELDS = {
  /**
   * Directory of PEM certificates (`.pem`/`.crt`) trusted to issue TPM endorsement-key
   * certificates. Unset: no provider can reach trust level `hardware`. Read and checked at start.
   */
  tpmCaDir: z.string().min(1).max(4096).optional(),
};

export type TpmSettings = z.output<z.ZodObject<typeof TPM_FIELDS>>;

export const TPM_ENV_NAMES: Record<keyof TpmSettings, string> = {
  tpmCaDir: "DARKBLOOM_TPM_CA_DIR",
};
