import { attestKeys, type Attestation, type EncryptionKeyPair, type Hardware, type ProviderModel } from "@darkbloom/protocol";
import type { Identity } from "../identity/identity-store.js";
import { PROVIDER_VERSION } from "../version.js";

/**
 * This process's attestation: the identity key signs the sealing key, the software version, each
 * served model with its weight hash, the hardware, and a nonce (the coordinator's challenge nonce,
 * or a random one at registration) with the provider's clock.
 */
export function attestServedModels(
  identity: Identity,
  keyPair: EncryptionKeyPair,
  models: readonly ProviderModel[],
  hardware: Hardware,
  nonce: string,
  now: number,
  packageHash?: string,
): Promise<Attestation> {
  return attestKeys(identity, keyPair, {
    provider_version: PROVIDER_VERSION,
    ...(packageHash !== undefined && { package_hash: packageHash }),
    models: models.map((m) => (m.weight_hash ? { id: m.id, weight_hash: m.weight_hash } : { id: m.id })),
    hardware: { ...hardware },
    nonce,
    timestamp: now,
  });
}
