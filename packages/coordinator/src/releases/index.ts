export { compareSemver, isSemver } from "./semver.js";
export { capTrustForRelease, minVersionRefusal, type VersionRefusal } from "./policy.js";
