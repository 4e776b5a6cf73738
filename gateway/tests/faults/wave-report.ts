import { driverOverlaps, faultRow, type LedgerTrip, type WaveResult } from '@rideshare/testing';

/** Prints a wave's row as it ends (Jest prints console output only after the file), and why it failed. */
export function reportWave(result: WaveResult): void {
  process.stderr.write(`[faults] ${faultRow(result)}\n[faults]   ${result.phases}\n`);
  if (result.outcome.problems.length > 0 || result.recoveryMs === null)
    process.stderr.write(
      `[faults] last warnings of the services during "${result.fault}":\n${result.warnings.slice(-60).join('\n')}\n`,
    );
  if (result.recoveryTrace.length > 0)
    process.stderr.write(`[faults] recovering from "${result.fault}":\n${result.recoveryTrace.join('\n')}\n`);
}

/** Every trip ended once and completed, stored and counted, every subscriber saw it whole. */
export function expectCleanWave(result: WaveResult, everyTrip: LedgerTrip[]): void {
  const o = result.outcome;
  expect({
    lost: o.lost,
    duplicated: o.duplicated,
    completed: o.completed,
    subscriberGaps: o.subscriberGaps,
    subscriberDuplicates: o.subscriberDuplicates,
    archiveMismatches: o.archiveMismatches,
    factMismatches: o.factMismatches,
    driversOnTwoTrips: driverOverlaps(everyTrip),
    recovered: result.recoveryMs !== null,
    problems: o.problems.slice(0, 20),
  }).toEqual({
    lost: 0,
    duplicated: 0,
    completed: o.trips,
    subscriberGaps: 0,
    subscriberDuplicates: 0,
    archiveMismatches: 0,
    factMismatches: 0,
    driversOnTwoTrips: [],
    recovered: true,
    problems: [],
  });
}
