import { scrapedGauge, sharedRead } from '@rideshare/common';

/** What an outbox holds that Kafka has not acknowledged yet. */
export interface OutboxPending {
  count: number;
  /** When the oldest pending entry was written; null when there is none. */
  oldest: Date | null;
}

const AGGREGATE = 'Every replica reads the same shared outbox, so aggregate with max by (relay).';

const backlog = scrapedGauge({
  name: 'outbox_pending_events',
  help: `Outbox entries written but not yet published to Kafka, read at scrape time. ${AGGREGATE}`,
  labelNames: ['relay'],
});

const oldestAge = scrapedGauge({
  name: 'outbox_oldest_pending_age_seconds',
  help: `Age of the oldest outbox entry not yet published (0 when none), read at scrape time. ${AGGREGATE}`,
  labelNames: ['relay'],
});

/** The pending count and oldest entry of a list of pending entries. */
export function summarisePending(entries: Array<{ createdAt: Date }>): OutboxPending {
  let oldest: Date | null = null;
  for (const e of entries) if (!oldest || e.createdAt < oldest) oldest = e.createdAt;
  return { count: entries.length, oldest };
}

/** Reports the relay's outbox while it runs (one read per scrape for both gauges); returns the stop. */
export function watchOutbox(relay: string, pending: () => Promise<OutboxPending>): () => void {
  const read = sharedRead(pending);
  const removers = [
    backlog.addSource(async () => [{ labels: { relay }, value: (await read()).count }]),
    oldestAge.addSource(async () => {
      const { oldest } = await read();
      const age = oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
      return [{ labels: { relay }, value: age }];
    }),
  ];
  return () => removers.forEach((remove) => remove());
}
