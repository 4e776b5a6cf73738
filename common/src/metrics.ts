import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { untraced } from './tracing/context';
import type { Route } from './http';

/**
 * The process's one Prometheus registry (a process is one service). Every metric of the system is
 * registered here and served on the service's own HTTP port at /metrics (metricsRoute): the names
 * are listed in docs/metrics.md.
 */
export const metricsRegistry = new Registry();

let processMetrics = false;

/**
 * The /metrics route of a service: Prometheus text of everything registered, each sample labelled
 * `service`, with prom-client's default process metrics (CPU, memory, event loop, GC), started here
 * once per process.
 */
export function metricsRoute(service: string): Route {
  metricsRegistry.setDefaultLabels({ service });
  if (!processMetrics) {
    collectDefaultMetrics({ register: metricsRegistry });
    processMetrics = true;
  }
  return async (_req, res) => {
    // Scrape-time reads (lag, backlog, trips by status) are not traced: a trace per scrape would
    // bury the trips (the scrape's own HTTP span is not traced either).
    const body = await untraced(() => metricsRegistry.metrics());
    res.writeHead(200, {
      'content-type': metricsRegistry.contentType,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
}

interface MetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** A counter in the process's registry. */
export const counter = <L extends string = never>(config: MetricConfig<L>): Counter<L> =>
  new Counter<L>({ ...config, registers: [metricsRegistry] });

/** A gauge in the process's registry, set by the code that knows its value (or by `collect`). */
export const gauge = <L extends string = never>(
  config: MetricConfig<L> & { collect?: () => void },
): Gauge<L> => new Gauge<L>({ ...config, registers: [metricsRegistry] });

/** Seconds-long buckets from 5 ms to 10 s: requests, subgraph fetches. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A histogram of durations in seconds in the process's registry. */
export const durationHistogram = <L extends string = never>(config: MetricConfig<L>): Histogram<L> =>
  new Histogram<L>({ ...config, buckets: DURATION_BUCKETS, registers: [metricsRegistry] });

/** One sample of a gauge read at scrape time. */
export interface GaugeSample<L extends string> {
  labels: Record<L, string | number>;
  value: number;
}

export interface ScrapedGauge<L extends string> {
  /**
   * Adds a reader (e.g. one per consumer or relay running in this process); the returned function
   * removes it again when that part stops.
   */
  addSource(read: () => Promise<Array<GaugeSample<L>>>): () => void;
}

/** How long one scrape waits for a source; a slow database or broker then shows as a failure. */
const SOURCE_TIMEOUT_MS = 2_000;

const scrapeFailures = counter({
  name: 'metrics_scrape_source_failures_total',
  help: 'Scrape-time reads (Kafka offsets, database counts) that failed or took longer than 2 s; their gauge has no samples in that scrape (the count shows from the next one).',
  labelNames: ['metric'],
});

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });

/**
 * A gauge whose values live in a database or Kafka: read when Prometheus scrapes (nothing polls in
 * between), from every source registered at that moment. A source that fails or is slow leaves its
 * samples out of that scrape and counts in metrics_scrape_source_failures_total.
 */
export function scrapedGauge<L extends string>(config: {
  name: string;
  help: string;
  labelNames: readonly L[];
}): ScrapedGauge<L> {
  const sources = new Set<() => Promise<Array<GaugeSample<L>>>>();
  const gauge: Gauge<L> = new Gauge<L>({
    name: config.name,
    help: config.help,
    labelNames: config.labelNames,
    registers: [metricsRegistry],
    async collect() {
      const read = await Promise.allSettled([...sources].map((s) => withTimeout(s(), SOURCE_TIMEOUT_MS)));
      gauge.reset();
      for (const result of read) {
        if (result.status === 'rejected') {
          scrapeFailures.inc({ metric: config.name });
          continue;
        }
        for (const sample of result.value) gauge.set(sample.labels, sample.value);
      }
    },
  });
  return {
    addSource(read) {
      sources.add(read);
      return () => sources.delete(read);
    },
  };
}

/** Calls that overlap share one run of `read`: gauges collected in the same scrape read once. */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => (running ??= read().finally(() => (running = undefined)));
}

/**
 * Keeps a label's values bounded: the first `max` distinct values pass, later new ones become
 * `overflow` (a client-chosen name must not create a series per request).
 */
export function boundedLabel(max: number, overflow = 'other'): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return overflow;
    seen.add(value);
    return value;
  };
}
