import type { HardwareEvidence } from "@darkbloom/protocol";
import type { HardwareVerdict, HardwareVerifier } from "./types.js";

/** The configured verifiers by evidence kind; evidence of a kind nobody verifies earns nothing. */
export class HardwareVerifiers {
  private readonly byKind = new Map<string, HardwareVerifier>();

  constructor(verifiers: readonly HardwareVerifier[] = []) {
    for (const v of verifiers) {
      if (this.byKind.has(v.kind)) throw new Error(`two hardware verifiers for kind ${v.kind}`);
      this.byKind.set(v.kind, v);
    }
  }

  get size(): number {
    return this.byKind.size;
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  async verify(evidence: HardwareEvidence, subjectHash: Uint8Array, now: number): Promise<HardwareVerdict> {
    const verifier = this.byKind.get(evidence.kind);
    if (!verifier) return { ok: false, reason: `no verifier configured for ${evidence.kind} evidence` };
    try {
      return await verifier.verify(evidence, subjectHash, now);
    } catch (err) {
      return { ok: false, reason: `${evidence.kind} verifier failed: ${(err as Error).message}` };
    }
  }
}
