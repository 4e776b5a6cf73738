import { envInt, envNumber } from '@rideshare/common';

/** Every interval, window and count of the lifecycle, from the environment (tests compress them). */
export function readLifecycleConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    searchRadiusMiles: envNumber('TRIP_SEARCH_RADIUS_MILES', 15, { min: 0.1, max: 300 }, env),
    maxDriversNotified: envInt('TRIP_MAX_DRIVERS_NOTIFIED', 10, { min: 1, max: 100 }, env),
    acceptWindowMs: envInt('TRIP_ACCEPT_WINDOW_MS', 120_000, { min: 100 }, env),
    monitorIntervalMs: envInt('TRIP_MONITOR_INTERVAL_MS', 10_000, { min: 50 }, env),
    monitorMaxChecks: envInt('TRIP_MONITOR_MAX_CHECKS', 20, { min: 1 }, env),
    arrivalDistanceM: envNumber('TRIP_ARRIVAL_DISTANCE_M', 50, { min: 1 }, env),
    scanIntervalMs: envInt('ORCHESTRATOR_SCAN_INTERVAL_MS', 250, { min: 20 }, env),
    sweepIntervalMs: envInt('ORCHESTRATOR_SWEEP_INTERVAL_MS', 60_000, { min: 100 }, env),
    outboxPollIntervalMs: envInt('OUTBOX_POLL_INTERVAL_MS', 200, { min: 20 }, env),
  };
}

export type LifecycleConfig = ReturnType<typeof readLifecycleConfig>;
