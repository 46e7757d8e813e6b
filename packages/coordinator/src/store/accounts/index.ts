export type * from "./types.js";
export { EmailTakenError, NO_LIMITS } from "./types.js";
export { SqlAccounts, type SubStoreDeps } from "./accounts-sql.js";
export { SqlKeys } from "./keys-sql.js";
export { SqlUsage, dayString } from "./usage-sql.js";
export { REFERRAL_CODE_RE, newReferralCode } from "./codes.js";
