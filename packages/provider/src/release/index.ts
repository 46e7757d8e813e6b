export { PROVIDER_PACKAGE_ROOT, computePackageHash, ownPackageHash, packageFiles } from "./package-hash.js";
