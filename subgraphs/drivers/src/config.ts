import { envInt, envUrl } from '@rideshare/common';

/** The drivers service's settings beyond the infrastructure (readInfraConfig). */
export function readDriversConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** Asked which passenger rides with a driver (who may see where the driver is). */
    tripsUrl: envUrl('TRIPS_URL', 'http://127.0.0.1:4003/graphql', ['http:', 'https:'], env),
    /**
     * Every move nudges the relay at once; the poll only picks up what a failed pass or a crashed
     * replica left, so it can be slow.
     */
    outboxPollIntervalMs: envInt('DRIVER_OUTBOX_POLL_INTERVAL_MS', 1_000, { min: 20 }, env),
  };
}

export type DriversConfig = ReturnType<typeof readDriversConfig>;
