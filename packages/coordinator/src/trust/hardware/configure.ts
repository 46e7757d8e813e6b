import { resolve } from "node:path";
import { CaDirError, loadCaDir } from "./tpm/ca-store.js";
import { TpmVerifier } from "./tpm/tpm-verifier.js";
import { HardwareVerifiers } from "./verifiers.js";

/**
 * The verifiers the configuration enables: TPM 2.0 when a CA dir is set (loaded now, so a bad dir
 * stops the start with `onError(message)`'s exception). None configured: nobody earns `hardware`.
 */
export function hardwareVerifiersFor(settings: { tpmCaDir?: string | undefined }, cwd: string, onError: (message: string) => Error): HardwareVerifiers {
  if (settings.tpmCaDir === undefined) return new HardwareVerifiers();
  try {
    return new HardwareVerifiers([new TpmVerifier({ anchors: loadCaDir(resolve(cwd, settings.tpmCaDir)) })]);
  } catch (err) {
    if (err instanceof CaDirError) throw onError(err.message);
    throw err;
  }
}
