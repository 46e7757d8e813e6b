import type { ParsedApiRequest } from "@darkbloom/protocol";
import type { GenerationResult } from "../engine/index.js";
import { renderChat } from "./render-chat.js";
import { renderCompletion } from "./render-completions.js";
import { renderCountTokens, renderMessage } from "./render-messages.js";
import { renderResponse } from "./render-responses.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** Serves a parsed request of any API family in that family's own wire format. */
export async function renderApiRequest(
  engine: ChatEngine,
  req: ParsedApiRequest,
  sink: ResponseSink,
  signal?: AbortSignal,
): Promise<GenerationResult> {
  switch (req.api) {
    case "chat.completions":
      return renderChat(engine, req.params, sink, signal);
    case "completions":
      return renderCompletion(engine, req.params, sink, signal);
    case "responses":
      return renderResponse(engine, req.params, sink, signal);
    case "messages":
      return renderMessage(engine, req.params, sink, signal);
    case "messages.count_tokens":
      return renderCountTokens(engine, req.params, sink);
  }
}
