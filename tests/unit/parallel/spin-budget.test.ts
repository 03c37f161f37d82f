import { describe, expect, it } from 'vitest';
import { MIN_SPIN_MS, SPIN_MS, SpinBudget } from '../../../src/parallel/shared-channel';

describe('SpinBudget', () => {
  it('polls up to SPIN_MS at first, and answers at once when the word already changed', () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const spin = new SpinBudget();
    expect(spin.ms).toBe(SPIN_MS);
    word[0] = 1;
    expect(spin.poll(word, 0, 0)).toBe(true);
    expect(spin.ms).toBe(SPIN_MS);
  });

  it('halves after a poll that ran out, down to no polling at all', () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const spin = new SpinBudget();
    expect(spin.poll(word, 0, 0)).toBe(false);
    expect(spin.ms).toBe(SPIN_MS / 2);
    while (spin.ms >= MIN_SPIN_MS) expect(spin.poll(word, 0, 0)).toBe(false);
    const floor = spin.ms;
    // Below the floor it only looks once, and the budget stays where it is.
    expect(spin.poll(word, 0, 0)).toBe(false);
    expect(spin.ms).toBe(floor);
  });

  it('grows again after sleeps a poll would have caught, up to SPIN_MS; long sleeps change nothing', () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const spin = new SpinBudget();
    while (spin.ms >= MIN_SPIN_MS) spin.poll(word, 0, 0);
    const low = spin.ms;
    spin.slept(10 * SPIN_MS);
    expect(spin.ms).toBe(low);
    spin.slept(SPIN_MS / 10);
    const grown = spin.ms;
    expect(grown).toBe(Math.max(MIN_SPIN_MS, 2 * low));
    spin.slept(SPIN_MS / 10);
    expect(spin.ms).toBe(2 * grown);
    for (let i = 0; i < 20; i++) spin.slept(SPIN_MS / 10);
    expect(spin.ms).toBe(SPIN_MS);
  });
});
