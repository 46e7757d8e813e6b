import type { FinishReason } from "../../frames/common.js";
import { toOpenAIFinishReason, type ChatUsage } from "../openai/chat-encode.js";
import { sseData } from "../common/sse.js";

/**
 * Encoders for OpenAI legacy text completions (`text_completion` objects), byte-for-byte in the
 * shape and field order OpenAI's API emits.
 */

export interface CompletionMeta {
  id: string;
  model: string;
  created: number;
}

export interface CompletionStreamMeta extends CompletionMeta {
  includeUsage: boolean;
}

export class CompletionStreamEncoder {
  private readonly head: string;
  private readonly tail: string;

  constructor(private readonly meta: CompletionStreamMeta) {
    this.head = `{"id":${JSON.stringify(meta.id)},"object":"text_completion","created":${meta.created},"choices":`;
    this.tail = `,"model":${JSON.stringify(meta.model)},"system_fingerprint":null}`;
  }

  private choice(text: string, finish: string | null): string {
    return sseData(`${this.head}[{"text":${JSON.stringify(text)},"index":0,"logprobs":null,"finish_reason":${finish === null ? "null" : JSON.stringify(finish)}}]${this.tail}`);
  }

  delta(text: string): string {
    return this.choice(text, null);
  }

  /** The closing events: an empty text with the finish reason, the usage chunk when asked for, `[DONE]`. */
  finish(reason: FinishReason, usage: ChatUsage): string {
    let out = this.choice("", toOpenAIFinishReason(reason));
    if (this.meta.includeUsage) {
      out += sseData(`${this.head}[]${this.tail.slice(0, -1)},"usage":${JSON.stringify(usage)}}`);
    }
    return out + sseData("[DONE]");
  }
}

/** The single JSON body of a non-streaming text completion. */
export function completionBody(meta: CompletionMeta, text: string, reason: FinishReason, usage: ChatUsage): string {
  return JSON.stringify({
    id: meta.id,
    object: "text_completion",
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [{ text, index: 0, logprobs: null, finish_reason: toOpenAIFinishReason(reason) }],
    usage,
  });
}
