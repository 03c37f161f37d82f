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

  it('gives the coordinator fewer examples by its handicap, so every thread has the same work', () => {
    // 20 examples + 4 example-equivalents of validation = 24; 12 each: the coordinator trains 8.
    expect(shardRanges(20, 2, 4)).toEqual([
      { start: 0, end: 8 },
      { start: 8, end: 20 },
    ]);
    // Three threads: (20 + 4) / 3 = 8 each; the coordinator trains 4, the others 8.
    expect(shardRanges(20, 3, 4)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 12 },
      { start: 12, end: 20 },
    ]);
    // A handicap larger than a fair share leaves the coordinator no examples.
    expect(shardRanges(4, 2, 10)).toEqual([
      { start: 0, end: 0 },
      { start: 0, end: 4 },
    ]);
    for (let count = 0; count <= 30; count++) {
      for (const handicap of [0, 1, 2.5, 6, 40]) {
        const ranges = shardRanges(count, 2, handicap);
        expect(ranges[0].start).toBe(0);
        expect(ranges[1].start).toBe(ranges[0].end);
        expect(ranges[1].end).toBe(count);
        // Balanced to within one example: own + handicap vs the other's share.
        const own = ranges[0].end;
        if (own > 0) expect(Math.abs(own + handicap - (count - own))).toBeLessThanOrEqual(2);
      }
    }
    expect(() => shardRanges(20, 2, Number.NaN)).toThrow(/coordinatorHandicap/);
    expect(() => shardRanges(20, 2, Infinity)).toThrow(/coordinatorHandicap/);
  });

  it('gives the coordinator more examples when the replicas have work besides their shards', () => {
    // The replica classifies probes worth 3 examples after its shard: 20 - 3 = 17, 8.5
    // each, so the coordinator trains 11 and the replica 9 (+ 3 of probes = 12).
    expect(shardRanges(20, 2, -3)).toEqual([
      { start: 0, end: 11 },
      { start: 11, end: 20 },
    ]);
    // Never more than the whole batch.
    expect(shardRanges(2, 2, -10)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 2 },
    ]);
    for (let count = 0; count <= 30; count++) {
      for (const handicap of [-0.5, -2, -4.5, -12]) {
        const [own, other] = shardRanges(count, 2, handicap);
        expect(other.end).toBe(count);
        expect(own.end).toBeLessThanOrEqual(count);
        if (own.end < count) expect(Math.abs(own.end + handicap - (count - own.end))).toBeLessThanOrEqual(2);
      }
    }
  });

  it('rejects counts and replica numbers that are not whole', () => {
    expect(() => shardRanges(-1, 2)).toThrow(/count/);
    expect(() => shardRanges(2.5, 2)).toThrow(/count/);
    expect(() => shardRanges(10, 0)).toThrow(/replicas/);
  });
});
