// Renders a conversation with the model's own Jinja chat template (GGUF `tokenizer.chat_template`),
// with add_generation_prompt. Message contents are passed to the template as unique placeholders
// and substituted back afterwards, so content is later tokenized as plain text (a user cannot
// smuggle control tokens in) while the template's own text is tokenized with special tokens.
// Pure: no model, no I/O.
import { randomBytes } from "node:crypto";
import { Template } from "@huggingface/jinja";
import type { ChatMessage } from "./types.js";

/** One piece of the rendered prompt: template text (may contain special tokens) or message content. */
export type PromptPart = { kind: "template"; text: string } | { kind: "content"; text: string };

export interface TemplateVars {
  bosToken: string;
  eosToken: string;
}

/** An OpenAI tool definition as handed to the template's `tools` variable. */
export type TemplateTool = Readonly<Record<string, unknown>>;

export interface CompiledChatTemplate {
  readonly source: string;
  /** Renders the conversation (and the tools, when given); throws when the template rejects it. */
  render(messages: readonly ChatMessage[], tools?: readonly TemplateTool[]): PromptPart[];
}

export const CHATML_FALLBACK_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function compileChatTemplate(source: string, vars: TemplateVars): CompiledChatTemplate {
  const template = new Template(source);
  const renderRaw = (messages: readonly ChatMessage[], tools: readonly TemplateTool[] | undefined): string =>
    template.render({
      messages: messages.map(templateMessage),
      ...(tools && tools.length > 0 && { tools }),
      add_generation_prompt: true,
      bos_token: vars.bosToken,
      eos_token: vars.eosToken,
    });

  const renderParts = (messages: readonly ChatMessage[], tools: readonly TemplateTool[] | undefined): PromptPart[] => {
    const nonce = randomBytes(6).toString("hex");
    // Empty contents get no placeholder: templates test `if message.content`.
    const ids = messages.map((m, i) => (m.content.length > 0 ? `dbph${nonce}m${i}x` : ""));
    const rendered = renderRaw(messages.map((m, i) => ({ ...m, content: ids[i] ?? "" })), tools);
    const parts = splitOnPlaceholders(rendered, ids, messages);
    if (parts) return parts;
    // The template transformed the content (e.g. split/trimmed it): render the real content and
    // treat the whole prompt as template text, like llama-server does.
    return [{ kind: "template", text: renderRaw(messages, tools) }];
  };

  return {
    source,
    render(messages, tools) {
      try {
        return renderParts(messages, tools);
      } catch (err) {
        // Templates without a system role (e.g. Gemma) raise on system messages: fold them into the
        // following user message, as llama.cpp's template polyfill does.
        if (!messages.some((m) => m.role === "system")) throw err;
        return renderParts(foldSystemMessages(messages), tools);
      }
    },
  };
}

/**
 * A message as Hugging Face chat templates expect it: tool calls with their arguments as an object
 * (templates apply `tojson`), tool results with their `tool_call_id`.
 */
function templateMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.toolCalls && m.toolCalls.length > 0) {
    out["tool_calls"] = m.toolCalls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: parseArguments(c.arguments) },
    }));
  }
  if (m.toolCallId !== undefined) out["tool_call_id"] = m.toolCallId;
  return out;
}

function parseArguments(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

function splitOnPlaceholders(
  rendered: string,
  ids: readonly string[],
  messages: readonly ChatMessage[],
): PromptPart[] | undefined {
  const found: { at: number; index: number }[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] ?? "";
    if (id === "") continue;
    const at = rendered.indexOf(id);
    if (at === -1 || rendered.indexOf(id, at + id.length) !== -1) return undefined;
    found.push({ at, index: i });
  }
  found.sort((a, b) => a.at - b.at);
  const parts: PromptPart[] = [];
  const add = (kind: PromptPart["kind"], text: string): void => {
    if (text.length === 0) return;
    const prev = parts[parts.length - 1];
    if (prev && prev.kind === kind && kind === "template") prev.text += text;
    else parts.push({ kind, text });
  };
  let pos = 0;
  for (const { at, index } of found) {
    add("template", rendered.slice(pos, at));
    add("content", messages[index]?.content ?? "");
    pos = at + (ids[index] ?? "").length;
  }
  add("template", rendered.slice(pos));
  return parts;
}

/** The tag a Hermes/Qwen-style template asks the model to wrap each tool call in. */
export const TOOL_CALL_OPEN = "<tool_call>";
const PROBE_TOOL = "dbprobe_fn";
const PROBE_RESULT = "dbprobe_result";

/**
 * Which tool-call syntax the template teaches, or undefined when it cannot render tools: the tool
 * list, an assistant tool call and a tool result must all appear in the rendered prompt, and the
 * template must use the <tool_call> tags (the syntax the engine constrains and parses).
 */
export function detectToolSupport(template: CompiledChatTemplate): "hermes" | undefined {
  if (!template.source.includes(TOOL_CALL_OPEN)) return undefined;
  const tool = { type: "function", function: { name: PROBE_TOOL, description: "probe", parameters: { type: "object", properties: {} } } };
  try {
    const text = (messages: readonly ChatMessage[]) => template.render(messages, [tool]).map((p) => p.text).join("");
    if (!text([{ role: "user", content: "hi" }]).includes(PROBE_TOOL)) return undefined;
    const history = text([
      { role: "user", content: "hi" },
      { role: "assistant", content: "", toolCalls: [{ id: "call_probe", name: "dbprobe_call", arguments: "{}" }] },
      { role: "tool", content: PROBE_RESULT, toolCallId: "call_probe" },
    ]);
    return history.includes("dbprobe_call") && history.includes(PROBE_RESULT) ? "hermes" : undefined;
  } catch {
    return undefined;
  }
}

export function foldSystemMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pendingSystem: string[] = [];
  for (const m of messages) {
    if (m.role === "system") {
      pendingSystem.push(m.content);
      continue;
    }
    if (pendingSystem.length > 0 && m.role === "user") {
      out.push({ role: "user", content: [...pendingSystem, m.content].join("\n\n") });
      pendingSystem = [];
      continue;
    }
    if (pendingSystem.length > 0) {
      out.push({ role: "user", content: pendingSystem.join("\n\n") });
      pendingSystem = [];
    }
    out.push(m);
  }
  if (pendingSystem.length > 0) out.push({ role: "user", content: pendingSystem.join("\n\n") });
  return out;
}

/** Sample conversations for the template self-check. */
export const SELF_CHECK_CONVERSATIONS: readonly (readonly ChatMessage[])[] = [
  [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "Hello! What is 2 + 2?" },
    { role: "assistant", content: "2 + 2 = 4." },
    { role: "user", content: "Thanks — and 3 × 3?" },
  ],
];

/** True when the template renders the sample conversation and every message's content appears. */
export function selfCheckTemplate(template: CompiledChatTemplate): boolean {
  try {
    for (const conversation of SELF_CHECK_CONVERSATIONS) {
      const parts = template.render(conversation);
      const text = parts.map((p) => p.text).join("");
      if (text.length === 0) return false;
      const last = conversation[conversation.length - 1];
      if (last && !text.includes(last.content)) return false;
    }
    return true;
  } catch {
    return false;
  }
}
