import { z } from "zod";
import { ChatRequestError } from "./chat-request-error.js";
import { SchemaError, toGrammarSchema, type GrammarSchema } from "./json-schema.js";

/**
 * Structured output and tool calling for chat completions: the wire schemas of `response_format`,
 * `tools`, `tool_choice` and of tool calls in the history, and their engine-facing form.
 */

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const functionName = z.string().regex(FUNCTION_NAME, "must be 1-64 letters, digits, underscores or dashes");
const schemaObject = z.record(z.string(), z.unknown());

export const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: functionName,
      description: z.string().max(4096).optional(),
      schema: schemaObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const ToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: functionName,
    description: z.string().max(8192).optional(),
    parameters: schemaObject.optional(),
    strict: z.boolean().nullish(),
  }),
});

export const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().max(64) }) }),
]);

/** An assistant message's tool call, as OpenAI sends it back in the history. */
export const ToolCallSchema = z.object({
  id: z.string().min(1).max(256),
  type: z.literal("function"),
  function: z.object({ name: functionName, arguments: z.string().max(1_000_000) }),
});

export type ResponseFormat = { type: "json_object" } | { type: "json_schema"; name: string; schema: GrammarSchema };

/** A tool the model may call. `definition` is the client's OpenAI object, for the chat template. */
export interface ChatTool {
  name: string;
  /** `{type: "function", function: {name, description?, parameters?}}` as the client sent it. */
  definition: { type: "function"; function: { name: string; description?: string; parameters?: Record<string, unknown> } };
  /** The parameters as an enforceable schema (the object `arguments` must match). */
  parameters: GrammarSchema;
}

export type ToolChoice = "none" | "auto" | "required" | { name: string };

export interface ChatToolCall {
  id: string;
  name: string;
  /** The arguments as a JSON string, as OpenAI carries them. */
  arguments: string;
}

function schemaError(err: unknown, param: string): never {
  if (err instanceof SchemaError) {
    throw new ChatRequestError(`invalid schema for ${param}: ${err.message}`, err.path === "" ? param : `${param}.${err.path}`);
  }
  throw err;
}

export function normalizeResponseFormat(rf: z.infer<typeof ResponseFormatSchema> | null | undefined): ResponseFormat | undefined {
  if (!rf || rf.type === "text") return undefined;
  if (rf.type === "json_object") return { type: "json_object" };
  const { name, schema, strict } = rf.json_schema;
  if (!schema) throw new ChatRequestError("response_format.json_schema.schema is required", "response_format.json_schema.schema");
  try {
    return { type: "json_schema", name, schema: toGrammarSchema(schema, { strict: strict === true }) };
  } catch (err) {
    return schemaError(err, "response_format.json_schema.schema");
  }
}

export function normalizeTools(tools: z.infer<typeof ToolSchema>[] | null | undefined): ChatTool[] {
  if (!tools) return [];
  const seen = new Set<string>();
  return tools.map((t, i) => {
    const { name, description, parameters, strict } = t.function;
    if (seen.has(name)) throw new ChatRequestError(`tools.${i}: duplicate function name ${name}`, `tools.${i}.function.name`);
    seen.add(name);
    let grammar: GrammarSchema;
    try {
      grammar = toGrammarSchema(parameters ?? { type: "object", properties: {} }, { strict: strict === true });
    } catch (err) {
      return schemaError(err, `tools.${i}.function.parameters`);
    }
    if (grammar["type"] !== "object") {
      throw new ChatRequestError(`tools.${i}: function parameters must be an object schema`, `tools.${i}.function.parameters`);
    }
    const fn: ChatTool["definition"]["function"] = { name };
    if (description !== undefined) fn.description = description;
    if (parameters !== undefined) fn.parameters = parameters;
    return { name, definition: { type: "function", function: fn }, parameters: grammar };
  });
}

export function normalizeToolChoice(choice: z.infer<typeof ToolChoiceSchema> | null | undefined, tools: readonly ChatTool[]): ToolChoice {
  if (choice == null) return tools.length > 0 ? "auto" : "none";
  if (choice === "none") return "none";
  if (tools.length === 0) throw new ChatRequestError("tool_choice is only allowed when tools are specified", "tool_choice");
  if (typeof choice === "string") return choice;
  const name = choice.function.name;
  if (!tools.some((t) => t.name === name)) {
    throw new ChatRequestError("tool_choice names a function that is not in tools", "tool_choice.function.name");
  }
  return { name };
}

/** JSON schema of one call `{"name": …, "arguments": {…}}` to any of the allowed tools. */
export function toolCallSchema(tools: readonly ChatTool[], choice: ToolChoice): GrammarSchema {
  const allowed = typeof choice === "object" ? tools.filter((t) => t.name === choice.name) : tools;
  const calls: GrammarSchema[] = allowed.map((t) => ({
    type: "object",
    properties: { name: { const: t.name }, arguments: t.parameters },
  }));
  // A parameters schema keeps its own $defs: node-llama-cpp resolves them where they are declared.
  return calls.length === 1 && calls[0] ? calls[0] : { oneOf: calls };
}
