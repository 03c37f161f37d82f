import { describe, expect, it } from 'vitest';
import {
  differenceNorm,
  histogram,
  l2Norm,
  summarizeValues,
  updateToWeightRatio,
} from '../../../src/training/layer-stats';

describe('summarizeValues', () => {
  it('computes min, max, mean and population std', () => {
    // mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /8 = 4, std 2.
    const s = summarizeValues(Float32Array.from([2, 4, 4, 4, 5, 5, 7, 9]));
    expect(s).toEqual({ count: 8, nonFinite: 0, min: 2, max: 9, mean: 5, std: 2 });
  });

  it('is exact for a large offset where a naive sum of squares cancels', () => {
    const base = 1e8;
    const s = summarizeValues([base + 1, base + 2, base + 3]);
    expect(s.mean).toBe(base + 2);
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 3), 9);
  });

  it('skips and counts non-finite values', () => {
    const s = summarizeValues([1, NaN, 3, Infinity, -Infinity]);
    expect(s).toEqual({ count: 2, nonFinite: 3, min: 1, max: 3, mean: 2, std: 1 });
  });

  it('gives zeros for no values', () => {
    expect(summarizeValues(new Float32Array(0))).toEqual({ count: 0, nonFinite: 0, min: 0, max: 0, mean: 0, std: 0 });
  });
});

describe('histogram', () => {
  it('splits [min, max] into equal bins whose counts sum to the number of values', () => {
    const values = Float32Array.from([0, 0.1, 0.24, 0.25, 0.5, 0.74, 0.99, 1]);
    const h = histogram(values, 4);
    expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // [0,.25): 0, .1, .24 | [.25,.5): .25 | [.5,.75): .5, .74 | [.75,1]: .99, 1 (max in the last bin)
    expect(h.counts).toEqual([3, 1, 2, 2]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
  });

  it('has bins + 1 increasing edges ending exactly at the maximum', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3.7);
    const h = histogram(values, 7);
    expect(h.edges).toHaveLength(8);
    expect(h.counts).toHaveLength(7);
    for (let i = 1; i < h.edges.length; i++) expect(h.edges[i]!).toBeGreaterThan(h.edges[i - 1]!);
    expect(h.edges[0]).toBe(Math.min(...values));
    expect(h.edges[7]).toBe(Math.max(...values));
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('counts only finite values inside a given range', () => {
    const h = histogram([-5, -1, 0, 0.5, 1, 5, NaN], 2, { min: -1, max: 1 });
    expect(h.edges).toEqual([-1, 0, 1]);
    expect(h.counts).toEqual([1, 3]);
  });

  it('gives one visible bin when every value is the same', () => {
    expect(histogram([2, 2, 2], 10)).toEqual({ edges: [1.5, 2.5], counts: [3] });
  });

  it('gives one empty bin when there is nothing finite', () => {
    expect(histogram([NaN], 5)).toEqual({ edges: [0, 1], counts: [0] });
  });

  it('rejects a bin count that is not a positive whole number', () => {
    expect(() => histogram([1], 0)).toThrow(/bins/);
    expect(() => histogram([1], 2.5)).toThrow(/bins/);
  });
});

describe('norms and the update-to-weight ratio', () => {
  it('computes the L2 norm of a range', () => {
    expect(l2Norm([3, 4])).toBe(5);
    expect(l2Norm([9, 3, 4, 9], 1, 3)).toBe(5);
    expect(l2Norm([])).toBe(0);
  });

  it('computes the norm of a difference', () => {
    expect(differenceNorm([1, 1], [4, 5])).toBe(5);
    expect(() => differenceNorm([1], [1, 2])).toThrow(/compare/);
  });

  it('divides the step by the new weights', () => {
    // after = (3, 4): norm 5; step (0.03, 0.04): norm 0.05; ratio 0.01.
    expect(updateToWeightRatio([2.97, 3.96], [3, 4])).toBeCloseTo(0.01, 12);
    expect(updateToWeightRatio([0, 0, 2.97, 3.96], [7, 7, 3, 4], 2, 4)).toBeCloseTo(0.01, 12);
    expect(updateToWeightRatio([0, 0], [0, 0])).toBe(0);
    expect(updateToWeightRatio([1, 0], [0, 0])).toBe(Infinity);
  });
});
