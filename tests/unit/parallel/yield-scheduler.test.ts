import { describe, expect, it } from 'vitest';
import { createYieldScheduler, nextTurn } from '../../../src/parallel/yield-scheduler';

/** Resolves once `check` holds, polling on macrotasks; fails the test after many turns. */
async function until(check: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000; turn++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error('the condition never held');
}

describe.each([
  ['setImmediate', false],
  ['MessageChannel', true],
])('createYieldScheduler (%s)', (_name, messageChannelOnly) => {
  it('runs a task in a later turn, not during the call', async () => {
    const schedule = createYieldScheduler({ messageChannelOnly });
    const ran: string[] = [];
    schedule(() => ran.push('task'));
    ran.push('after call');
    await until(() => ran.length === 2);
    expect(ran).toEqual(['after call', 'task']);
  });

  it('keeps one task pending: scheduling again before it ran replaces it', async () => {
    const schedule = createYieldScheduler({ messageChannelOnly });
    const ran: string[] = [];
    schedule(() => ran.push('first'));
    schedule(() => ran.push('second'));
    await until(() => ran.length > 0);
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual(['second']);
  });

  it('hands what a task throws to onError, and keeps scheduling', async () => {
    const errors: unknown[] = [];
    const schedule = createYieldScheduler({ messageChannelOnly, onError: (error) => errors.push(error) });
    let ranAfter = false;
    schedule(() => {
      throw new Error('slice failed');
    });
    await until(() => errors.length === 1);
    schedule(() => (ranAfter = true));
    await until(() => ranAfter);
    expect((errors[0] as Error).message).toBe('slice failed');
  });
});

describe('nextTurn', () => {
  it('resolves after the current turn, once', async () => {
    const order: string[] = [];
    const turn = nextTurn().then(() => order.push('turn'));
    order.push('sync');
    await turn;
    expect(order).toEqual(['sync', 'turn']);
  });
});
