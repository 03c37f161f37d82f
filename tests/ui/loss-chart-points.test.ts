import { describe, expect, it } from 'vitest';
import { pointsToDraw } from '../../src/ui/loss-chart/chart-points';

const ramp = (n: number) => Array.from({ length: n }, (_, i) => ({ examples: (i + 1) * 10, loss: i }));

describe('points the loss chart draws', () => {
  it('passes short histories through untouched', () => {
    const points = ramp(5);
    expect(pointsToDraw(points, 5)).toBe(points);
  });

  it('averages runs ending at the newest point, each placed at its last example', () => {
    // 7 points, at most 3 drawn: runs of 3 from the newest end, the oldest run short.
    expect(pointsToDraw(ramp(7), 3)).toEqual([
      { examples: 10, loss: 0 },
      { examples: 40, loss: 2 },
      { examples: 70, loss: 5 },
    ]);
  });

  it('keeps a 2000-point history within the limit and spanning the same examples', () => {
    const drawn = pointsToDraw(ramp(2000), 400);
    expect(drawn).toHaveLength(400);
    expect(drawn[0]!.examples).toBe(50);
    expect(drawn[drawn.length - 1]).toEqual({ examples: 20000, loss: 1997 });
  });
});

describe('accuracy in the points drawn', () => {
  it('averages the accuracy windows with the loss, skipping runs without one', () => {
    const points = Array.from({ length: 6 }, (_, i) => ({
      examples: (i + 1) * 10,
      loss: i,
      trainingAccuracy: i < 2 ? null : i / 10,
      validationAccuracy: i / 20,
    }));
    expect(pointsToDraw(points, 3)).toEqual([
      { examples: 20, loss: 0.5, validationAccuracy: 0.025 },
      { examples: 40, loss: 2.5, trainingAccuracy: 0.25, validationAccuracy: 0.125 },
      { examples: 60, loss: 4.5, trainingAccuracy: 0.45, validationAccuracy: 0.225 },
    ]);
  });
});
