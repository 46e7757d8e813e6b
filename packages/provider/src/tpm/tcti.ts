import { z } from "zod";

/**
 * `DARKBLOOM_TPM_TCTI`: how tpm2-tools reach the TPM, e.g. `device:/dev/tpmrm0`,
 * `swtpm:host=127.0.0.1,port=2321` or `tabrmd`. One token of printable ASCII without spaces.
 */
export const TctiSchema = z
  .string()
  .max(512)
  .regex(/^(device|swtpm|mssim|tabrmd|libtpms|cmd)(:[\x21-\x7e]*)?$/, "a tpm2-tools TCTI such as device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321");

export class TpmToolError extends Error {
  override readonly name = "TpmToolError";
}
