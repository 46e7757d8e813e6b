export { authenticate, type AuthResult, type Principal } from "./authenticate.js";
export { generateApiKey, hashApiKey, isApiKeyShaped, digestsEqual, presentedKey, API_KEY_PREFIX } from "./api-key.js";
export { ensureBootstrapKey, MICROS_PER_USD } from "./bootstrap.js";
export { adminGuard } from "./admin.js";
export { bearerToken, secretMatcher } from "./secret.js";
export { AccountAuth, createAccountAuth, SESSION_SECRET_NAME, type AccountPrincipal, type AccountAuthResult } from "./account-auth.js";
export { Sessions, SESSION_ISSUER, SESSION_AUDIENCE, type SessionClaims } from "./session.js";
export { OidcVerifier, type OidcOptions } from "./oidc.js";
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from "./password.js";
