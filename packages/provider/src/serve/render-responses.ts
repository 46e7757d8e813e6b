import { randomBytes } from "node:crypto";
import { ResponsesStreamEncoder, responseBody, responsesUsage, type ResponsesParams } from "@darkbloom/protocol";
import type { GenerationResult } from "../engine/index.js";
import { renderGeneration } from "./render.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** Generates one Responses API response (nothing is stored) in OpenAI's wire format. */
export function renderResponse(
  engine: ChatEngine,
  params: ResponsesParams,
  sink: ResponseSink,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<GenerationResult> {
  const meta = {
    id: `resp_${randomBytes(24).toString("hex")}`,
    messageId: `msg_${randomBytes(24).toString("hex")}`,
    model: params.model,
    createdAt: Math.floor(now() / 1000),
    echo: params.echo,
  };
  const stream = new ResponsesStreamEncoder(meta);
  const usage = (r: GenerationResult) => responsesUsage(r.usage.promptTokens, r.usage.completionTokens);
  return renderGeneration(
    engine,
    { messages: params.messages },
    params,
    {
      start: () => stream.start(),
      delta: (text) => stream.delta(text),
      finish: (r) => stream.finish(r.finishReason, usage(r)),
      body: (text, r) => responseBody(meta, text, r.finishReason, usage(r)),
    },
    sink,
    signal,
  );
}
