import { boundedLabel, sharedRead } from '../src/metrics';

describe('boundedLabel', () => {
  it('should pass the first distinct values and fold later new ones into the overflow value', () => {
    const label = boundedLabel(2);
    expect(['a', 'b', 'a', 'c', 'b', 'd'].map(label)).toEqual(['a', 'b', 'a', 'other', 'b', 'other']);
  });
});

describe('sharedRead', () => {
  it('should run the read once for overlapping calls and again after it settled', async () => {
    let runs = 0;
    const read = sharedRead(async () => ++runs);
    expect(await Promise.all([read(), read()])).toEqual([1, 1]);
    expect(await read()).toBe(2);
  });
});
