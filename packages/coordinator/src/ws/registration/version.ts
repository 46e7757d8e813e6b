import { PROTOCOL_VERSION } from "@darkbloom/protocol";

/** The close reason for a provider speaking another protocol version (fits a 123-byte close reason). */
export function versionRefusal(theirs: number): string {
  return `unsupported protocol version ${theirs}; this coordinator speaks ${PROTOCOL_VERSION}: upgrade the darkbloom provider to a protocol ${PROTOCOL_VERSION} release`;
}

/**
 * The `protocol_version` of a first frame that did not decode, when it is a register frame: a
 * provider of another version may send a register frame this version's schema rejects, and it
 * must still be told which version to upgrade to rather than "bad frame".
 */
export function peekRegisterVersion(text: string): number | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null) return undefined;
    const { type, protocol_version: version } = v as { type?: unknown; protocol_version?: unknown };
    return type === "register" && typeof version === "number" && Number.isSafeInteger(version) ? version : undefined;
  } catch {
    return undefined;
  }
}
