import { describe, expect, it } from 'vitest';
import { shardRanges } from '../../../src/parallel/shards';

describe('shardRanges', () => {
  it('covers the batch with contiguous ranges in replica order, sizes differing by at most one', () => {
    for (const replicas of [1, 2, 3, 4]) {
      for (let count = 0; count <= 45; count++) {
        const ranges = shardRanges(count, replicas);
        expect(ranges.length).toBe(replicas);
        expect(ranges[0].start).toBe(0);
        expect(ranges[replicas - 1].end).toBe(count);
        for (let r = 1; r < replicas; r++) expect(ranges[r].start).toBe(ranges[r - 1].end);
        const sizes = ranges.map((s) => s.end - s.start);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // The coordinator (replica 0), which also sums and updates, never gets more than another.
        expect(sizes[0]).toBe(Math.min(...sizes));
      }
    }
  });

  it('splits the seed batch of 20 in two halves, and 21 as 10 + 11', () => {
    expect(shardRanges(20, 2)).toEqual([
      { start: 0, end: 10 },
      { start: 10, end: 20 },
    ]);
    expect(shardRanges(21, 2)).toEqual([
      { start: 0, end: 10 },
      { start: 10, end: 21 },
    ]);
  });

  it('rejects counts and replica numbers that are not whole', () => {
    expect(() => shardRanges(-1, 2)).toThrow(/count/);
    expect(() => shardRanges(2.5, 2)).toThrow(/count/);
    expect(() => shardRanges(10, 0)).toThrow(/replicas/);
  });
});
