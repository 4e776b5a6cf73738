import type { ExecutionResult } from 'graphql';
import { metricsRegistry } from '@rideshare/common';
import { metricValue, parsePrometheusText } from '@rideshare/testing';
import { countedStream, operationLabel } from '../src/metrics';

const scrape = async () => parsePrometheusText(await metricsRegistry.metrics());

async function* generate(n: number): AsyncGenerator<ExecutionResult> {
  for (let i = 1; i <= n; i++) yield { data: { n: i } };
}

/** A stream of n updates, shaped like the gateway's (return() takes no value). */
function updates(n: number) {
  const generator = generate(n);
  return {
    next: () => generator.next(),
    return: () => generator.return(undefined),
    throw: (err: unknown) => generator.throw(err),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

describe('operationLabel', () => {
  it('should name resolved operations, with anonymous and unresolved ones collapsed', () => {
    expect(operationLabel(true, 'RequestTrip')).toBe('RequestTrip');
    expect(operationLabel(true, undefined)).toBe('anonymous');
    expect(operationLabel(false, 'Whatever')).toBe('unknown');
  });
});

describe('countedStream', () => {
  const active = async (field: string) =>
    metricValue(await scrape(), 'gateway_active_subscriptions', { field });
  const delivered = async (field: string) =>
    metricValue(await scrape(), 'gateway_subscription_deliveries_total', { field });

  it('should count a stream as active until it ends, and each update it yields as a delivery', async () => {
    const stream = countedStream('ends', updates(2));
    expect(await active('ends')).toBe(1);
    const seen: unknown[] = [];
    for await (const update of stream) seen.push(update.data);
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await active('ends')).toBe(0);
    expect(await delivered('ends')).toBe(2);
  });

  it('should stop counting it once when the subscriber leaves early', async () => {
    const stream = countedStream('left', updates(5));
    await stream.next();
    await stream.return();
    await stream.return();
    expect(await active('left')).toBe(0);
    expect(await delivered('left')).toBe(1);
  });
});
