import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src/data/node-loader';
import { checkpointProblem, type SessionCheckpoint } from '../../../src/training/checkpoint';
import { TrainingSession, type SessionData, type SessionOptions } from '../../../src/training/session';
import { inProcessLink } from '../parallel/in-process-link';

let data: SessionData;

beforeAll(() => {
  const mnist = loadMnist();
  data = { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count };
});

/**
 * A session driven by trainExamples alone, on a clock that stands still: the time-based
 * test predictions then draw from the generator only once, at the start of the run.
 */
function session(options: SessionOptions = {}): TrainingSession {
  return new TrainingSession(data, { seed: 11, schedule: () => {}, now: () => 0, ...options });
}

/** A small net with dropout, so the random generator matters inside training too. */
const DROPOUT_NETWORK = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:4, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:3, stride:3});
layer_defs.push({type:'fc', num_neurons:20, activation:'relu', drop_prob:0.3});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.SGDTrainer(net, {method:'adam', batch_size:7, l2_decay:0.001, learning_rate:0.01});
`;

/** What IndexedDB does to a value: a structured clone. */
function stored(checkpoint: SessionCheckpoint): SessionCheckpoint {
  return structuredClone(checkpoint);
}

function weightsOf(s: TrainingSession): string {
  return s.saveSnapshot();
}

/** The statistics that follow from training alone (timings and throughput are the machine's). */
function learningStats(s: TrainingSession) {
  const { forwardMs: _f, backwardMs: _b, examplesPerSecond: _r, ...rest } = s.getStats();
  return rest;
}

describe('session checkpoints', () => {
  it.each([
    ['the seed network (adadelta), mid-batch', {}, 130],
    ['a dropout network (adam, batch 7), mid-batch', { definitionText: DROPOUT_NETWORK }, 95],
  ])('%s: export -> restore -> the next examples train bit-identically', async (_name, options, before) => {
    const uninterrupted = session(options);
    const first = session(options);
    uninterrupted.trainExamples(before);
    first.trainExamples(before);
    uninterrupted.takeUpdate();
    first.takeUpdate();

    const restored = session({ checkpoint: stored(await first.exportCheckpoint()) });
    expect(restored.examplesSeen).toBe(before);
    expect(restored.isRunning).toBe(false);
    // The statistics windows come back too: the numbers on screen do not jump.
    expect(learningStats(restored)).toEqual(learningStats(uninterrupted));
    expect(weightsOf(restored)).toBe(weightsOf(uninterrupted));

    uninterrupted.trainExamples(300);
    restored.trainExamples(300);
    expect(weightsOf(restored)).toBe(weightsOf(uninterrupted));
    expect(learningStats(restored)).toEqual(learningStats(uninterrupted));
    // The same chart points, to the last bit.
    expect(restored.takeUpdate().lossPoints).toEqual(uninterrupted.takeUpdate().lossPoints);
    // And the optimizer state still agrees (gsum/xsum, k, the pending batch).
    const [a, b] = await Promise.all([uninterrupted.exportCheckpoint(), restored.exportCheckpoint()]);
    expect(b.trainerState).toEqual(a.trainerState);
    expect(b.rng).toEqual(a.rng);
  });

  it('keeps live trainer changes: the trainer in force, not the one in the definition text', async () => {
    const uninterrupted = session();
    const first = session();
    for (const s of [uninterrupted, first]) {
      s.trainExamples(60);
      expect(s.setTrainer({ method: 'sgd', momentum: 0.9, learning_rate: 0.02, batch_size: 8 })).toEqual({ ok: true });
      s.trainExamples(45);
    }
    const checkpoint = stored(await first.exportCheckpoint());
    expect(checkpoint.trainer.method).toBe('sgd');
    const restored = session({ checkpoint });
    expect(restored.getNetworkSummary().trainer).toEqual(uninterrupted.getNetworkSummary().trainer);
    uninterrupted.trainExamples(200);
    restored.trainExamples(200);
    expect(weightsOf(restored)).toBe(weightsOf(uninterrupted));
  });

  it('needs no structured clone to be identical: the checkpoint is a copy, not a view of live buffers', async () => {
    const s = session();
    s.trainExamples(40);
    const checkpoint = await s.exportCheckpoint();
    const params = checkpoint.params.slice();
    s.trainExamples(40);
    expect(checkpoint.params).toEqual(params);
    expect(checkpoint.examples).toBe(40);
  });
});

describe('session checkpoints with a replica (data-parallel)', () => {
  it('taken while training runs are whole-batch states that restore', async () => {
    const s = new TrainingSession(data, { seed: 5, replicas: [inProcessLink()] });
    s.resume();
    const checkpoints: SessionCheckpoint[] = [];
    while (checkpoints.length < 8) {
      await new Promise((resolve) => setTimeout(resolve, 7));
      if (s.examplesSeen > 0) checkpoints.push(await s.exportCheckpoint());
    }
    expect(s.trainingThreads).toBe(2);
    s.dispose();
    for (const c of checkpoints) {
      // Whole batches of 20, the trainer's count agreeing with the session's: one consistent moment.
      expect(c.examples % 20).toBe(0);
      expect(c.trainerState.k).toBe(c.examples);
      expect(c.trainerState.pending).toBe(0);
      expect(() => session({ checkpoint: c })).not.toThrow();
    }
  });
});

describe('refusing a bad checkpoint', () => {
  let good: SessionCheckpoint;

  beforeAll(async () => {
    const s = session();
    s.trainExamples(50);
    good = stored(await s.exportCheckpoint());
  });

  function variant(change: (c: SessionCheckpoint) => void): SessionCheckpoint {
    const copy = structuredClone(good);
    change(copy);
    return copy;
  }

  it('accepts the checkpoint it wrote', () => {
    expect(checkpointProblem(good)).toBeNull();
  });

  it.each<[string, (c: SessionCheckpoint) => void, RegExp]>([
    ['another format version', (c) => ((c as { version: number }).version = 0), /format version 0.*reads version 1/],
    ['weights turned into a plain array (a JSON round trip)', (c) => ((c as { params: unknown }).params = Array.from(c.params)), /params must be a Float32Array/],
    ['a NaN weight', (c) => (c.params[3] = Number.NaN), /params holds NaN/],
    ['weights of another network', (c) => (c.definitionText = DROPOUT_NETWORK), /holds \d+ weights, but its network has \d+/],
    ['an unknown trainer method', (c) => ((c.trainer as { method: string }).method = 'adadelata'), /adadelata/],
    ['an accumulator of the wrong size', (c) => (c.trainerState.gsum = new Float32Array(5)), /trainerState.gsum must be null or a Float32Array/],
    ['a missing statistics window', (c) => delete (c.windows as Partial<SessionCheckpoint['windows']>).trainingAccuracy, /windows.trainingAccuracy: missing/],
    ['a window of another size', (c) => (c.windows.classificationLoss.values = new Float64Array(3)), /windows.classificationLoss: next is outside the window/],
    ['negative examples', (c) => (c.examples = -1), /examples must be a non-negative integer/],
    ['a stuck generator', (c) => (c.rng = [0, 0, 0, 0]), /rng must not be all zeros/],
    ['a definition that no longer parses', (c) => (c.definitionText = c.definitionText.replace("'softmax'", "'nope'")), /nope/],
  ])('%s is refused with a message saying what is wrong', (_name, change, message) => {
    const bad = variant(change);
    expect(() => session({ checkpoint: bad })).toThrow(message);
  });

  it('refuses things that are not checkpoints at all', () => {
    for (const value of [null, 42, 'text', [], {}, { format: 'something else' }]) {
      expect(checkpointProblem(value)).toMatch(/checkpoint/);
    }
  });
});
