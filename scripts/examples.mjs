// The copy-paste examples `npm start` prints. e2e/src/system/newcomer.test.ts runs the Node one
// from a directory outside the checkout, so what is printed is what is tested.
// Every request caps max_tokens: the generated test model never stops by itself.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const EXAMPLE_MAX_TOKENS = 64;

const versionOf = (root, pkg) => JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")).version;

/** The files `npm pack` makes of packages/protocol and packages/sdk. */
export function sdkTarballs(root) {
  return [`darkbloom-protocol-${versionOf(root, "protocol")}.tgz`, `darkbloom-sdk-${versionOf(root, "sdk")}.tgz`];
}

export function curlExample({ origin, apiKey, model }) {
  const body = JSON.stringify({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: EXAMPLE_MAX_TOKENS });
  return `curl ${origin}/v1/chat/completions \\
  -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" \\
  -d '${body}'`;
}

/** Shell steps that install the SDK from this checkout into the current (empty) directory. */
export function installSteps(root) {
  const [protocol, sdk] = sdkTarballs(root);
  return `npm pack "${root}/packages/protocol" "${root}/packages/sdk"
npm install ./${protocol} ./${sdk} openai`;
}

/** hello.mjs: an ES module (hence .mjs) that streams one end-to-end sealed completion. */
export function nodeExample({ origin, apiKey, model }) {
  return `import OpenAI from "openai";
import { privateFetch } from "@darkbloom/sdk";

const baseURL = "${origin}/v1";
const apiKey = "${apiKey}";
// privateFetch seals the request to the provider's attested key: the coordinator relays ciphertext.
const client = new OpenAI({ baseURL, apiKey, fetch: privateFetch({ baseURL, apiKey }) });
const stream = await client.chat.completions.create({
  model: "${model}",
  messages: [{ role: "user", content: "Hello" }],
  max_tokens: ${EXAMPLE_MAX_TOKENS},
  stream: true,
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");
process.stdout.write("\\n");
`;
}

/** What `npm start` prints once the provider serves the model. */
export function banner({ origin, apiKey, model, root }) {
  return `
Darkbloom is running.
  base URL : ${origin}/v1
  API key  : ${apiKey}
  model    : ${model}

Every example caps max_tokens (the generated test model never stops by itself).

# plain HTTP (coordinator-sealed)
${curlExample({ origin, apiKey, model })}

# Node, end-to-end sealed: in a new directory outside this checkout
mkdir darkbloom-hello && cd darkbloom-hello
${installSteps(root)}
cat > hello.mjs <<'EOF'
${nodeExample({ origin, apiKey, model })}EOF
node hello.mjs

Below: the provider's line per request (DARKBLOOM_LOG_LEVEL=debug npm start shows every log line).
Press Ctrl-C to stop.`;
}
