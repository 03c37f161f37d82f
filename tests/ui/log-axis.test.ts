import { describe, expect, it } from 'vitest';
import { logAxis } from '../../src/ui/loss-chart/log-axis';

describe('log-scale loss axis', () => {
  it('puts 1-2-5 ticks inside a domain that holds every positive value', () => {
    const { domain, ticks } = logAxis([2.3, 1.1, 0.4, 0.12, 0.05]);
    expect(domain[0]).toBeLessThan(0.05);
    expect(domain[0]).toBeGreaterThan(0);
    expect(domain[1]).toBeGreaterThan(2.3);
    expect(ticks).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2]);
  });

  it('ignores zero, negative and non-finite losses', () => {
    const { domain, ticks } = logAxis([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.3, 0.9]);
    expect(domain[0]).toBeCloseTo(0.3 / 1.1);
    expect(domain[1]).toBeCloseTo(0.99);
    // Only one 1-2-5 value (0.5) fits, too few to read the axis by: its ends label it instead.
    expect(ticks).toEqual([0.27, 0.99]);
  });

  it('keeps to powers of ten when the values span many decades', () => {
    expect(logAxis([1e-5, 10]).ticks).toEqual([1e-5, 1e-4, 0.001, 0.01, 0.1, 1, 10]);
  });

  it('labels a flat curve with the ends of a domain at least a factor of two wide', () => {
    const { domain, ticks } = logAxis([0.31, 0.32]);
    expect(domain[1] / domain[0]).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const t of ticks) {
      expect(t).toBeGreaterThanOrEqual(domain[0]);
      expect(t).toBeLessThanOrEqual(domain[1]);
    }
  });

  it('falls back to one decade when nothing is positive', () => {
    expect(logAxis([0, 0]).domain).toEqual([0.1, 1]);
  });
});
