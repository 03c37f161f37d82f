import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/rng';
import { loadedIndices, splitForSeed, splitTrainValidation } from '../../../src/data/splits';

describe('train/validation split', () => {
  it('holds out 10% of 60k by default, disjoint, covering every index once, sorted', () => {
    const { train, validation } = splitTrainValidation(60_000, new Rng(1));
    expect(validation.length).toBe(6000);
    expect(train.length).toBe(54_000);
    const seen = new Uint8Array(60_000);
    for (const i of train) seen[i]++;
    for (const i of validation) seen[i]++;
    expect(seen.every((n) => n === 1)).toBe(true);
    const ascending = (a: Int32Array) => a.every((v, k) => k === 0 || v > a[k - 1]);
    expect(ascending(train)).toBe(true);
    expect(ascending(validation)).toBe(true);
  });

  it('is chosen by the seed: the same seed gives the same split, another seed another', () => {
    const a = splitForSeed(60_000, 7);
    const b = splitForSeed(60_000, 7);
    const c = splitForSeed(60_000, 8);
    expect(Array.from(a.validation)).toEqual(Array.from(b.validation));
    const inA = new Set(a.validation);
    const shared = Array.from(c.validation).filter((i) => inA.has(i)).length;
    // Two independent 10% samples share about 10% of their members (600 of 6000).
    expect(shared).toBeGreaterThan(400);
    expect(shared).toBeLessThan(800);
  });

  it('spreads validation over the whole set, so any loaded prefix holds its share', () => {
    const { validation } = splitForSeed(60_000, 3);
    const firstChunk = loadedIndices(validation, 4000).length;
    expect(firstChunk).toBeGreaterThan(300);
    expect(firstChunk).toBeLessThan(500);
  });

  it('takes other fractions and rejects impossible ones', () => {
    expect(splitTrainValidation(1000, new Rng(1), 0.25).validation.length).toBe(250);
    expect(splitTrainValidation(1000, new Rng(1), 0).validation.length).toBe(0);
    expect(() => splitTrainValidation(1000, new Rng(1), 1)).toThrow(/must be at least 0 and below 1/);
    expect(() => splitTrainValidation(1000, new Rng(1), Number.NaN)).toThrow(/validation fraction/);
  });

  it('loadedIndices returns exactly the indices below the loaded count', () => {
    const sorted = Int32Array.from([0, 3, 4, 9, 12]);
    expect(Array.from(loadedIndices(sorted, 0))).toEqual([]);
    expect(Array.from(loadedIndices(sorted, 4))).toEqual([0, 3]);
    expect(Array.from(loadedIndices(sorted, 5))).toEqual([0, 3, 4]);
    expect(Array.from(loadedIndices(sorted, 13))).toEqual([0, 3, 4, 9, 12]);
  });
});
