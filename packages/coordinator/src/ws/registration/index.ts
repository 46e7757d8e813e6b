export { admit } from "./admit.js";
export { newChallenge, provesPossession } from "./challenge.js";
export { ATTESTATION_MAX_AGE_MS, checkAttestedModels, checkRegister, type AcceptedRegister, type CheckRegisterOptions, type Refusal } from "./check-register.js";
export { peekRegisterVersion, versionRefusal } from "./version.js";
export { announcedPrices, resolveOwner, type AccountTokenResolver } from "./owner.js";
export { checkUpdateModels, type AcceptedUpdate } from "./check-update.js";
export { admitAccount, type Admission, type BearerAccount, type RegistrationPolicy } from "./account-link.js";
export { startHardwareCheck, hardwareAnswered } from "./hardware.js";
export { liveProvider } from "./live-provider.js";
