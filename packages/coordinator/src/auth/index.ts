export { authenticate, type AuthResult, type Principal } from "./authenticate.js";
export { generateApiKey, hashApiKey, isApiKeyShaped, digestsEqual, presentedKey, API_KEY_PREFIX } from "./api-key.js";
export { ensureBootstrapKey, MICROS_PER_USD } from "./bootstrap.js";
export { adminGuard } from "./admin.js";
export { bearerToken, secretMatcher } from "./secret.js";
