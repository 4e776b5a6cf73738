import { groupsBehind, type TopicEnds } from './consumer-progress';
import type { TripWatcher } from './wave';

/** A trip's subscriber as it stood when the fault landed. */
export interface AtFault {
  open: boolean;
  version: number;
}

export const highestVersion = (w: TripWatcher) => w.versions.reduce((a, b) => Math.max(a, b), 0);

export const snapshotAtFault = (watchers: TripWatcher[]): AtFault[] =>
  watchers.map((w) => ({ open: !w.completed, version: highestVersion(w) }));

export interface RecoveryProbe {
  /** Milliseconds from the fault until recovered; null if `stop` came first. */
  result: Promise<number | null>;
  /** What was still recovering, every few seconds. */
  trace: string[];
  stop(): void;
}

/**
 * Recovered means: every trip that was open at the fault has moved on, as its subscriber saw, and
 * every consumer group has handled what was produced until the faulty part was back (`ends`).
 */
export function probeRecovery(
  prefix: string,
  watchers: TripWatcher[],
  atFault: AtFault[],
  faultAt: number,
  ends: TopicEnds,
): RecoveryProbe {
  const trace: string[] = [];
  let stopped = false;
  const run = async (): Promise<number | null> => {
    let tracedAt = Date.now();
    while (!stopped) {
      const stalled = atFault.flatMap((s, i) => {
        const w = watchers[i]!;
        return !s.open || w.completed || highestVersion(w) > s.version ? [] : [w];
      });
      const behind = await groupsBehind(prefix, ends).catch(() => ['(Kafka not answering)']);
      if (stalled.length === 0 && behind.length === 0) return Date.now() - faultAt;
      if (Date.now() - tracedAt >= 5_000) {
        tracedAt = Date.now();
        const first = stalled[0];
        const example = first ? ` (${first.code} at v${highestVersion(first)})` : '';
        trace.push(
          `+${((Date.now() - faultAt) / 1000).toFixed(0)} s: ${stalled.length} trips not moved on${example}; groups behind: ${behind.join(', ') || 'none'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return null;
  };
  return {
    result: run(),
    trace,
    stop: () => {
      stopped = true;
    },
  };
}
