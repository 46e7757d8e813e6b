import type { RequestDone } from "../http/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { JobOutcomes, JobResult } from "../relay/index.js";
import type { SettleResult } from "../store/index.js";
import { isInferenceRequest } from "../api/inference-routes.js";
import { codeLabel, modelLabel, versionLabel } from "./labels.js";
import { MetricsRegistry } from "./registry.js";

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60];
const TPS_BUCKETS = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000];

export interface MetricsSources {
  registry: ProviderRegistry;
  /** Requests the relay is serving now. */
  relayInFlight: () => number;
  draining: () => boolean;
}

/**
 * The coordinator's Prometheus metrics (names in the package README). Event hooks: `onRequestDone`
 * (the HTTP listener), `onJobResult` (the relay), `onSettled` (the meter), `recordChallenge`
 * (attestation). Live state (providers, slots, queue depth, in flight, draining) is read at scrape
 * time. Model labels are limited to known models, other values are bucketed as "other".
 */
export class CoordinatorMetrics implements JobOutcomes {
  readonly registry = new MetricsRegistry();
  private queueDepth: () => number = () => 0;

  private readonly requests = this.registry.counter({
    name: "darkbloom_requests_total",
    help: "Inference requests answered, by API, model and HTTP status.",
    labelNames: ["api", "model", "status"],
  });
  private readonly rejections = this.registry.counter({
    name: "darkbloom_rejections_total",
    help: "Inference requests refused (4xx, 503), by HTTP status and reason (error code).",
    labelNames: ["status", "reason"],
  });
  private readonly http = this.registry.counter({
    name: "darkbloom_http_requests_total",
    help: "HTTP requests by route pattern and status.",
    labelNames: ["route", "status"],
  });
  private readonly requestTtft = this.registry.histogram({
    name: "darkbloom_request_ttft_seconds",
    help: "Request arrival to first chunk, as the consumer sees it (queue and routing included).",
    labelNames: ["model"],
    buckets: SECONDS_BUCKETS,
  });
  private readonly providerTtft = this.registry.histogram({
    name: "darkbloom_provider_ttft_seconds",
    help: "Dispatch to a provider to its first chunk.",
    labelNames: ["model"],
    buckets: SECONDS_BUCKETS,
  });
  private readonly tps = this.registry.histogram({
    name: "darkbloom_decode_tokens_per_second",
    help: "Completion tokens per second after the first chunk, per finished job.",
    labelNames: ["model"],
    buckets: TPS_BUCKETS,
  });
  private readonly jobs = this.registry.counter({
    name: "darkbloom_provider_jobs_total",
    help: "Dispatches by how they ended for the provider (failover attempts count separately).",
    labelNames: ["model", "result", "code"],
  });
  private readonly challenges = this.registry.counter({
    name: "darkbloom_attestation_challenges_total",
    help: "Attestation challenges answered, by result (pass or fail).",
    labelNames: ["result"],
  });
  private readonly settledMicros = this.registry.counter({
    name: "darkbloom_billing_charged_micro_usd_total",
    help: "Micro-USD charged to consumers by settlements.",
  });
  private readonly refundedMicros = this.registry.counter({
    name: "darkbloom_billing_refunded_micro_usd_total",
    help: "Micro-USD of reservations released by settlements.",
  });
  private readonly settlements = this.registry.counter({
    name: "darkbloom_billing_settlements_total",
    help: "Settlements written, by outcome.",
    labelNames: ["outcome"],
  });
  private readonly providers = this.registry.gauge({
    name: "darkbloom_providers",
    help: "Connected providers by state (gated: no request can reach it; serving: requests in flight; idle), version and trust level.",
    labelNames: ["state", "version", "trust"],
  });
  private readonly gates = this.registry.gauge({
    name: "darkbloom_provider_gates",
    help: "Connected providers held back from traffic by each named gate (for the whole provider or one of its models).",
    labelNames: ["gate"],
  });
  private readonly slots = this.registry.gauge({
    name: "darkbloom_provider_slots",
    help: "Model slots reported in provider heartbeats, by model and slot state.",
    labelNames: ["model", "state"],
  });
  private readonly queue = this.registry.gauge({ name: "darkbloom_queue_depth", help: "Requests waiting for capacity." });
  private readonly inFlight = this.registry.gauge({ name: "darkbloom_requests_in_flight", help: "Requests being served by providers." });
  private readonly drainingGauge = this.registry.gauge({ name: "darkbloom_draining", help: "1 while the coordinator drains for shutdown." });

  constructor(private readonly sources: MetricsSources) {
    this.registry.onCollect(() => this.collect());
  }

  /** The admission queue plugs its depth in here; read at scrape time. */
  setQueueDepthSource(fn: () => number): void {
    this.queueDepth = fn;
  }

  render(): string {
    return this.registry.render();
  }

  onRequestDone(done: RequestDone): void {
    this.http.inc({ route: done.route, status: done.status });
    const path = done.route;
    if (!isInferenceRequest(done.method, path)) return;
    const model = this.model(done.fields.model);
    this.requests.inc({ api: codeLabel(done.fields.api), model, status: done.status });
    if ((done.status >= 400 && done.status < 500) || done.status === 503) {
      this.rejections.inc({ status: done.status, reason: codeLabel(done.fields.error_code ?? `http_${done.status}`) });
    }
    const ttft = done.fields.ttft_ms;
    if (typeof ttft === "number") this.requestTtft.observe({ model }, ttft / 1000);
  }

  onJobResult(_provider: LiveProvider, r: JobResult): void {
    const model = this.model(r.model);
    this.jobs.inc({ model, result: r.ok ? "ok" : "failed", code: r.ok ? "none" : codeLabel(r.code) });
    if (r.ttftMs !== undefined) this.providerTtft.observe({ model }, r.ttftMs / 1000);
    if (r.ok && r.completionTokens !== undefined && r.completionTokens >= 2 && r.decodeMs !== undefined && r.decodeMs > 0) {
      this.tps.observe({ model }, (r.completionTokens - 1) / (r.decodeMs / 1000));
    }
  }

  onSettled(result: SettleResult, outcome: string): void {
    this.settledMicros.inc({}, result.chargedMicros);
    this.refundedMicros.inc({}, result.refundedMicros);
    this.settlements.inc({ outcome: codeLabel(outcome) });
  }

  /** One attestation challenge answered (t8-trust calls this with the verdict). */
  recordChallenge(passed: boolean): void {
    this.challenges.inc({ result: passed ? "pass" : "fail" });
  }

  private model(m: unknown): string {
    return modelLabel(m, (id) => this.sources.registry.knowsModel(id));
  }

  private collect(): void {
    this.providers.reset();
    this.slots.reset();
    this.gates.reset();
    const registry = this.sources.registry;
    for (const p of registry.all()) {
      const status = registry.statusOf(p);
      const state = !status.routable ? "gated" : p.inFlight > 0 ? "serving" : "idle";
      this.providers.inc({ state, version: versionLabel(p.version), trust: status.trustLevel });
      for (const gate of new Set(status.gates.map((g) => g.name))) this.gates.inc({ gate: codeLabel(gate) });
      for (const [model, slot] of p.slots) this.slots.inc({ model: this.model(model), state: codeLabel(slot.state) });
    }
    this.queue.set({}, safe(this.queueDepth));
    this.inFlight.set({}, this.sources.relayInFlight());
    this.drainingGauge.set({}, this.sources.draining() ? 1 : 0);
  }
}

function safe(fn: () => number): number {
  try {
    const v = fn();
    return Number.isFinite(v) ? v : 0;
  } catch {
    return 0;
  }
}
