import { describe, expect, it, vi } from 'vitest';
import { TrainingClock } from '../../../src/training/session/training-clock';
import { TrainingSession } from '../../../src/training/session';
import { TestSetEvaluation } from '../../../src/training/session/test-set-evaluation';
import { loadMnist } from '../../../src/data/node-loader';
import { prefixOfSet } from '../../../src/data/mnist';

describe('TrainingClock', () => {
  it('counts only the time between set(true) and the next set(false), across several stretches', () => {
    let now = 1000;
    const clock = new TrainingClock(() => now);
    now += 50;
    expect(clock.ms).toBe(0);
    clock.set(true);
    now += 30;
    expect(clock.ms).toBe(30);
    clock.set(false);
    now += 400;
    expect(clock.ms).toBe(30);
    // Setting the same state again changes nothing.
    clock.set(false);
    clock.set(true);
    now += 5;
    clock.set(true);
    now += 5;
    expect(clock.ms).toBe(40);
    clock.reset();
    expect(clock.ms).toBe(0);
    now += 7;
    expect(clock.ms).toBe(7);
  });
});

describe('training seconds in the stats (one thread)', () => {
  it('leave out the evaluation share of each slice and the time paused', async () => {
    const mnist = loadMnist();
    let now = 0;
    let evaluating = false;
    let evaluationMs = 0;
    let evaluationSlices = 0;
    const tasks: (() => void)[] = [];
    const session = new TrainingSession(
      { train: mnist.train, test: prefixOfSet(mnist.test, 400), trainTotal: mnist.train.count },
      {
        seed: 2,
        sliceMs: 15,
        // A clock that moves 1 ms per reading; the readings while the evaluation has its share are tallied.
        now: () => {
          if (evaluating) evaluationMs++;
          return (now += 1);
        },
        schedule: (task) => tasks.push(task),
      },
    );
    const evaluationSlice = TestSetEvaluation.prototype.slice;
    vi.spyOn(TestSetEvaluation.prototype, 'slice').mockImplementation(function (this: TestSetEvaluation, budgetMs) {
      evaluating = true;
      evaluationSlices++;
      try {
        evaluationSlice.call(this, budgetMs);
      } finally {
        evaluating = false;
      }
    });
    const runQueued = () => {
      for (const task of tasks.splice(0)) task();
    };
    session.resume();
    const start = now;
    const evaluation = session.evaluateTestSet();
    for (let i = 0; i < 6; i++) runQueued();
    expect(session.isEvaluating).toBe(true);
    expect(evaluationMs).toBeGreaterThan(10);
    // Every clock reading outside the evaluation's shares counted as training, none inside them
    // (give or take the clock's own reading as each share ends, and the stats call's).
    const trained = session.getStats().trainingSeconds! * 1000;
    const elapsed = now - start;
    expect(trained).toBeGreaterThan(elapsed - evaluationMs - evaluationSlices - 3);
    expect(trained).toBeLessThanOrEqual(elapsed - evaluationMs + 1);
    session.pause();
    const paused = session.getStats().trainingSeconds;
    while (tasks.length > 0) runQueued();
    expect((await evaluation).ok).toBe(true);
    expect(session.getStats().trainingSeconds).toBe(paused);
    vi.restoreAllMocks();
  });
});
