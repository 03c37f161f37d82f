import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateAccuracy } from '../../../src/data/evaluate';
import { imagePixels, prefixOfSet } from '../../../src/data/mnist';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { Rng } from '../../../src/engine/rng';
import { netFromJSON } from '../../../src/engine/snapshot';
import {
  evaluationConfusion,
  evaluationRngSeed,
  predictedClass,
  type EvaluationProgress,
} from '../../../src/training/evaluation';
import { TrainingSession, type SessionData } from '../../../src/training/session';
import { runToEnd } from './run-to-end';

let mnist: MnistData;
let data: SessionData;
const TEST_IMAGES = 150;

beforeAll(() => {
  mnist = loadMnist();
  data = { train: mnist.train, test: prefixOfSet(mnist.test, TEST_IMAGES), trainTotal: mnist.train.count };
});

/** A session driven by hand: queued slices run when the test says, on a clock of 1 ms per reading. */
function drivenSession(seed = 5) {
  const tasks: (() => void)[] = [];
  let clock = 0;
  const session = new TrainingSession(data, {
    seed,
    sliceMs: 15,
    now: () => (clock += 1),
    schedule: (task) => tasks.push(task),
  });
  const runQueued = () => {
    for (const task of tasks.splice(0)) task();
  };
  return { session, tasks, runQueued };
}

describe('evaluating the test set in a session', () => {
  it('gives the same 4-crop and center accuracy as evaluateAccuracy on the same weights', async () => {
    const { session, tasks, runQueued } = drivenSession();
    // 800 examples: at 400 the accuracy sat near the 30% bar below and hung on the random draws.
    session.trainExamples(800);
    const progress: EvaluationProgress[] = [];
    const outcome = await runToEnd(session.evaluateTestSet((p) => progress.push(p)), runQueued, tasks);
    if (!outcome.ok) throw new Error(outcome.error);
    const e = outcome.evaluation;

    const net = netFromJSON(JSON.parse(session.saveSnapshot()));
    const fourCrop = evaluateAccuracy(net, data.test, '4crop', { rng: new Rng(evaluationRngSeed(5)) });
    const center = evaluateAccuracy(net, data.test, 'center');
    expect(e.total).toBe(TEST_IMAGES);
    expect(e.fourCropCorrect).toBe(fourCrop.correct);
    expect(e.centerCorrect).toBe(center.correct);
    // Trained a little: well above chance, so the comparison is not between two zeros.
    expect(e.fourCropCorrect).toBeGreaterThan(TEST_IMAGES * 0.3);
    expect(e.examplesSeen).toBe(800);
    expect([...e.labels]).toEqual([...data.test.labels]);
    const m = evaluationConfusion(e);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(TEST_IMAGES);
    expect(m.reduce((sum, row, t) => sum + row[t], 0)).toBe(e.fourCropCorrect);
    for (let i = 0; i < e.total; i++) {
      const p = e.topProbabilities.subarray(i * 3, i * 3 + 3);
      expect(p[0]).toBeGreaterThanOrEqual(p[1]);
      expect(p[1]).toBeGreaterThanOrEqual(p[2]);
      expect(p[0]).toBeLessThanOrEqual(1);
    }
    expect(predictedClass(e, 0)).toBe(e.topLabels[0]);
    // Progress went from 0 to all, in several steps (the work was sliced).
    expect(progress[0]).toEqual({ done: 0, total: TEST_IMAGES });
    expect(progress.at(-1)).toEqual({ done: TEST_IMAGES, total: TEST_IMAGES });
    expect(progress.length).toBeGreaterThan(2);
    expect(session.isEvaluating).toBe(false);
  });

  it('does not shift the training run: the weights after training match a run that never evaluated', async () => {
    const a = drivenSession(9);
    const b = drivenSession(9);
    a.session.trainExamples(50);
    await runToEnd(a.session.evaluateTestSet(), a.runQueued, a.tasks);
    a.session.trainExamples(50);
    b.session.trainExamples(100);
    expect(a.session.saveSnapshot()).toBe(b.session.saveSnapshot());
  });

  it('runs beside training: both advance in the same slices', async () => {
    const { session, tasks, runQueued } = drivenSession();
    session.resume();
    const seen: EvaluationProgress[] = [];
    const promise = session.evaluateTestSet((p) => seen.push(p));
    runQueued();
    runQueued();
    expect(session.examplesSeen).toBeGreaterThan(0);
    expect(session.isEvaluating).toBe(true);
    const outcome = await runToEnd(
      promise.then((o) => (session.pause(), o)),
      runQueued,
      tasks,
    );
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.evaluation.examplesSeen).toBe(0);
  });

  it('cancels: the promise says so, no more slices run while paused, and a new evaluation can start', async () => {
    const { session, tasks, runQueued } = drivenSession();
    const seen: EvaluationProgress[] = [];
    const promise = session.evaluateTestSet((p) => seen.push(p));
    runQueued();
    const doneBefore = seen.at(-1)!.done;
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(TEST_IMAGES);
    expect(session.cancelEvaluation()).toBe(true);
    const outcome = await promise;
    expect(outcome).toEqual({ ok: false, cancelled: true, error: 'The evaluation was cancelled.' });
    runQueued();
    expect(tasks).toHaveLength(0);
    expect(seen.at(-1)!.done).toBe(doneBefore);
    expect(session.cancelEvaluation()).toBe(false);
    const again = await runToEnd(session.evaluateTestSet(), runQueued, tasks);
    expect(again.ok).toBe(true);
  });

  it('refuses a second evaluation while one runs, and one before the test set is loaded', async () => {
    const { session } = drivenSession();
    void session.evaluateTestSet();
    expect(await session.evaluateTestSet()).toMatchObject({ ok: false, cancelled: false, error: /already being evaluated/ });
    session.cancelEvaluation();
    const empty = new TrainingSession({ ...data, test: prefixOfSet(mnist.test, 0) }, { schedule: () => {} });
    expect(await empty.evaluateTestSet()).toMatchObject({ ok: false, error: /not loaded yet/ });
  });

  it('hands out the pixels of the test images asked for, and refuses unknown ones', () => {
    const { session } = drivenSession();
    const pixels = session.testImages([7, 2]);
    expect(pixels).toHaveLength(2 * 784);
    expect(pixels.subarray(0, 784)).toEqual(imagePixels(data.test, 7));
    expect(pixels.subarray(784)).toEqual(imagePixels(data.test, 2));
    expect(() => session.testImages([TEST_IMAGES])).toThrow(/not loaded/);
  });
});
