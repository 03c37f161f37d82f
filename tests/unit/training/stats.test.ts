import { describe, expect, it } from 'vitest';
import { MovingWindow, RateMeter } from '../../../src/training/stats';

describe('MovingWindow', () => {
  it('reports nothing until minSize values are in, then the mean of what it holds', () => {
    const w = new MovingWindow(5, 3);
    w.add(1);
    w.add(2);
    expect(w.average()).toBeNull();
    w.add(6);
    expect(w.average()).toBe(3);
    w.add(3);
    expect(w.average()).toBe(3);
  });

  it('keeps only the last `size` values', () => {
    const w = new MovingWindow(3, 1);
    for (const v of [100, 100, 1, 2, 3]) w.add(v);
    expect(w.count).toBe(3);
    expect(w.average()).toBe(2);
    w.add(10);
    expect(w.average()).toBe(5); // (2 + 3 + 10) / 3
  });

  it('matches a direct mean over a long random run (no drift)', () => {
    const w = new MovingWindow(100, 1);
    const values: number[] = [];
    let x = 0.123;
    for (let i = 0; i < 100_000; i++) {
      x = (x * 9301 + 49297) % 233280;
      const v = x / 233280 + 1e6 * (i % 2);
      values.push(v);
      w.add(v);
    }
    const last = values.slice(-100);
    expect(w.average()).toBeCloseTo(last.reduce((a, b) => a + b, 0) / 100, 6);
  });

  it('clear empties it', () => {
    const w = new MovingWindow(4, 1);
    w.add(5);
    w.clear();
    expect(w.average()).toBeNull();
    w.add(1);
    expect(w.average()).toBe(1);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new MovingWindow(0)).toThrow(/positive integer/);
    expect(() => new MovingWindow(2.5)).toThrow(/positive integer/);
  });
});

describe('RateMeter', () => {
  it('measures examples per second over the recent span', () => {
    const r = new RateMeter(2000);
    expect(r.rate()).toBe(0);
    r.record(0, 0);
    r.record(500, 1000);
    expect(r.rate()).toBe(500);
    r.record(1500, 2000);
    expect(r.rate()).toBe(750);
    // Older samples fall out: from t=1000 on the rate is 1000/s.
    r.record(2500, 3000);
    r.record(3500, 4000);
    expect(r.rate()).toBe(1000);
  });

  it('gives 0 when no time passed, and after clear', () => {
    const r = new RateMeter();
    r.record(10, 5);
    r.record(20, 5);
    expect(r.rate()).toBe(0);
    r.clear();
    r.record(0, 0);
    expect(r.rate()).toBe(0);
  });
});
