import { partitionLag, summarisePending } from '../src';

describe('partitionLag', () => {
  it('should be the end offset minus the committed one, from the oldest retained message when never committed', () => {
    const ends = [
      { partition: 0, high: '10', low: '0' },
      { partition: 1, high: '7', low: '3' },
      { partition: 2, high: '5', low: '0' },
      { partition: 3, high: '0', low: '0' },
    ];
    const committed = [
      { partition: 0, offset: '4' },
      { partition: 1, offset: '-1' },
      { partition: 2, offset: '5' },
    ];
    expect([...partitionLag(ends, committed)]).toEqual([
      [0, 6],
      [1, 4],
      [2, 0],
      [3, 0],
    ]);
  });
});

describe('summarisePending', () => {
  it('should count the entries and find the oldest', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    expect(summarisePending([{ createdAt: at(5) }, { createdAt: at(2) }, { createdAt: at(9) }])).toEqual({
      count: 3,
      oldest: at(2),
    });
    expect(summarisePending([])).toEqual({ count: 0, oldest: null });
  });
});
