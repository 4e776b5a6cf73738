import type { WaveResult } from './wave';

const seconds = (ms: number | null) => (ms === null ? 'never' : (ms / 1000).toFixed(1));
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;

const HEADER = [
  'fault',
  'trips',
  'completed',
  'lost',
  'duplicated',
  'subscriber gaps',
  'subscriber duplicates',
  'archive ≠ events',
  'facts ≠ trips',
  'resubscribed',
  'recovery s',
  'wave s',
  'exits (restarted)',
];

/** One fault's row: what its wave's trips and subscribers came to. */
export function faultRow({ fault, outcome: o, recoveryMs, resubscribed, exits, waveMs }: WaveResult): string {
  return row([
    fault,
    o.trips,
    o.completed,
    o.lost,
    o.duplicated,
    o.subscriberGaps,
    o.subscriberDuplicates,
    o.archiveMismatches,
    o.factMismatches,
    resubscribed,
    seconds(recoveryMs),
    seconds(waveMs),
    exits.join(' ') || '–',
  ]);
}

/** The fault table as Markdown, one row per fault. */
export function faultTable(rows: WaveResult[], driverProblems: number): string {
  return [
    row(HEADER),
    row(HEADER.map(() => '---')),
    ...rows.map(faultRow),
    '',
    `Drivers on two trips at once, over all waves: ${driverProblems}.`,
  ].join('\n');
}
