import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { z } from 'zod';

const labels = z.record(z.string(), z.string()).optional();
const familySchema = z.object({
  name: z.string(),
  help: z.string(),
  type: z.enum(['COUNTER', 'GAUGE', 'HISTOGRAM', 'SUMMARY', 'UNTYPED']),
  metrics: z.array(
    z.object({
      value: z.string().optional(),
      count: z.string().optional(),
      sum: z.string().optional(),
      buckets: z.record(z.string(), z.string()).optional(),
      quantiles: z.record(z.string(), z.string()).optional(),
      labels,
    }),
  ),
});
const plainSchema = z.array(
  z.object({ name: z.string(), metrics: z.array(z.object({ value: z.string(), labels })) }),
);

export type MetricFamily = z.infer<typeof familySchema>;

/** One sample line: `name{labels} value` (a histogram's are its _bucket, _sum and _count lines). */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  families: MetricFamily[];
  samples: MetricSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// A sample value as Prometheus reads it (Go's ParseFloat): a float, or Inf/NaN in any case (prom-client writes "Nan").
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

function sampleValue(family: string, text: string): number {
  if (NUMBER.test(text)) return Number(text);
  const special = SPECIAL.exec(text);
  if (!special) throw new Error(`${family} has the non-numeric value "${text}"`);
  if (special[2]?.toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/**
 * Parses Prometheus text exposition with a maintained parser (parse-prometheus-text-format), and
 * checks what it does not: every family has a valid name, a HELP and a TYPE line, and every value
 * is a number. Throws, naming the family, otherwise.
 *
 * The parser folds a histogram's label sets into one entry (keeping one set's buckets), so the
 * samples are read from a second pass over the text without its comment lines, where every sample
 * line stands on its own.
 */
export function parsePrometheusText(text: string): ParsedMetrics {
  const families = z.array(familySchema).parse(parsePrometheusTextFormat(text));
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name "${f.name}"`);
    if (!f.help) throw new Error(`${f.name} has no # HELP line`);
    if (f.type === 'UNTYPED') throw new Error(`${f.name} has no # TYPE line`);
  }
  const lines = text.split('\n').filter((line) => !line.startsWith('#'));
  const plain = plainSchema.parse(parsePrometheusTextFormat(`${lines.join('\n')}\n`));
  const samples = plain.flatMap((f) =>
    f.metrics.map((s) => ({ name: f.name, labels: s.labels ?? {}, value: sampleValue(f.name, s.value) })),
  );
  return { families, samples };
}

/** Scrapes a /metrics URL and parses it (parsePrometheusText); a non-200 answer throws. */
export async function scrapeMetrics(url: string): Promise<ParsedMetrics> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return parsePrometheusText(await res.text());
}

/**
 * The sum of the samples named `name` whose labels include `match` (0 when there are none), e.g.
 * `gateway_request_duration_seconds_count` for a histogram's observations.
 */
export function metricValue(
  metrics: ParsedMetrics,
  name: string,
  match: Record<string, string> = {},
): number {
  return metrics.samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Each sample name's total over its label sets (e.g. a counter labelled by field, summed). */
export function metricTotals(metrics: ParsedMetrics): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const s of metrics.samples) totals[s.name] = (totals[s.name] ?? 0) + s.value;
  return totals;
}
