import { nextBatch } from '../src/lifecycle/outbox-relay';
import type { TripEventLogRecord } from '../src/models';

const entry = (code: string, version: number, createdAt: number): TripEventLogRecord =>
  ({ _id: `${code}:${version}`, code, version, createdAt: new Date(createdAt) }) as TripEventLogRecord;

describe('nextBatch', () => {
  it('should order each trip by version and the trips by their oldest pending entry', () => {
    const batch = nextBatch([entry('B', 2, 20), entry('A', 3, 30), entry('B', 1, 10), entry('A', 2, 25)]);
    expect(batch.map((e) => e._id)).toEqual(['B:1', 'B:2', 'A:2', 'A:3']);
  });

  it('should cut at whole trips, so no trip sends a later version without the earlier ones', () => {
    const batch = nextBatch([entry('A', 1, 1), entry('A', 2, 2), entry('B', 1, 3), entry('B', 2, 4)], 3);
    expect(batch.map((e) => e._id)).toEqual(['A:1', 'A:2']);
  });

  it('should still send one trip larger than the limit', () => {
    const batch = nextBatch([entry('A', 1, 1), entry('A', 2, 2), entry('A', 3, 3)], 2);
    expect(batch.map((e) => e._id)).toEqual(['A:1', 'A:2', 'A:3']);
  });
});
