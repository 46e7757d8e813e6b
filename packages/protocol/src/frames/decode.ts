import type { z } from "zod";
import { MAX_FRAME_BYTES } from "../version.js";
import { providerFrameSchemas, type ProviderFrame } from "./provider-frames.js";
import { coordinatorFrameSchemas, type CoordinatorFrame } from "./coordinator-frames.js";

export class FrameError extends Error {
  override readonly name = "FrameError";
}

type SchemaMap = Record<string, z.ZodType>;

/**
 * Reads a frame's `type` first, then validates the payload once with that type's schema.
 * The text is parsed a single time; unknown types, oversize frames and invalid payloads throw
 * FrameError with a message that never echoes the payload (it may carry ciphertext or metadata).
 */
function makeDecoder<F>(schemas: SchemaMap) {
  return (raw: string | Uint8Array): F => {
    const size = typeof raw === "string" ? raw.length : raw.byteLength;
    if (size > MAX_FRAME_BYTES) throw new FrameError(`frame of ${size} bytes exceeds ${MAX_FRAME_BYTES}`);
    const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new FrameError("frame is not valid JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new FrameError("frame is not a JSON object");
    }
    const type = (value as { type?: unknown }).type;
    if (typeof type !== "string") throw new FrameError("frame has no string `type`");
    const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
    if (!schema) throw new FrameError(`unknown frame type ${JSON.stringify(type.slice(0, 64))}`);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FrameError(`invalid ${type} frame: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
    }
    return parsed.data as F;
  };
}

/** Decodes a frame sent by a provider (used by the coordinator). */
export const decodeProviderFrame = makeDecoder<ProviderFrame>(providerFrameSchemas);
/** Decodes a frame sent by the coordinator (used by the provider). */
export const decodeCoordinatorFrame = makeDecoder<CoordinatorFrame>(coordinatorFrameSchemas);

export function encodeFrame(frame: ProviderFrame | CoordinatorFrame): string {
  return JSON.stringify(frame);
}
