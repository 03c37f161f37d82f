import { describe, expect, it } from 'vitest';
import { CurveHistory } from '../../../src/comparison/curve-history';

describe('CurveHistory', () => {
  it('keeps every point while there is room', () => {
    const h = new CurveHistory(10);
    h.add({ examples: 50, loss: 2, trainingAccuracy: null, validationAccuracy: null });
    h.add({ examples: 100, loss: 1, trainingAccuracy: 0.5, validationAccuracy: null });
    expect(h.values()).toEqual([
      { examples: 50, loss: 2, trainingAccuracy: null, validationAccuracy: null },
      { examples: 100, loss: 1, trainingAccuracy: 0.5, validationAccuracy: null },
    ]);
  });

  it('stays bounded on a long run, evenly spaced, ending at the newest example', () => {
    const h = new CurveHistory(100);
    for (let i = 1; i <= 10_000; i++) {
      h.add({ examples: i * 10, loss: 1 / i, trainingAccuracy: i / 10_000, validationAccuracy: i % 2 ? null : 0.5 });
    }
    const pts = h.values();
    expect(pts.length).toBeLessThanOrEqual(100);
    expect(pts.length).toBeGreaterThan(50);
    expect(pts[pts.length - 1]!.examples).toBe(100_000);
    const gaps = new Set(pts.slice(1).map((p, i) => p.examples - pts[i]!.examples));
    // Uniform spacing, except possibly at the odd oldest point kept alone.
    expect(gaps.size).toBeLessThanOrEqual(2);
    // Losses fall as they did raw; nulls do not drag an accuracy to 0.
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.loss).toBeLessThanOrEqual(pts[i - 1]!.loss);
    expect(pts.every((p) => p.validationAccuracy === 0.5)).toBe(true);
  });

  it('ignores a non-finite loss', () => {
    const h = new CurveHistory(10);
    h.add({ examples: 1, loss: NaN, trainingAccuracy: null, validationAccuracy: null });
    expect(h.values()).toEqual([]);
  });
});
