export { MetricsRegistry, Counter, Gauge, Histogram, DEFAULT_MAX_SERIES, type MetricOptions, type MetricType } from "./registry.js";
export { OVERFLOW_LABEL, type Labels } from "./series.js";
export { CONTENT_TYPE } from "./exposition.js";
export { CoordinatorMetrics, type MetricsSources } from "./coordinator-metrics.js";
export { metricsRoute } from "./route.js";
export { metricsAccess, isLoopback, type MetricsAccessConfig } from "./access.js";
