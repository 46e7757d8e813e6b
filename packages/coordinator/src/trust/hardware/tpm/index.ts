export { TpmVerifier, type TpmVerifierOptions } from "./tpm-verifier.js";
export { loadCaDir, CaDirError } from "./ca-store.js";
export { makeCredential, kdfa } from "./make-credential.js";
