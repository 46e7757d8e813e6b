import { checkLabelName, checkMetricName, escapeHelp, formatLabels, sampleLine } from "./exposition.js";
import { SeriesMap, type Labels } from "./series.js";

export type MetricType = "counter" | "gauge" | "histogram";

/** Default cap on label sets per metric. */
export const DEFAULT_MAX_SERIES = 500;

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  maxSeries?: number;
}

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  render(out: string[]): void;
}

abstract class Base<T> implements Metric {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  protected readonly series: SeriesMap<T>;

  constructor(opts: MetricOptions, make: () => T, reserved: readonly string[] = []) {
    checkMetricName(opts.name);
    const labelNames = opts.labelNames ?? [];
    for (const l of labelNames) checkLabelName(l, reserved);
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`duplicate label name in ${opts.name}`);
    this.name = opts.name;
    this.help = opts.help;
    this.series = new SeriesMap(labelNames, opts.maxSeries ?? DEFAULT_MAX_SERIES, make);
  }

  abstract render(out: string[]): void;
}

/** A monotonically increasing total. */
export class Counter extends Base<{ v: number }> {
  readonly type = "counter";

  constructor(opts: MetricOptions) {
    super(opts, () => ({ v: 0 }));
  }

  inc(labels: Labels = {}, by = 1): void {
    if (!Number.isFinite(by) || by < 0) throw new Error(`${this.name}: a counter only goes up (got ${by})`);
    this.series.get(labels).v += by;
  }

  render(out: string[]): void {
    for (const { values, data } of this.series.entries()) out.push(sampleLine(this.name, formatLabels(this.series.labelNames, values), data.v));
  }
}

/** A value that goes up and down; scrape-time gauges `reset()` and set every series per scrape. */
export class Gauge extends Base<{ v: number }> {
  readonly type = "gauge";

  constructor(opts: MetricOptions) {
    super(opts, () => ({ v: 0 }));
  }

  set(labels: Labels, v: number): void {
    this.series.get(labels).v = v;
  }

  inc(labels: Labels = {}, by = 1): void {
    this.series.get(labels).v += by;
  }

  reset(): void {
    this.series.clear();
  }

  render(out: string[]): void {
    for (const { values, data } of this.series.entries()) out.push(sampleLine(this.name, formatLabels(this.series.labelNames, values), data.v));
  }
}

interface HistogramData {
  /** Per bucket (not cumulative); the last is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations in fixed buckets (upper bounds, inclusive), with their sum and count. */
export class Histogram extends Base<HistogramData> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(opts: MetricOptions & { buckets: readonly number[] }) {
    const buckets = [...opts.buckets].sort((a, b) => a - b);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b === buckets[i - 1]))) {
      throw new Error(`${opts.name}: buckets must be finite and distinct`);
    }
    super(opts, () => ({ counts: new Array<number>(buckets.length + 1).fill(0), sum: 0, count: 0 }), ["le"]);
    this.buckets = buckets;
  }

  observe(labels: Labels, v: number): void {
    if (!Number.isFinite(v)) return;
    const d = this.series.get(labels);
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]!) i++;
    d.counts[i]!++;
    d.sum += v;
    d.count++;
  }

  render(out: string[]): void {
    const names = this.series.labelNames;
    for (const { values, data } of this.series.entries()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += data.counts[i]!;
        out.push(sampleLine(`${this.name}_bucket`, formatLabels(names, values, ["le", String(b)]), cumulative));
      });
      out.push(sampleLine(`${this.name}_bucket`, formatLabels(names, values, ["le", "+Inf"]), data.count));
      out.push(sampleLine(`${this.name}_sum`, formatLabels(names, values), data.sum));
      out.push(sampleLine(`${this.name}_count`, formatLabels(names, values), data.count));
    }
  }
}

/**
 * A small Prometheus registry: metrics render in registration order; collectors run first at each
 * scrape (they set gauges read from live state: providers, queue depth, draining).
 */
export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: (() => void)[] = [];

  counter(opts: MetricOptions): Counter {
    return this.add(new Counter(opts));
  }

  gauge(opts: MetricOptions): Gauge {
    return this.add(new Gauge(opts));
  }

  histogram(opts: MetricOptions & { buckets: readonly number[] }): Histogram {
    return this.add(new Histogram(opts));
  }

  /** Runs before every scrape. */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  /** The text exposition (format 0.0.4), ending with a line feed. */
  render(): string {
    for (const c of this.collectors) c();
    const out: string[] = [];
    for (const m of this.metrics) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`);
      m.render(out);
    }
    return `${out.join("\n")}\n`;
  }

  private add<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
}
