// Prints the provider release's version and package hash as the JSON body of POST /v1/releases:
//   npm run release:hash
//   curl -H "Authorization: Bearer $DARKBLOOM_RELEASE_TOKEN" -H 'content-type: application/json' \
//        --data "$(npm run -s release:hash)" https://coordinator.example/v1/releases
// The provider computes the same hash over its installed package at start (its attestation's
// package_hash); see packages/provider/src/release/package-hash.ts for the definition.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { computePackageHash, PROVIDER_PACKAGE_ROOT } from "../packages/provider/dist/release/index.js";

const { version } = JSON.parse(readFileSync(join(PROVIDER_PACKAGE_ROOT, "package.json"), "utf8"));
process.stdout.write(`${JSON.stringify({ version, package_hash: await computePackageHash() })}\n`);
