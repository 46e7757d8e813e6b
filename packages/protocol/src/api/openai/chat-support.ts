import { ChatRequestError } from "./chat-request-error.js";

/**
 * Which OpenAI chat-completions parameters Darkbloom honours, and the refusal of the rest.
 *
 * A parameter is never silently dropped (a `json_schema` request must not get 200 with free text):
 * - honoured: validated by ChatCompletionRequestSchema and applied;
 * - accepted, no effect on the completion: bookkeeping OpenAI uses for storage, caching or abuse
 *   monitoring (`user`, `metadata`, …) — the output is the same as OpenAI's would be without it;
 * - unsupported: 400 naming the parameter, unless it carries its no-op value (`logprobs: false`,
 *   `n: 1`, …);
 * - unknown (not an OpenAI parameter at all): ignored, as OpenAI ignores them.
 * The same rules apply to message fields; a content part we cannot read is refused.
 */

type Value = unknown;
const absent = (v: Value) => v === undefined || v === null;
const isRecord = (v: Value): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const emptyArray = (v: Value) => Array.isArray(v) && v.length === 0;

interface Unsupported {
  /** True when the value asks for nothing we lack (absent or the parameter's no-op value). */
  noOp(v: Value): boolean;
  message: string;
}

const FUNCTIONS = "the legacy functions API is not supported; use tools and tool_choice";

/** OpenAI parameters we know but cannot honour yet. */
export const UNSUPPORTED_PARAMS: Readonly<Record<string, Unsupported>> = {
  functions: { noOp: (v) => absent(v) || emptyArray(v), message: `functions is not supported: ${FUNCTIONS}` },
  function_call: { noOp: (v) => absent(v) || v === "none" || v === "auto", message: `function_call is not supported: ${FUNCTIONS}` },
  n: { noOp: (v) => absent(v) || v === 1, message: "n > 1 is not supported; send n = 1" },
  logprobs: { noOp: (v) => absent(v) || v === false, message: "logprobs is not supported yet; omit it or send false" },
  top_logprobs: { noOp: (v) => absent(v) || v === 0, message: "top_logprobs is not supported yet (logprobs are not available)" },
  logit_bias: {
    noOp: (v) => absent(v) || (isRecord(v) && Object.keys(v).length === 0),
    message: "logit_bias is not supported yet",
  },
  frequency_penalty: { noOp: (v) => absent(v) || v === 0, message: "frequency_penalty is not supported yet; omit it or send 0" },
  presence_penalty: { noOp: (v) => absent(v) || v === 0, message: "presence_penalty is not supported yet; omit it or send 0" },
  modalities: {
    noOp: (v) => absent(v) || (Array.isArray(v) && v.length === 1 && v[0] === "text"),
    message: 'modalities is not supported: only text output is available; omit it or send ["text"]',
  },
  audio: { noOp: absent, message: "audio is not supported: only text output is available" },
  prediction: { noOp: absent, message: "prediction (predicted outputs) is not supported" },
  reasoning_effort: { noOp: absent, message: "reasoning_effort is not supported by the served models" },
  verbosity: { noOp: absent, message: "verbosity is not supported by the served models" },
  web_search_options: { noOp: absent, message: "web_search_options is not supported: providers do not search the web" },
  store: { noOp: (v) => absent(v) || v === false, message: "store is not supported: Darkbloom does not keep completions" },
  service_tier: {
    noOp: (v) => absent(v) || v === "auto" || v === "default",
    message: 'service_tier is not supported; omit it or send "auto"',
  },
};

/** Parameters that are honoured, or accepted with no effect on the completion (see above). */
export const ACCEPTED_PARAMS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "seed",
  "stop",
  "response_format",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  // Accepted, no effect on the completion:
  "user",
  "safety_identifier",
  "prompt_cache_key",
  "metadata",
]);

const MESSAGE_ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
/** Message fields accepted only with their no-op value (they come back in echoed assistant messages). */
const MESSAGE_UNSUPPORTED: Readonly<Record<string, Unsupported>> = {
  name: { noOp: absent, message: "name is not supported: participant names are not passed to the model; omit it" },
  function_call: { noOp: absent, message: `function_call is not supported: ${FUNCTIONS}` },
  audio: { noOp: absent, message: "audio is not supported: only text is available" },
  refusal: { noOp: absent, message: "refusal is not supported in request messages; send the text as content" },
};

const PART_MESSAGES: Readonly<Record<string, string>> = {
  image_url: "images are not supported: the served models read text only; send text content parts",
  input_audio: "audio input is not supported: the served models read text only; send text content parts",
  file: "file inputs are not supported: send the text as text content parts",
  refusal: "refusal content parts are not supported; send text content parts",
};

/**
 * Refuses a request that asks for something Darkbloom would otherwise ignore: an unsupported
 * parameter, a legacy function message, an image or other non-text content part. Runs before the
 * schema, on the raw JSON value, so the refusal names the feature rather than a shape mismatch.
 * Throws ChatRequestError; leaves shape errors (a bad temperature, a missing model) to the schema.
 */
export function rejectUnsupported(body: unknown): void {
  if (!isRecord(body)) return;
  for (const [key, value] of Object.entries(body)) {
    const unsupported = UNSUPPORTED_PARAMS[key];
    if (unsupported && !unsupported.noOp(value)) throw new ChatRequestError(unsupported.message, key);
  }
  if (Array.isArray(body.messages)) body.messages.forEach(rejectUnsupportedMessage);
}

function rejectUnsupportedMessage(message: unknown, i: number): void {
  if (!isRecord(message)) return;
  const at = `messages.${i}`;
  const role = message.role;
  if (role === "function") throw new ChatRequestError(`function messages are not supported: ${FUNCTIONS}`, `${at}.role`);
  for (const [key, value] of Object.entries(message)) {
    const unsupported = MESSAGE_UNSUPPORTED[key];
    if (unsupported && !unsupported.noOp(value)) throw new ChatRequestError(`${at}.${unsupported.message}`, `${at}.${key}`);
  }
  if (typeof role === "string" && !MESSAGE_ROLES.has(role)) return; // the schema names the bad role
  if (!Array.isArray(message.content)) return;
  message.content.forEach((part: unknown, j: number) => {
    if (!isRecord(part) || part.type === "text") return;
    const type = typeof part.type === "string" ? part.type : "";
    const text = PART_MESSAGES[type] ?? 'only text content parts ({"type": "text", "text": …}) are supported';
    throw new ChatRequestError(`${at}.content.${j}: ${text}`, `${at}.content.${j}`);
  });
}
