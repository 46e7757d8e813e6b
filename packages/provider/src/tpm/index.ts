export { TpmAttester, type HardwareAttester } from "./tpm-attester.js";
export { TctiSchema, TpmToolError } from "./tcti.js";
