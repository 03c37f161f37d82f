import { describe, expect, it } from 'vitest';
import { examplesTicks } from '../../src/ui/common/examples-chart';

describe('examples axis ticks', () => {
  it('are round numbers inside the range, never its ends, so the last two labels cannot meet', () => {
    // The chart that overlapped: data from 200 to 19,400 had ticks 15,200 and 19,400 side by side.
    expect(examplesTicks(200, 19_400)).toEqual([5_000, 10_000, 15_000]);
    expect(examplesTicks(200, 55_200)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(examplesTicks(200, 20_100)).toEqual([5_000, 10_000, 15_000, 20_000]);
    expect(examplesTicks(0, 1_000_000)).toEqual([0, 500_000, 1_000_000]);
  });

  it('keep to the count asked for, however long the run', () => {
    for (const max of [700, 38_900, 123_456, 9_999_999]) {
      const ticks = examplesTicks(100, max);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(5);
      expect(ticks.every((t) => t >= 100 && t <= max)).toBe(true);
    }
    expect(examplesTicks(100, 38_900, 3)).toEqual([10_000, 20_000, 30_000]);
  });

  it('give one tick for a single point and none for no data', () => {
    expect(examplesTicks(500, 500)).toEqual([500]);
    expect(examplesTicks(Infinity, -Infinity)).toEqual([]);
  });
});
