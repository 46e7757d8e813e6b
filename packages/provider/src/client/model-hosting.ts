import type { LoadModelFrame, LoadModelStatusFrame, ProviderFrame, SlotCapacity, UnloadModelFrame } from "@darkbloom/protocol";
import type { ModelSource } from "../hosting/types.js";

/** What the link needs from the model host (hosting/ModelHost implements it). */
export interface Hosting extends ModelSource {
  setStatusSink(sink: ((frame: LoadModelStatusFrame) => void) | undefined): void;
  load(model: string, origin: "coordinator"): Promise<unknown>;
  unload(model: string): Promise<unknown>;
  slots(): SlotCapacity[];
  freeForLoadGb(): number;
}

/**
 * `load_model` / `unload_model` from the coordinator: the host does the work and reports each step
 * as load_model_status (through its status sink). Without a host, or while draining, the answer
 * is an immediate `failed` with the reason.
 */
export function onModelFrame(
  hosting: Hosting | undefined,
  frame: LoadModelFrame | UnloadModelFrame,
  draining: boolean,
  send: (frame: ProviderFrame) => void,
  log: (event: string, fields: Record<string, unknown>) => void,
): void {
  const refuse = (reason: string) => send({ type: "load_model_status", model: frame.model, state: "failed", reason });
  if (!hosting) return refuse("this provider does not host models on demand");
  log(frame.type, { model: frame.model });
  if (frame.type === "load_model") {
    if (draining) return refuse("provider is shutting down");
    void hosting.load(frame.model, "coordinator");
  } else void hosting.unload(frame.model);
}
