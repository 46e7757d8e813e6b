import { randomBytes } from "node:crypto";
import { cpus, totalmem, platform, arch } from "node:os";
import {
  PROTOCOL_VERSION,
  attestationSubject,
  type EncryptionKeyPair,
  type Hardware,
  type ProviderModel,
  type RegisterFrame,
} from "@darkbloom/protocol";
import { attestServedModels } from "../attestation/build.js";
import { storedBenchmarkTps } from "../benchmark/store.js";
import { ownPackageHash } from "../release/index.js";
import type { Identity } from "../identity/identity-store.js";
import type { HardwareAttester } from "../tpm/index.js";
import { PROVIDER_VERSION } from "../version.js";

export function describeHardware(backend: string): Hardware {
  const cpuList = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpu: cpuList[0]?.model.trim() || "unknown",
    cores: Math.max(1, cpuList.length),
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    backend,
  };
}

/**
 * Builds a register frame with a freshly signed attestation (new nonce and timestamp, this
 * package's hash: release/package-hash.ts), with the stored `darkbloom benchmark` result as
 * benchmark_tps when it was measured on a served model.
 */
export async function buildRegisterFrame(
  identity: Identity,
  keyPair: EncryptionKeyPair,
  models: ProviderModel[],
  hardware: Hardware,
  now: () => number = Date.now,
): Promise<RegisterFrame> {
  const packageHash = await ownPackageHash();
  const attestation = await attestServedModels(identity, keyPair, models, hardware, randomBytes(16).toString("hex"), now(), packageHash);
  const benchmarkTps = await storedBenchmarkTps(models.map((m) => m.id));
  return {
    type: "register",
    protocol_version: PROTOCOL_VERSION,
    provider_version: PROVIDER_VERSION,
    attestation,
    hardware,
    models,
    ...(benchmarkTps !== undefined && { benchmark_tps: benchmarkTps }),
  };
}

/**
 * Adds hardware evidence over the frame's attestation when a hardware attester is configured. A
 * failure is logged and the frame goes without it (the provider registers as `self_signed`).
 */
export async function withHardwareEvidence(
  frame: RegisterFrame,
  hardware: HardwareAttester | undefined,
  log: (event: string, fields: Record<string, unknown>) => void,
): Promise<RegisterFrame> {
  if (!hardware) return frame;
  try {
    return { ...frame, hardware_evidence: await hardware.registerEvidence(attestationSubject(frame.attestation)) };
  } catch (err) {
    log("hardware_evidence_failed", { error: (err as Error).message });
    return frame;
  }
}
