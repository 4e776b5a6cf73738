import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { counter, createHttpServer, durationHistogram, metricsRoute, scrapedGauge } from '@rideshare/common';
import { metricValue, parsePrometheusText, scrapeMetrics } from '../src/prometheus';

const jobs = counter({ name: 'test_jobs_total', help: 'Jobs done.', labelNames: ['kind'] });
const took = durationHistogram({ name: 'test_job_duration_seconds', help: 'How long jobs took.' });
const queued = scrapedGauge({ name: 'test_queued', help: 'Jobs waiting.', labelNames: ['queue'] });

async function serve(): Promise<{ url: string; close(): Promise<void> }> {
  const server: http.Server = createHttpServer({ '/metrics': metricsRoute('test-service') });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('metricsRoute and parsePrometheusText', () => {
  it('should serve every metric with HELP, TYPE, the service label and the default process metrics', async () => {
    jobs.inc({ kind: 'a' }, 2);
    jobs.inc({ kind: 'b' });
    took.observe(0.2);
    const remove = queued.addSource(async () => [
      { labels: { queue: 'x' }, value: 3 },
      { labels: { queue: 'y' }, value: 4 },
    ]);
    const server = await serve();
    try {
      const res = await fetch(server.url);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const metrics = parsePrometheusText(await res.text());
      const { families } = metrics;
      const byName = new Map(families.map((f) => [f.name, f]));
      expect(byName.get('test_jobs_total')?.type).toBe('COUNTER');
      expect(byName.get('test_job_duration_seconds')?.type).toBe('HISTOGRAM');
      expect(byName.get('test_queued')?.type).toBe('GAUGE');
      expect(byName.has('process_cpu_seconds_total')).toBe(true);
      expect(byName.has('nodejs_heap_size_used_bytes')).toBe(true);
      expect(metricValue(metrics, 'test_jobs_total')).toBe(3);
      expect(metricValue(metrics, 'test_jobs_total', { kind: 'a' })).toBe(2);
      expect(metricValue(metrics, 'test_job_duration_seconds_count', { service: 'test-service' })).toBe(1);
      expect(metricValue(metrics, 'test_job_duration_seconds_bucket', { le: '0.25' })).toBe(1);
      expect(metricValue(metrics, 'test_job_duration_seconds_bucket', { le: '0.1' })).toBe(0);
      expect(metricValue(metrics, 'test_queued', { service: 'test-service' })).toBe(7);

      // A source that stops is gone from the next scrape; one that fails is counted.
      remove();
      const failing = queued.addSource(async () => {
        throw new Error('broker away');
      });
      const later = await scrapeMetrics(server.url);
      failing();
      expect(later.families.find((f) => f.name === 'test_queued')?.metrics).toEqual([]);
      // Counted while that scrape collects, so it shows in the next one.
      const next = await scrapeMetrics(server.url);
      expect(metricValue(next, 'metrics_scrape_source_failures_total', { metric: 'test_queued' })).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('should refuse text without HELP or TYPE, or with a value that is not a number', () => {
    expect(() => parsePrometheusText('# TYPE a counter\na 1\n')).toThrow('a has no # HELP line');
    expect(() => parsePrometheusText('# HELP a A.\na 1\n')).toThrow('a has no # TYPE line');
    expect(() => parsePrometheusText('# HELP a A.\n# TYPE a gauge\na one\n')).toThrow('non-numeric value');
    expect(parsePrometheusText('# HELP a A.\n# TYPE a gauge\na{x="1"} +Inf\n').samples).toEqual([
      { name: 'a', labels: { x: '1' }, value: Number.POSITIVE_INFINITY },
    ]);
  });
});
