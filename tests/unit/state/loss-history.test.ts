import { describe, expect, it } from 'vitest';
import { LossHistory } from '../../../src/state/loss-history';

const points = (from: number, to: number, loss = (e: number) => e) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ examples: (from + i) * 200, loss: loss((from + i) * 200) }));

describe('LossHistory', () => {
  it('keeps points as they come while under the limit', () => {
    const h = new LossHistory(10);
    expect(h.add(points(1, 4))).toBe(true);
    expect(h.values.map((p) => p.examples)).toEqual([200, 400, 600, 800]);
    expect(h.pointsPerBucket).toBe(1);
  });

  it('never exceeds the limit on a long run, halving by averaging neighbour pairs', () => {
    const h = new LossHistory(9);
    h.add(points(1, 9));
    // The 9th complete point reaches the limit: the odd oldest point stays, the other 8 pair up.
    expect(h.values).toEqual([
      { examples: 200, loss: 200 },
      { examples: 600, loss: 500 },
      { examples: 1000, loss: 900 },
      { examples: 1400, loss: 1300 },
      { examples: 1800, loss: 1700 },
    ]);
    expect(h.pointsPerBucket).toBe(2);
    // From now on two raw points make one stored point; the first of a pair shows provisionally.
    h.add(points(10, 10));
    expect(h.values).toHaveLength(6);
    expect(h.values.at(-1)).toEqual({ examples: 2000, loss: 2000 });
    h.add(points(11, 11));
    expect(h.values).toHaveLength(6);
    expect(h.values.at(-1)).toEqual({ examples: 2200, loss: 2100 });
    for (let i = 12; i < 5000; i++) {
      h.add(points(i, i));
      expect(h.values.length).toBeLessThanOrEqual(9);
      // The chart always ends where training is.
      expect(h.values.at(-1)!.examples).toBe(i * 200);
    }
    expect(h.values[0].examples).toBeLessThan(4999 * 200 * 0.25);
    // Uniform spacing between complete points.
    const xs = h.values.slice(1, -1).map((p) => p.examples);
    const gaps = new Set(xs.slice(1).map((x, k) => x - xs[k]));
    expect(gaps.size).toBe(1);
  });

  it('gives a new array only when something changed, and skips non-finite losses', () => {
    const h = new LossHistory(4);
    h.add(points(1, 1));
    const before = h.values;
    expect(h.add([{ examples: 400, loss: Number.NaN }])).toBe(false);
    expect(h.values).toBe(before);
    expect(h.add(points(2, 2))).toBe(true);
    expect(h.values).not.toBe(before);
    expect(before).toHaveLength(1);
  });

  it('clear starts over at full resolution', () => {
    const h = new LossHistory(4);
    h.add(points(1, 9));
    expect(h.pointsPerBucket).toBeGreaterThan(1);
    h.clear();
    expect(h.values).toEqual([]);
    expect(h.pointsPerBucket).toBe(1);
    h.add(points(1, 1));
    expect(h.values).toHaveLength(1);
  });
});

describe('LossHistory accuracy fields', () => {
  const withAccuracy = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => {
      const k = from + i;
      // Exact binary fractions, so averages compare exactly; validation accuracy only every
      // other point (its window fills more slowly).
      return { examples: k * 200, loss: 1, trainingAccuracy: k / 1024, validationAccuracy: k % 2 === 0 ? k / 200 : null };
    });

  it('averages accuracies with the loss when halving, over the points that had one', () => {
    const h = new LossHistory(5);
    h.add(withAccuracy(1, 5));
    expect(h.pointsPerBucket).toBe(2);
    expect(h.values).toEqual([
      { examples: 200, loss: 1, trainingAccuracy: 1 / 1024 },
      { examples: 600, loss: 1, trainingAccuracy: 2.5 / 1024, validationAccuracy: 0.01 },
      { examples: 1000, loss: 1, trainingAccuracy: 4.5 / 1024, validationAccuracy: 0.02 },
    ]);
    // The provisional last point carries them too.
    h.add(withAccuracy(6, 6));
    expect(h.values.at(-1)).toEqual({ examples: 1200, loss: 1, trainingAccuracy: 6 / 1024, validationAccuracy: 0.03 });
  });

  it('keeps accuracy fields on a long run, within the bounds of the raw values', () => {
    const h = new LossHistory(20);
    h.add(withAccuracy(1, 999));
    expect(h.values.length).toBeLessThanOrEqual(20);
    for (const p of h.values.slice(1)) {
      expect(p.trainingAccuracy).toBeGreaterThan(0);
      expect(p.trainingAccuracy).toBeLessThan(1);
      expect(p.validationAccuracy).toBeGreaterThan(0);
    }
    // The points are in order and the last sits where training is.
    expect(h.values.at(-1)!.examples).toBe(999 * 200);
  });
});
