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

  it('after a sleep a poll would have caught, polls twice that long next time, up to SPIN_MS; long sleeps change nothing', () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const spin = new SpinBudget();
    while (spin.ms >= MIN_SPIN_MS) spin.poll(word, 0, 0);
    const low = spin.ms;
    spin.slept(10 * SPIN_MS);
    expect(spin.ms).toBe(low);
    spin.slept(MIN_SPIN_MS / 10);
    expect(spin.ms).toBe(MIN_SPIN_MS);
    // A wait of 0.3 ms: the next poll lasts 0.6 ms, so a wait like it ends within the poll
    // (doubling the halved budget would have stayed below it for good).
    spin.slept(0.3 * SPIN_MS);
    expect(spin.ms).toBe(0.6 * SPIN_MS);
    expect(spin.poll(word, 0, 0)).toBe(false);
    expect(spin.ms).toBe(0.3 * SPIN_MS);
    spin.slept(0.3 * SPIN_MS);
    expect(spin.ms).toBe(0.6 * SPIN_MS);
    spin.slept(0.9 * SPIN_MS);
    expect(spin.ms).toBe(SPIN_MS);
  });
});
