import type { Producer } from 'kafkajs';
import { errorFields, untraced, type Logger, type TraceCarrier } from '@rideshare/common';
import type { OutboxLease } from './outbox-lease';
import { publishSpans } from './publish-spans';
import { summarisePending, watchOutbox } from './outbox-metrics';

export interface OutboxRelay {
  /** Runs a pass now (after a local write), without waiting for the next poll. */
  nudge: () => void;
  stop: () => Promise<void>;
  /** Runs one pass now (tests). */
  flush: () => Promise<number>;
}

/** One outbox entry as Kafka carries it: keyed by its entity, the envelope as the value. */
export interface OutboxEvent {
  key: string;
  envelope: { id: string; type: string };
  /** The trace context stored with the write: the event is published as part of that trace. */
  trace?: TraceCarrier;
}

export interface OutboxOptions<E> {
  /** Names the relay in its logs. */
  name: string;
  producer: Producer;
  topic: string;
  log: Logger;
  /** How often the outbox is read without a nudge (what a failed pass or a crashed writer left). */
  intervalMs: number;
  /** The entries to send in one pass, each entity's in version order (see `orderedBatch`). */
  nextBatch(): Promise<E[]>;
  toEvent(entry: E): OutboxEvent;
  /** Called only once Kafka acknowledged every entry of the pass. */
  markPublished(sent: E[]): Promise<void>;
  /** After marking, e.g. catching documents up in case a writer died before projecting its change. */
  afterPublished?(sent: E[]): Promise<void>;
  /** With replicas: only the lease's holder publishes (outbox-lease.ts); the others wait their turn. */
  lease?: OutboxLease;
  /** Every unpublished entry, read when /metrics is scraped (outbox backlog and oldest age). */
  pending?: () => Promise<Array<{ createdAt: Date }>>;
}

/** How many entries one pass sends at most (whole entities only, so per-entity order holds). */
const BATCH = 1_000;

/**
 * The unpublished entries to send, oldest version first per entity, cut at whole entities. An
 * entity's unpublished versions are consecutive among its published kind: version N+1 is claimed only
 * once N is logged, and an entry is marked published only after it was sent, so whatever a read
 * misses was sent before.
 */
export function orderedBatch<E extends { version: number; createdAt: Date }>(
  unpublished: E[],
  keyOf: (entry: E) => string,
  max = BATCH,
): E[] {
  const byKey = new Map<string, E[]>();
  for (const e of unpublished) {
    const entries = byKey.get(keyOf(e)) ?? [];
    entries.push(e);
    byKey.set(keyOf(e), entries);
  }
  const groups = [...byKey.values()].map((entries) => entries.sort((a, b) => a.version - b.version));
  // Oldest pending entities first, so a large backlog drains in the order it was written.
  const since = (entries: E[]) => new Date(entries[0]?.createdAt ?? 0).getTime();
  groups.sort((a, b) => since(a) - since(b));
  const batch: E[] = [];
  for (const entries of groups) {
    if (batch.length > 0 && batch.length + entries.length > max) break;
    batch.push(...entries);
  }
  return batch;
}

/**
 * Publishes an outbox to Kafka: reads the pending entries, sends them in one produce call (an
 * idempotent producer keeps each key's order), then marks them published. A crash between send and
 * mark re-sends them after restart: events carry stable ids and consumers are idempotent, so nothing
 * is lost or applied twice. Passes never overlap; a nudge during a pass runs one more after it. A
 * failed pass is logged and retried at the next poll or nudge.
 */
export function startOutboxRelay<E>(opts: OutboxOptions<E>): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  const pass = async (): Promise<number> => {
    if (opts.lease && !(await opts.lease.held())) return 0;
    const pending = await opts.nextBatch();
    if (pending.length === 0) return 0;
    const events = pending.map((entry) => opts.toEvent(entry));
    const spans = publishSpans(opts.topic, events);
    await spans.around(() =>
      opts.producer.send({
        topic: opts.topic,
        messages: events.map(({ key, envelope }, i) => ({
          key,
          value: JSON.stringify(envelope),
          headers: { ...spans.headers[i], 'ce-id': envelope.id, 'ce-type': envelope.type },
        })),
      }),
    );
    await opts.markPublished(pending);
    await opts.afterPublished?.(pending);
    return pending.length;
  };

  const run = (): Promise<number> => {
    if (stopped) return Promise.resolve(0);
    if (running) {
      again = true;
      return running;
    }
    // Untraced whoever nudged: each event's publish span continues its own write's trace instead.
    running = untraced(pass)
      .catch((err: unknown) => {
        opts.log.warn('outbox relay pass failed; will retry', { relay: opts.name, ...errorFields(err) });
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };

  const { pending } = opts;
  const unwatch = pending ? watchOutbox(opts.name, async () => summarisePending(await pending())) : undefined;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void run().finally(schedule), opts.intervalMs);
  };
  schedule();

  return {
    nudge: () => void run(),
    flush: run,
    async stop() {
      stopped = true;
      unwatch?.();
      clearTimeout(timer);
      await running;
    },
  };
}
