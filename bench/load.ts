import http from 'node:http';

/**
 * A small closed-loop load generator: `connections` workers, each on its own keep-alive socket, send
 * one request, wait for the whole answer, check it, and send the next, until the duration is over.
 * Latency is measured per request from just before writing it until its body has been read; the
 * percentiles are exact (every sample is kept and sorted), not estimated from buckets.
 */

export interface LoadRequest {
  body: string;
  /** Returns a problem description, or null when the parsed response is what was expected. */
  check: (response: unknown) => string | null;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationMs: number;
  /** The i-th request of the run (i counts over all workers), so runs can cycle through inputs. */
  request(i: number): LoadRequest;
  /** Sent with every request (e.g. authorization). */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** The first few distinct problems, for the report. */
  errorSamples: string[];
  elapsedMs: number;
  requestsPerSecond: number;
  /** Milliseconds. */
  latency: LatencySummary;
  /** Every request's latency in ms, in completion order (for merging runs). */
  samples: number[];
}

/** Nearest-rank percentile of ascending samples (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? NaN;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] ?? NaN) : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

function post(
  agent: http.Agent,
  target: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const samples: number[] = [];
  const problems = new Map<string, number>();
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + opts.durationMs;

  const fail = (problem: string) => {
    errors += 1;
    problems.set(problem, (problems.get(problem) ?? 0) + 1);
  };

  const worker = async () => {
    while (performance.now() < deadline) {
      const request = opts.request(next++);
      const t0 = performance.now();
      try {
        const { status, text } = await post(agent, target, opts.headers ?? {}, request.body, timeoutMs);
        samples.push(performance.now() - t0);
        if (status !== 200) {
          fail(`HTTP ${status}: ${text.slice(0, 200)}`);
          continue;
        }
        const problem = request.check(JSON.parse(text));
        if (problem) fail(problem);
      } catch (err) {
        samples.push(performance.now() - t0);
        fail(err instanceof Error ? err.message : String(err));
      }
    }
  };

  await Promise.all(Array.from({ length: opts.connections }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    requests: samples.length,
    errors,
    errorSamples: [...problems].slice(0, 5).map(([p, n]) => `${n}× ${p}`),
    elapsedMs,
    requestsPerSecond: samples.length / (elapsedMs / 1000),
    latency: summarize(samples),
    samples,
  };
}

/** Several runs as one: total requests over total time, percentiles over all samples. */
export function mergeResults(results: LoadResult[]): LoadResult {
  const samples = results.flatMap((r) => r.samples);
  const elapsedMs = results.reduce((n, r) => n + r.elapsedMs, 0);
  return {
    requests: samples.length,
    errors: results.reduce((n, r) => n + r.errors, 0),
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 5),
    elapsedMs,
    requestsPerSecond: samples.length / (elapsedMs / 1000),
    latency: summarize(samples),
    samples,
  };
}
