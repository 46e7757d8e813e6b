import type { WebSocket } from "ws";
import {
  CLOSE_GOING_AWAY,
  CLOSE_POLICY,
  CLOSE_REPLACED,
  CLOSE_UNSUPPORTED_VERSION,
  PROTOCOL_VERSION,
  decodeProviderFrame,
  encodeFrame,
  type Attestation,
  type AttestationResponseFrame,
  type Challenge,
  type ProviderFrame,
  type RegisterFrame,
  type UpdateModelsFrame,
  type VerifyAttestationOptions,
} from "@darkbloom/protocol";
import { errorFields, type Logger } from "../log/index.js";
import type { LiveProvider, ProviderLink, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import type { ConnectionTrust } from "../trust/index.js";
import { earnedTrustLevel, type HardwareSession, type HardwareVerifiers } from "../trust/index.js";
import type { ModelLoadEvents } from "../warm-pool/index.js";
import { parseChunkFrame } from "./chunk-frame.js";
import { LaneWriter } from "./lane-writer.js";
import {
  ATTESTATION_MAX_AGE_MS,
  admit,
  checkRegister,
  checkUpdateModels,
  newChallenge,
  peekRegisterVersion,
  provesPossession,
  versionRefusal,
  admitAccount,
  liveProvider,
  hardwareAnswered,
  startHardwareCheck,
  type AcceptedRegister,
  type BearerAccount,
  type RegistrationPolicy,
} from "./registration/index.js";
import { capTrustForRelease } from "../releases/index.js";
import { providerIdFor } from "./provider-id.js";

/** What the socket layer tells the relay. Providers are passed as instances, not ids. */
export interface ProviderEvents {
  onProviderFrame(provider: LiveProvider, frame: ProviderFrame): void;
  onProviderGone(provider: LiveProvider): void;
  /**
   * The provider's capacity changed in the registry: it registered, a heartbeat updated its
   * slots, or its models changed (admission wakes waiting requests).
   */
  onProviderCapacity?(provider: LiveProvider, why: "registered" | "heartbeat" | "models"): void;
  /** A proven provider was added to the registry (reputation: uptime). */
  onProviderAdmitted?(provider: LiveProvider): void;
}

export interface ProviderSocketDeps extends RegistrationPolicy {
  registry: ProviderRegistry;
  events: ProviderEvents;
  clock: Clock;
  logger: Logger;
  verifyAttestation: (att: Attestation, opts: VerifyAttestationOptions) => Promise<boolean>;
  /** The whole handshake (register, challenge, response) must finish this soon after connecting. */
  registerTimeoutMs: number;
  heartbeatIntervalMs: number;
  writeTimeoutMs: number;
  /** Register attestations must be this fresh (default ±5 min). */
  attestationMaxAgeMs?: number;
  /** Periodic challenges once registered (src/trust); absent: only the registration proof. */
  trust?: { attach(provider: LiveProvider): ConnectionTrust };
  /**
   * Records that a proven provider identity earns for an account (store.devices.link: moves what
   * it earned unlinked). Called after the proof for every linked registration.
   */
  linkDevice?: (link: { deviceId: string; identityKey: string; accountId: string }) => Promise<unknown>;
  /** Verifiers of register `hardware_evidence` (trust level `hardware`); absent or empty: none earn it. */
  hardware?: HardwareVerifiers;
  /** The warm pool: heartbeats (free_for_load_gb), load_model_status answers, disconnects. */
  modelLoads?: ModelLoadEvents;
}

export { CLOSE_GOING_AWAY, CLOSE_POLICY, CLOSE_REPLACED };
const WRITE_HIGH_WATER_BYTES = 1 << 20;

/** Close reasons are at most 123 bytes of UTF-8; keep them printable ASCII to be safe. */
const closeReason = (s: string): string => s.replace(/[^\x20-\x7e]/g, "?").slice(0, 123);

type Phase =
  | { name: "awaiting_register" }
  | { name: "verifying" }
  | { name: "challenged"; pending: AcceptedRegister; challenge: Challenge; ownerAccountId: string | null; knownRelease: boolean; hardware: HardwareSession | undefined }
  | { name: "registered"; provider: LiveProvider }
  | { name: "closed" };

/**
 * Serves one provider WebSocket: the registration handshake (register → attestation checks →
 * attestation_challenge → signed attestation_response → registered), frame decoding, the
 * two-lane writer and cleanup. Nothing reaches the registry, and so no request is routed here,
 * before the proof of possession of the identity key passes.
 */
export function attachProviderSocket(ws: WebSocket, remote: string, deps: ProviderSocketDeps, bearer?: BearerAccount): void {
  const { registry, events, clock } = deps;
  const maxAgeMs = deps.attestationMaxAgeMs ?? ATTESTATION_MAX_AGE_MS;
  let log = deps.logger.child({ remote });
  let phase: Phase = { name: "awaiting_register" };
  /** Set once registered; kept after a later rejection so the close handler still removes it. */
  let admitted: LiveProvider | undefined;
  let trust: ConnectionTrust | undefined;

  const writer = new LaneWriter(
    { send: (data, cb) => ws.send(data, cb) },
    {
      clock,
      highWaterBytes: WRITE_HIGH_WATER_BYTES,
      writeTimeoutMs: deps.writeTimeoutMs,
      onStuck: () => {
        log.warn("provider socket stuck; dropping", { pending_frames: writer.pendingFrames });
        ws.terminate();
      },
    },
  );

  const reject = (reason: string, code = CLOSE_POLICY) => {
    log.warn("provider rejected", { reason, code });
    phase = { name: "closed" };
    ws.close(code, closeReason(reason));
  };

  const registerTimer = clock.setTimeout(() => {
    if (phase.name !== "registered" && phase.name !== "closed") reject("register timeout");
  }, deps.registerTimeoutMs);

  async function onRegister(frame: RegisterFrame): Promise<void> {
    const checked = await checkRegister(frame, { now: clock.now(), maxAgeMs, verifyAttestation: deps.verifyAttestation });
    if (phase.name !== "verifying") return; // closed while verifying
    if (!checked.ok) return reject(checked.reason, checked.code);
    const admission = await admitAccount(frame, bearer, deps);
    if (phase.name !== "verifying") return;
    if (!admission.ok) return reject(admission.reason, admission.code);
    const hardware = await startHardwareCheck(frame, deps.hardware, clock.now(), log);
    if (phase.name !== "verifying") return;
    const challenge = newChallenge(clock.now());
    phase = { name: "challenged", pending: checked, challenge, ownerAccountId: admission.ownerAccountId, knownRelease: admission.knownRelease, hardware };
    const hardwareChallenge = hardware?.challenge;
    writer.send(encodeFrame({ type: "attestation_challenge", ...challenge, ...(hardwareChallenge && { hardware_challenge: hardwareChallenge }) }), "control");
  }

  async function onProof(
    pending: AcceptedRegister,
    challenge: Challenge,
    response: AttestationResponseFrame,
    ownerAccountId: string | null,
    knownRelease: boolean,
    hardware: HardwareSession | undefined,
  ): Promise<void> {
    const { frame, models } = pending;
    const att = frame.attestation;
    if (!provesPossession(challenge, response, att)) {
      return reject("attestation challenge failed: not signed by the registered identity key");
    }
    phase = { name: "verifying" };
    const hardwareProven = hardware !== undefined && (await hardwareAnswered(hardware, response, challenge, att.encryption_key, clock.now(), log));
    if (phase.name !== "verifying") return; // closed while verifying
    const now = clock.now();
    // Earned by the proof just checked, and by verified hardware evidence; a package that is not a
    // registered release stays self_signed at most.
    const trustLevel = capTrustForRelease(earnedTrustLevel({ hardware: hardwareProven }), knownRelease);
    const link: ProviderLink = {
      send: (f, lane) => writer.send(encodeFrame(f), lane),
      close: (code, reason) => (code === CLOSE_REPLACED || code === CLOSE_GOING_AWAY ? ws.close(code, reason) : ws.terminate()),
    };
    const result = admit(registry, events, att.identity_key, att.kid, (id) => liveProvider(id, pending, trustLevel, link, ownerAccountId, now));
    if (!result.ok) return reject(result.reason, result.code);
    const provider = (admitted = result.provider);
    phase = { name: "registered", provider };
    clock.clearTimeout(registerTimer);
    log = deps.logger.child({ provider_id: provider.id, kid: att.kid });
    writer.send(
      encodeFrame({
        type: "registered",
        provider_id: provider.id,
        protocol_version: PROTOCOL_VERSION,
        heartbeat_interval_ms: deps.heartbeatIntervalMs,
        trust_level: provider.trustLevel,
      }),
      "control",
    );
    // Then what (if anything) keeps it from traffic: "connected but gets no requests" has an answer.
    registry.announceStatus(provider);
    log.info("provider registered", {
      version: frame.provider_version,
      models: [...models.keys()].join(","),
      backend: frame.hardware.backend,
      trust_level: provider.trustLevel,
      remote,
      linked: ownerAccountId !== null,
      known_release: knownRelease,
    });
    trust = deps.trust?.attach(provider);
    events.onProviderCapacity?.(provider, "registered");
    if (ownerAccountId !== null && deps.linkDevice) {
      deps.linkDevice({ deviceId: providerIdFor(att.identity_key), identityKey: att.identity_key, accountId: ownerAccountId }).catch((err) => log.error("linking the provider to its account failed", errorFields(err)));
    }
  }

  let updating = false;

  /**
   * `update_models` on a registered connection: the same checks as register, plus same identity
   * and sealing key. The answer goes on the data lane, behind every request already queued for
   * the old models, so the provider knows that whatever arrives after it was routed by the new
   * set. A refusal leaves the old models in place and the connection open.
   */
  async function onUpdateModels(provider: LiveProvider, frame: UpdateModelsFrame): Promise<void> {
    const answer = (accepted: boolean, models: string[], reason?: string): void => {
      writer.send(encodeFrame({ type: "models_updated", accepted, models, ...(reason !== undefined && { reason: reason.slice(0, 512) }) }), "data");
    };
    if (updating) return answer(false, [...provider.models.keys()], "a model update is already in progress");
    updating = true;
    try {
      const checked = await checkUpdateModels(provider, frame, { now: clock.now(), maxAgeMs, verifyAttestation: deps.verifyAttestation });
      if (phase.name !== "registered" || phase.provider !== provider) return;
      if (!checked.ok) {
        log.warn("provider model update refused", { reason: checked.reason });
        return answer(false, [...provider.models.keys()], checked.reason);
      }
      const before = [...provider.models.keys()];
      if (!registry.updateModels(provider, { models: checked.models, attestation: frame.attestation, prices: checked.prices })) return;
      log.info("provider models updated", { from: before.join(","), models: [...checked.models.keys()].join(","), in_flight: provider.inFlight });
      answer(true, [...checked.models.keys()]);
      events.onProviderCapacity?.(provider, "models");
    } finally {
      updating = false;
    }
  }

  function handle(frame: ProviderFrame): void {
    switch (phase.name) {
      case "closed":
        return;
      case "awaiting_register":
        if (frame.type !== "register") return reject(`expected register, got ${frame.type}`);
        phase = { name: "verifying" };
        onRegister(frame).catch((err) => {
          log.error("registration failed", errorFields(err));
          reject("registration failed");
        });
        return;
      case "verifying":
        return reject(`unexpected ${frame.type} frame during registration`);
      case "challenged":
        if (frame.type !== "attestation_response") return reject(`expected attestation_response, got ${frame.type}`);
        onProof(phase.pending, phase.challenge, frame, phase.ownerAccountId, phase.knownRelease, phase.hardware).catch((err) => {
          log.error("registration failed", errorFields(err));
          reject("registration failed");
        });
        return;
      case "registered": {
        const p = phase.provider;
        p.lastSeenAt = clock.now();
        switch (frame.type) {
          case "register":
            return reject("already registered");
          case "attestation_response":
            // A periodic challenge's answer; an unexpected one counts as a failed challenge.
            if (!trust) return reject("no attestation challenge is outstanding");
            return trust.onResponse(frame);
          case "heartbeat":
            registry.applyHeartbeat(p.id, frame, p.lastSeenAt);
            deps.modelLoads?.onHeartbeat(p, frame);
            return events.onProviderCapacity?.(p, "heartbeat");
          case "load_model_status":
            return deps.modelLoads?.onLoadStatus(p, frame);
          case "update_models":
            onUpdateModels(p, frame).catch((err) => {
              log.error("model update failed", errorFields(err));
              reject("model update failed");
            });
            return;
          default:
            return events.onProviderFrame(p, frame);
        }
      }
    }
  }

  ws.on("message", (data, isBinary) => {
    let frame: ProviderFrame;
    try {
      if (isBinary) frame = decodeProviderFrame(data as Buffer);
      else {
        const text = (data as Buffer).toString("utf8");
        frame = parseChunkFrame(text) ?? decodeProviderFrame(text);
      }
    } catch (err) {
      // Another protocol version's register frame may not decode: still say what to upgrade to.
      const version = phase.name === "awaiting_register" ? peekRegisterVersion((data as Buffer).toString("utf8")) : undefined;
      if (version !== undefined && version !== PROTOCOL_VERSION) return reject(versionRefusal(version), CLOSE_UNSUPPORTED_VERSION);
      log.warn("bad provider frame", errorFields(err));
      phase = { name: "closed" };
      ws.close(CLOSE_POLICY, "bad frame");
      return;
    }
    handle(frame);
  });

  ws.on("error", (err) => log.warn("provider socket error", errorFields(err)));

  ws.on("close", (code) => {
    const provider = admitted;
    phase = { name: "closed" };
    clock.clearTimeout(registerTimer);
    trust?.stop();
    writer.close();
    // Also after an eviction (the registry dropped it already): the pool's state for it goes.
    if (provider) deps.modelLoads?.onProviderGone(provider);
    if (provider && registry.remove(provider)) {
      log.info("provider disconnected", { code, in_flight: provider.inFlight });
      events.onProviderGone(provider);
    }
  });
}
