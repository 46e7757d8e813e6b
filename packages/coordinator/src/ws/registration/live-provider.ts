import { decodeBase64 } from "@darkbloom/protocol";
import type { LiveProvider, ProviderLink, TrustLevel } from "../../registry/index.js";
import type { AcceptedRegister } from "./check-register.js";
import { announcedPrices } from "./owner.js";

/** The registry entry for a provider that has just passed the proof of possession. */
export function liveProvider(
  id: string,
  pending: AcceptedRegister,
  trustLevel: TrustLevel,
  link: ProviderLink,
  ownerAccountId: string | null,
  now: number,
): LiveProvider {
  const { frame, models } = pending;
  const att = frame.attestation;
  return {
    id,
    kid: att.kid,
    publicKey: decodeBase64(att.encryption_key),
    attestation: att,
    trustLevel,
    version: frame.provider_version,
    models,
    link,
    connectedAt: now,
    lastSeenAt: now,
    slots: new Map(),
    inFlight: 0,
    ownerAccountId,
    prices: announcedPrices(frame, models),
    hardware: frame.hardware,
    ...(frame.benchmark_tps !== undefined && { benchmarkTps: frame.benchmark_tps }),
  };
}
