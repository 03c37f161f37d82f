import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src/data/node-loader';
import { l2Norm } from '../../../src/training/layer-stats';
import { TrainingSession, type SessionData } from '../../../src/training/session';

let data: SessionData;

beforeAll(() => {
  const mnist = loadMnist();
  data = { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count };
});

/** A session driven by hand, with a clock the test moves. */
function session(clock: { t: number }, everyMs = 1000): TrainingSession {
  return new TrainingSession(data, { seed: 3, schedule: () => {}, now: () => clock.t, layerStatsEveryMs: everyMs });
}

/** The seed network's trainer updates every 20 examples (batch_size 20). */
const BATCH = 20;

function weightsOfLayer(s: TrainingSession, index: number): Float32Array {
  return s.layerViews([index])[0]!.weights!;
}

describe('per-layer training statistics in the session', () => {
  it('samples conv and fc layers at the first update, then only once the interval has passed', () => {
    const clock = { t: 0 };
    const s = session(clock);
    s.trainExamples(BATCH);
    let history = s.layerTrainingHistory();
    expect(history).toHaveLength(1);
    expect(history[0]!.examples).toBe(BATCH);
    // Seed net: conv 1, conv 4, fc 7 have weights.
    expect(history[0]!.layers.map((l) => l.index)).toEqual([1, 4, 7]);

    s.trainExamples(5 * BATCH);
    expect(s.layerTrainingHistory()).toHaveLength(1);

    clock.t = 1500;
    s.trainExamples(BATCH);
    history = s.layerTrainingHistory();
    expect(history).toHaveLength(2);
    expect(history[1]!.examples).toBe(7 * BATCH);
  });

  it('reports the weight norm of the weights in force and the update-to-weight ratio of the last update', () => {
    const clock = { t: 0 };
    const s = session(clock);
    s.trainExamples(3 * BATCH);
    clock.t = 5000;
    // Arms the sample mid-batch: the copy is taken before the example, compared after the update.
    s.trainExamples(BATCH / 2);
    const before = weightsOfLayer(s, 1).slice();
    s.trainExamples(BATCH / 2);
    const after = weightsOfLayer(s, 1);
    const point = s.layerTrainingHistory().at(-1)!;
    expect(point.examples).toBe(4 * BATCH);
    const conv1 = point.layers[0]!;
    expect(conv1.weightNorm).toBeCloseTo(l2Norm(after), 5);
    const step = l2Norm(after.map((w, i) => w - before[i]!));
    expect(step).toBeGreaterThan(0);
    expect(conv1.updateRatio).toBeCloseTo(step / l2Norm(after), 8);
    // Adadelta's first steps are small next to the weights, but not zero.
    expect(conv1.updateRatio).toBeGreaterThan(1e-6);
    expect(conv1.updateRatio).toBeLessThan(0.5);
    expect(conv1.gradNorm).toBeGreaterThan(0);
  });

  it('does not change training: the same seed trains to the same weights with or without sampling', () => {
    const fast = { t: 0 };
    const never = { t: 0 };
    const a = session(fast, 0);
    const b = session(never, 1e12);
    a.trainExamples(3 * BATCH + 7);
    b.trainExamples(3 * BATCH + 7);
    expect(a.layerTrainingHistory()).toHaveLength(3);
    expect(b.layerTrainingHistory()).toHaveLength(1);
    expect(a.saveSnapshot()).toBe(b.saveSnapshot());
  });

  it('starts the history over with a new network', () => {
    const clock = { t: 0 };
    const s = session(clock);
    s.trainExamples(BATCH);
    expect(s.layerTrainingHistory()).toHaveLength(1);
    s.reset();
    expect(s.layerTrainingHistory()).toEqual([]);
  });
});

describe('freeze example', () => {
  it('keeps showing the pinned example while training goes on, through the current weights', () => {
    const s = session({ t: 0 });
    expect(s.freezeExample(true)).toBe(false);
    s.trainExamples(5);
    const pinnedInput = s.layerViews([0])[0]!.activations.slice();
    expect(s.freezeExample(true)).toBe(true);
    const before = s.layerViews([1])[0]!;
    s.trainExamples(2 * BATCH);
    const input = s.layerViews([0])[0]!.activations;
    expect(input).toEqual(pinnedInput);
    // Same input, new weights: conv 1's activations moved.
    expect(s.layerViews([1])[0]!.activations).not.toEqual(before.activations);

    expect(s.freezeExample(false)).toBe(false);
    expect(s.layerViews([0])[0]!.activations).not.toEqual(pinnedInput);
  });

  it('does not change training', () => {
    const a = session({ t: 0 });
    const b = session({ t: 0 });
    a.trainExamples(3);
    b.trainExamples(3);
    a.freezeExample(true);
    for (let k = 0; k < 4; k++) {
      a.trainExamples(7);
      a.layerViews([1, 4, 7]);
      b.trainExamples(7);
    }
    expect(a.saveSnapshot()).toBe(b.saveSnapshot());
  });
});
