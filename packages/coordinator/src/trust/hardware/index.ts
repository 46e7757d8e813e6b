export type { HardwareResult, HardwareSession, HardwareVerdict, HardwareVerifier } from "./types.js";
export { HardwareVerifiers } from "./verifiers.js";
export { hardwareVerifiersFor } from "./configure.js";
export { TpmVerifier, loadCaDir, CaDirError, type TpmVerifierOptions } from "./tpm/index.js";
