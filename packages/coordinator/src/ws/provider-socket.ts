import type { WebSocket } from "ws";
import {
  PROTOCOL_VERSION,
  decodeBase64,
  decodeProviderFrame,
  encodeFrame,
  type Attestation,
  type ProviderFrame,
  type RegisterFrame,
} from "@darkbloom/protocol";
import { errorFields, type Logger } from "../log/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import { parseChunkFrame } from "./chunk-frame.js";
import { LaneWriter } from "./lane-writer.js";
import { providerIdFor } from "./provider-id.js";

/** What the socket layer tells the relay. Providers are passed as instances, not ids. */
export interface ProviderEvents {
  onProviderFrame(provider: LiveProvider, frame: ProviderFrame): void;
  onProviderGone(provider: LiveProvider): void;
}

export interface ProviderSocketDeps {
  registry: ProviderRegistry;
  events: ProviderEvents;
  clock: Clock;
  logger: Logger;
  verifyAttestation: (att: Attestation) => Promise<boolean>;
  registerTimeoutMs: number;
  heartbeatIntervalMs: number;
  writeTimeoutMs: number;
}

export const CLOSE_POLICY = 1008;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_REPLACED = 4001;
const WRITE_HIGH_WATER_BYTES = 1 << 20;
const MAX_EARLY_FRAMES = 32;

/** Serves one provider WebSocket: registration, frame decoding, the two-lane writer, cleanup. */
export function attachProviderSocket(ws: WebSocket, remote: string, deps: ProviderSocketDeps): void {
  const { registry, events, clock } = deps;
  let log = deps.logger.child({ remote });
  let provider: LiveProvider | undefined;
  let phase: "awaiting_register" | "verifying" | "registered" | "closed" = "awaiting_register";
  const early: ProviderFrame[] = [];

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

  const reject = (reason: string) => {
    log.warn("provider rejected", { reason });
    phase = "closed";
    ws.close(CLOSE_POLICY, reason.slice(0, 120));
  };

  const registerTimer = clock.setTimeout(() => {
    if (phase === "awaiting_register" || phase === "verifying") reject("register timeout");
  }, deps.registerTimeoutMs);

  async function register(frame: RegisterFrame): Promise<void> {
    phase = "verifying";
    if (frame.protocol_version !== PROTOCOL_VERSION) {
      return reject(`unsupported protocol version ${frame.protocol_version}; coordinator speaks ${PROTOCOL_VERSION}`);
    }
    const att = frame.attestation;
    if (!(await deps.verifyAttestation(att))) return reject("attestation did not verify");
    if (phase !== "verifying") return; // closed while verifying
    const attested = new Set(att.models.map((m) => m.id));
    const models = new Map(frame.models.filter((m) => attested.has(m.id)).map((m) => [m.id, m]));
    if (models.size === 0) return reject("none of the registered models is covered by the attestation");

    let id = providerIdFor(att.identity_key);
    const existing = registry.get(id);
    if (existing && existing.kid === att.kid) {
      existing.link.close(CLOSE_REPLACED, "replaced by a new connection");
      if (registry.remove(existing)) events.onProviderGone(existing);
    } else if (existing) {
      id = `${id}-${att.kid.slice(0, 8)}`;
      if (registry.get(id)) return reject("this identity and key are already connected");
    }
    if (registry.findByKid(att.kid)) return reject("encryption key already registered by another provider");

    const now = clock.now();
    provider = {
      id,
      kid: att.kid,
      publicKey: decodeBase64(att.encryption_key),
      attestation: att,
      trustLevel: "self_signed",
      version: frame.provider_version,
      models,
      link: {
        send: (f, lane) => writer.send(encodeFrame(f), lane),
        close: (code, reason) => (code === CLOSE_REPLACED || code === CLOSE_GOING_AWAY ? ws.close(code, reason) : ws.terminate()),
      },
      connectedAt: now,
      lastSeenAt: now,
      slots: new Map(),
      inFlight: 0,
    };
    registry.add(provider);
    phase = "registered";
    clock.clearTimeout(registerTimer);
    log = deps.logger.child({ provider_id: id, kid: att.kid });
    writer.send(
      encodeFrame({
        type: "registered",
        provider_id: id,
        protocol_version: PROTOCOL_VERSION,
        heartbeat_interval_ms: deps.heartbeatIntervalMs,
        trust_level: provider.trustLevel,
      }),
      "control",
    );
    log.info("provider registered", { version: frame.provider_version, models: [...models.keys()].join(","), remote });
    for (const f of early.splice(0)) handle(f);
  }

  function handle(frame: ProviderFrame): void {
    if (phase === "closed") return;
    if (phase === "awaiting_register") {
      if (frame.type !== "register") return reject(`expected register, got ${frame.type}`);
      register(frame).catch((err) => {
        log.error("registration failed", errorFields(err));
        reject("registration failed");
      });
      return;
    }
    if (phase === "verifying") {
      if (frame.type === "register" || early.length >= MAX_EARLY_FRAMES) return reject("unexpected frame during registration");
      early.push(frame);
      return;
    }
    const p = provider!;
    p.lastSeenAt = clock.now();
    switch (frame.type) {
      case "register":
        return reject("already registered");
      case "heartbeat":
        return registry.applyHeartbeat(p.id, frame, p.lastSeenAt);
      default:
        return events.onProviderFrame(p, frame);
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
      log.warn("bad provider frame", errorFields(err));
      phase = "closed";
      ws.close(CLOSE_POLICY, "bad frame");
      return;
    }
    handle(frame);
  });

  ws.on("error", (err) => log.warn("provider socket error", errorFields(err)));

  ws.on("close", (code) => {
    phase = "closed";
    clock.clearTimeout(registerTimer);
    writer.close();
    if (provider && registry.remove(provider)) {
      log.info("provider disconnected", { code, in_flight: provider.inFlight });
      events.onProviderGone(provider);
    }
  });
}
