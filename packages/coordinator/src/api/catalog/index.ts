export { catalogRoute, registerModelRoute } from "./routes.js";
export { catalogEntryOf, resolveBaseUrl } from "./entries.js";
