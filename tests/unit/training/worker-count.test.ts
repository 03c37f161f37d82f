import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TRAINING_WORKERS, trainingWorkerCount } from '../../../src/training/session/options';

describe('trainingWorkerCount (?workers=N and the page default)', () => {
  it('gives the number asked, up to the cores', () => {
    expect(trainingWorkerCount(1, 8)).toBe(1);
    expect(trainingWorkerCount(3, 8)).toBe(3);
    expect(trainingWorkerCount(8, 8)).toBe(8);
    expect(trainingWorkerCount(6, 2)).toBe(2);
    expect(trainingWorkerCount(2, 1)).toBe(1);
  });

  it('unasked, takes min(cores, 4): 1 on one core, 2 on two, 4 on sixteen', () => {
    expect(DEFAULT_MAX_TRAINING_WORKERS).toBe(4);
    expect(trainingWorkerCount(undefined, 1)).toBe(1);
    expect(trainingWorkerCount(undefined, 2)).toBe(2);
    expect(trainingWorkerCount(undefined, 16)).toBe(4);
    // A browser that does not say how many cores it has: one worker.
    expect(trainingWorkerCount(undefined, undefined)).toBe(1);
  });

  it('treats a request that is not a whole number of 1 or more (?workers=abc, 0, 1.5) as unasked', () => {
    for (const asked of [Number('abc'), 0, -2, 1.5]) expect(trainingWorkerCount(asked, 8)).toBe(4);
  });
});
