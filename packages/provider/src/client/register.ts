import { randomBytes } from "node:crypto";
import { cpus, totalmem, platform, arch } from "node:os";
import {
  PROTOCOL_VERSION,
  type EncryptionKeyPair,
  type Hardware,
  type ProviderModel,
  type RegisterFrame,
} from "@darkbloom/protocol";
import { attestServedModels } from "../attestation/build.js";
import { storedBenchmarkTps } from "../benchmark/store.js";
import type { Identity } from "../identity/identity-store.js";
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
 * Builds a register frame with a freshly signed attestation (new nonce and timestamp), with the
 * stored `darkbloom benchmark` result as benchmark_tps when it was measured on a served model.
 */
export async function buildRegisterFrame(
  identity: Identity,
  keyPair: EncryptionKeyPair,
  models: ProviderModel[],
  hardware: Hardware,
  now: () => number = Date.now,
): Promise<RegisterFrame> {
  const attestation = await attestServedModels(identity, keyPair, models, hardware, randomBytes(16).toString("hex"), now());
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
