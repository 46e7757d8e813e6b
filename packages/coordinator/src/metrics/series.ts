/** The label value every series past a metric's cap is folded into (bounded cardinality). */
export const OVERFLOW_LABEL = "other";
/** Longest label value kept; longer ones are cut (values come from our code, this is a backstop). */
export const MAX_LABEL_VALUE_LENGTH = 128;

export type Labels = Readonly<Record<string, string | number>>;

/**
 * The series of one metric, keyed by label values. At most `maxSeries`: a new label set past the
 * cap is counted in one overflow series whose every label is "other", so a misbehaving source can
 * never grow memory or the scrape without bound.
 */
export class SeriesMap<T> {
  private readonly series = new Map<string, { values: string[]; data: T }>();

  constructor(
    readonly labelNames: readonly string[],
    private readonly maxSeries: number,
    private readonly make: () => T,
  ) {
    if (labelNames.length === 0) this.get({});
  }

  get(labels: Labels): T {
    const values = this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new Error(`missing label ${n}`);
      const s = String(v);
      return s.length > MAX_LABEL_VALUE_LENGTH ? s.slice(0, MAX_LABEL_VALUE_LENGTH) : s;
    });
    let key = values.join("\u0000");
    let entry = this.series.get(key);
    if (entry) return entry.data;
    if (this.series.size >= this.maxSeries) {
      const overflow = this.labelNames.map(() => OVERFLOW_LABEL);
      key = overflow.join("\u0000");
      entry = this.series.get(key);
      if (entry) return entry.data;
      entry = { values: overflow, data: this.make() };
    } else entry = { values, data: this.make() };
    this.series.set(key, entry);
    return entry.data;
  }

  get size(): number {
    return this.series.size;
  }

  entries(): Iterable<{ values: string[]; data: T }> {
    return this.series.values();
  }

  /** Drops every series (scrape-time gauges are rebuilt each scrape). */
  clear(): void {
    this.series.clear();
    if (this.labelNames.length === 0) this.get({});
  }
}
