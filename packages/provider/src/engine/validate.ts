// Request validation and normalisation (pure).
import { randomInt } from "node:crypto";
import { invalidRequest } from "./errors.js";
import type { SamplingParams } from "./job.js";
import type { ChatMessage, GenerateRequest, PromptSource } from "./types.js";

const ROLES = new Set(["system", "user", "assistant", "tool"]);
const MAX_STOP_STRINGS = 16;
const UINT32 = 2 ** 32;

export interface ValidRequest {
  source: PromptSource;
  maxTokens: number;
  sampling: SamplingParams;
  stop: string[] | undefined;
}

/** A conversation, or (legacy completions) a raw prompt string; exactly one of them. */
export function validateSource(req: PromptSource): PromptSource {
  if (req.prompt !== undefined) {
    if (req.messages !== undefined) throw invalidRequest("send messages or prompt, not both");
    if (typeof req.prompt !== "string") throw invalidRequest("prompt must be a string");
    return { prompt: req.prompt };
  }
  if (!Array.isArray(req.messages) || req.messages.length === 0) throw invalidRequest("messages must be a non-empty array");
  const messages = req.messages.map((m, i): ChatMessage => {
    if (typeof m !== "object" || m === null || !ROLES.has(m.role)) {
      throw invalidRequest(`messages[${i}].role must be one of system, user, assistant, tool`);
    }
    if (typeof m.content !== "string") throw invalidRequest(`messages[${i}].content must be a string`);
    const out: ChatMessage = { role: m.role, content: m.content };
    if (m.toolCalls && m.toolCalls.length > 0) out.toolCalls = m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }));
    if (m.toolCallId !== undefined) out.toolCallId = m.toolCallId;
    return out;
  });
  return { messages };
}

export function validateRequest(req: GenerateRequest): ValidRequest {
  const source = validateSource(req);
  if (!Number.isInteger(req.maxTokens) || req.maxTokens < 1) throw invalidRequest("maxTokens must be an integer ≥ 1");
  const temperature = req.temperature ?? 1;
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || temperature < 0) {
    throw invalidRequest("temperature must be a finite number ≥ 0");
  }
  const topP = req.topP ?? 1;
  if (typeof topP !== "number" || !Number.isFinite(topP) || topP <= 0 || topP > 1) {
    throw invalidRequest("topP must be in (0, 1]");
  }
  let topK: number | undefined;
  if (req.topK !== undefined) {
    if (!Number.isInteger(req.topK) || req.topK < 1) throw invalidRequest("topK must be an integer ≥ 1");
    topK = req.topK;
  }
  let stop: string[] | undefined;
  if (req.stop !== undefined) {
    if (!Array.isArray(req.stop) || req.stop.some((s) => typeof s !== "string")) {
      throw invalidRequest("stop must be an array of strings");
    }
    if (req.stop.length > MAX_STOP_STRINGS) throw invalidRequest(`at most ${MAX_STOP_STRINGS} stop strings`);
    stop = req.stop.filter((s) => s.length > 0);
  }
  const sampling = { temperature, topP, seed: normalizeSeed(req.seed), ...(topK !== undefined && { topK }) };
  return { source, maxTokens: req.maxTokens, sampling, stop };
}

/** Any integer seed → uint32 (mod 2^32); no seed → a random one (never the wall clock). */
export function normalizeSeed(seed: number | undefined): number {
  if (seed === undefined) return randomInt(0, UINT32 - 1);
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw invalidRequest("seed must be a finite number");
  const s = Math.trunc(seed) % UINT32;
  return s < 0 ? s + UINT32 : s;
}
