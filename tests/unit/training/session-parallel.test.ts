/**
 * The session training with a replica (a second worker in the browser): whole mini-batches
 * split between this thread and the replica, the gradients summed, one update. Checked
 * against one Trainer fed the very same examples in the very same batches, and for the
 * fall-back to one thread when the replica fails.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInputVolume, fillCrop } from '../../../src/data/augment';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { DataParallelTrainer } from '../../../src/parallel/data-parallel-trainer';
import { EXAMPLE_STRIDE } from '../../../src/parallel/example-stream';
import type { ReplicaLink } from '../../../src/parallel/protocol';
import { TrainingSession, type SessionData } from '../../../src/training/session';
import { inProcessLink } from '../parallel/in-process-link';

let mnist: MnistData;
let data: SessionData;

beforeAll(() => {
  mnist = loadMnist();
  data = { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count };
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the session's own loop until it has seen `examples`, then pauses and lets the last batch land. */
async function trainFor(session: TrainingSession, examples: number): Promise<void> {
  session.resume();
  while (session.examplesSeen < examples) await new Promise((resolve) => setTimeout(resolve, 2));
  session.pause();
  let seen = -1;
  while (seen !== session.examplesSeen) {
    seen = session.examplesSeen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function weightsOf(session: TrainingSession): Float32Array {
  const json = JSON.parse(session.saveSnapshot()) as { layers: { filters?: { w: number[] }[]; biases?: { w: number[] } }[] };
  const values: number[] = [];
  for (const layer of json.layers) {
    for (const f of layer.filters ?? []) values.push(...f.w);
    if (layer.biases) values.push(...layer.biases.w);
  }
  return Float32Array.from(values);
}

describe('TrainingSession with a replica', () => {
  it('has the replica classify the validation samples (probes) and counts what they found', async () => {
    let sent = 0;
    let correct = 0;
    let found = 0;
    const train = DataParallelTrainer.prototype.train;
    vi.spyOn(DataParallelTrainer.prototype, 'train').mockImplementation(async function (this: DataParallelTrainer, examples, count, handicap, probes) {
      sent += probes?.images.length ?? 0;
      // The coordinator takes more examples than the replica: the replica has the probes besides.
      if (probes) expect(handicap).toBeLessThan(0);
      const result = await train.call(this, examples, count, handicap, probes);
      if (result.probes) {
        correct += result.probes.correct;
        found += result.probes.correct + result.probes.misclassified.length;
      }
      return result;
    });
    const session = new TrainingSession(data, { seed: 5, replicas: [inProcessLink()], validationEvery: 10 });
    await trainFor(session, 600);
    // One validation sample every 10 examples, all sent as probes. A probe's counts come back
    // with the next job its replica runs: so all came back, or all but the last batch's two
    // (when the pause fell before another job went out; which one is up to the timing).
    expect(sent).toBe(session.examplesSeen / 10);
    expect([sent - 2, sent]).toContain(found);
    // The window (100 samples) holds every one of them: its average is theirs.
    expect(session.getStats().validationAccuracy).toBeCloseTo(correct / found, 10);
    // Real classifications of a net 30 updates in: better than chance (10%).
    expect(correct / found).toBeGreaterThan(0.15);
  });

  it('reports forward and backprop time per example from this thread’s shards', async () => {
    const session = new TrainingSession(data, { seed: 5, replicas: [inProcessLink()] });
    // All data is in from the start, so every example goes through the data-parallel trainer.
    await trainFor(session, 200);
    expect(session.trainingThreads).toBe(2);
    const { forwardMs, backwardMs } = session.getStats();
    // A forward or backward pass of the seed network takes tens of microseconds, not nothing, not seconds.
    for (const ms of [forwardMs, backwardMs]) {
      expect(ms).toBeGreaterThan(0.001);
      expect(ms).toBeLessThan(50);
    }
  });

  it('updates as one trainer fed the same mini-batches: gradient sum over the batch, then one update', async () => {
    const batches: Int32Array[] = [];
    const train = DataParallelTrainer.prototype.train;
    vi.spyOn(DataParallelTrainer.prototype, 'train').mockImplementation(function (this: DataParallelTrainer, examples, count) {
      batches.push(examples.slice(0, count * EXAMPLE_STRIDE));
      return train.call(this, examples, count);
    });
    const session = new TrainingSession(data, { seed: 3, replicas: [inProcessLink()] });
    await trainFor(session, 200);
    expect(session.trainingThreads).toBe(2);
    expect(session.replicaFailure).toBeNull();
    const seen = session.examplesSeen;
    // Whole mini-batches of batch_size 20, every one of them through the data-parallel trainer.
    expect(seen % 20).toBe(0);
    expect(batches.reduce((sum, b) => sum + b.length / EXAMPLE_STRIDE, 0)).toBe(seen);

    // The reference: the session's initial weights (the first draws of Rng(seed)), one thread.
    const { layers, trainer: spec } = parseNetwork(SEED_DEFINITION_TEXT);
    const net = new Net(layers, new Rng(3));
    const trainer = new Trainer(net, spec);
    const input = createInputVolume(net.inputShape);
    let updates = 0;
    for (const batch of batches) {
      for (let o = 0; o < batch.length; o += EXAMPLE_STRIDE) {
        fillCrop(input, mnist.train, batch[o], batch[o + 1], batch[o + 2]);
        if (trainer.train(input, mnist.train.labels[batch[o]]).updated) updates++;
      }
    }
    expect(updates).toBe(seen / 20);
    const ours = weightsOf(session);
    expect(ours.length).toBe(net.params.length);
    // Only the order of the float32 sums differs (two shard sums added, against one running sum).
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - net.params[i]));
    expect(worst).toBeLessThan(1e-4);
    // And training really moved them (not two copies of the initial weights).
    const initial = new Net(layers, new Rng(3)).params;
    let moved = 0;
    for (let i = 0; i < ours.length; i++) moved = Math.max(moved, Math.abs(ours[i] - initial[i]));
    expect(moved).toBeGreaterThan(1e-3);
    session.dispose();
  });

  it('goes on training alone when the replica fails, without counting the lost batch', async () => {
    const failing: ReplicaLink = {
      init: () => {},
      setData: () => {},
      train: () => Promise.reject(new Error('the replica crashed')),
      evaluate: () => Promise.reject(new Error('the replica crashed')),
      outputs: () => Promise.reject(new Error('the replica crashed')),
      close: () => Promise.resolve(),
    };
    const session = new TrainingSession(data, { seed: 3, replicas: [failing] });
    await trainFor(session, 100);
    expect(session.replicaFailure).toContain('the replica crashed');
    expect(session.trainingThreads).toBe(1);
    expect(session.examplesSeen).toBeGreaterThanOrEqual(100);
    const stats = session.getStats();
    expect(Number.isFinite(stats.classificationLoss)).toBe(true);
    session.dispose();
  });
});

describe('TrainingSession evaluating the test set on its workers', () => {
  it('spreads the evaluation over 1 + 3 replicas with the same result, image by image, as one thread', async () => {
    // 500 test images keep it short; the split (jobs of 50 over four threads) is the same at 10k.
    const small: SessionData = { ...data, test: { ...mnist.test, count: 500 } };
    const alone = new TrainingSession(small, { seed: 7 });
    const links = [inProcessLink('worker 1'), inProcessLink('worker 2'), inProcessLink('worker 3')];
    const outputs = vi.spyOn(DataParallelTrainer.prototype, 'evaluateOutputs');
    const spread = new TrainingSession(small, { seed: 7, replicas: links });
    // The same weights on both (a few batches of training first, so they are not the initial ones).
    await trainFor(spread, 100);
    expect(alone.loadSnapshot(spread.saveSnapshot()).ok).toBe(true);
    const progress: number[] = [];
    const [one, four] = await Promise.all([alone.evaluateTestSet(), spread.evaluateTestSet((p) => progress.push(p.done))]);
    // Both passes (test-time average, center) went to the workers.
    expect(outputs).toHaveBeenCalledTimes(2);
    expect(progress.at(-1)).toBe(500);
    if (!one.ok || !four.ok) throw new Error('an evaluation failed');
    const a = one.evaluation;
    const b = four.evaluation;
    expect(b.total).toBe(500);
    expect(b.fourCropCorrect).toBe(a.fourCropCorrect);
    expect(b.centerCorrect).toBe(a.centerCorrect);
    expect(b.labels).toEqual(a.labels);
    expect(b.topLabels).toEqual(a.topLabels);
    expect(b.topProbabilities).toEqual(a.topProbabilities);
    // Real results, not two empty ones: every image has a most likely class with a probability.
    expect(a.fourCropCorrect).toBeGreaterThan(0);
    expect(Math.min(...a.topProbabilities.filter((_, k) => k % 3 === 0))).toBeGreaterThan(0.1);
    alone.dispose();
    spread.dispose();
  });

  it('has the workers first: training waits while they evaluate, the run stays running, and goes on after', async () => {
    const small: SessionData = { ...data, test: { ...mnist.test, count: 200 } };
    let trainedExamples = 0;
    const train = DataParallelTrainer.prototype.train;
    vi.spyOn(DataParallelTrainer.prototype, 'train').mockImplementation(function (this: DataParallelTrainer, examples, count, handicap, probes) {
      trainedExamples += count;
      return train.call(this, examples, count, handicap, probes);
    });
    // While the workers evaluate: what training had done when each pass (4-crop, center) began.
    const during: { examples: number; batches: number; seconds: number | undefined; running: boolean }[] = [];
    const outputs = DataParallelTrainer.prototype.evaluateOutputs;
    let session!: TrainingSession;
    vi.spyOn(DataParallelTrainer.prototype, 'evaluateOutputs').mockImplementation(function (this: DataParallelTrainer, ...args) {
      const stats = session.getStats();
      during.push({ examples: session.examplesSeen, batches: trainedExamples, seconds: stats.trainingSeconds, running: stats.running });
      return outputs.apply(this, args);
    });
    session = new TrainingSession(small, { seed: 4, replicas: [inProcessLink('worker 1')] });
    await trainFor(session, 100);
    session.resume();
    const outcome = await session.evaluateTestSet();
    if (!outcome.ok) throw new Error(outcome.error);
    const atEnd = session.examplesSeen;
    expect(during).toHaveLength(2);
    // No mini-batch went out from the start of the first pass to the end of the evaluation,
    // and none was half done: every example sent was counted.
    expect(during[1].batches).toBe(during[0].batches);
    expect(during[0].examples).toBe(during[0].batches);
    expect(atEnd).toBe(during[0].examples);
    // The run stayed running, and its training clock stood still.
    expect(during.every((d) => d.running)).toBe(true);
    expect(during[1].seconds).toBe(during[0].seconds);
    expect(during[0].seconds).toBeGreaterThan(0);
    // The evaluated weights are those of the moment it was asked (before the batch then in flight, if any).
    expect(outcome.evaluation.examplesSeen).toBeLessThanOrEqual(atEnd);
    // Then training goes on by itself, whole batches counted as before.
    while (session.examplesSeen < atEnd + 100) await new Promise((resolve) => setTimeout(resolve, 2));
    await trainFor(session, 0);
    expect(session.examplesSeen % 20).toBe(0);
    expect(session.examplesSeen).toBe(trainedExamples);
    expect(session.getStats().trainingSeconds).toBeGreaterThan(during[1].seconds!);
    session.dispose();
  });

  it('evaluates the weights of the moment it was asked while training goes on, twice in a row', async () => {
    const small: SessionData = { ...data, test: { ...mnist.test, count: 300 } };
    const alone = new TrainingSession(small, { seed: 9 });
    const spread = new TrainingSession(small, { seed: 9, replicas: [inProcessLink('worker 1'), inProcessLink('worker 2')] });
    const seen: number[] = [];
    await trainFor(spread, 60);
    for (let round = 0; round < 2; round++) {
      spread.resume();
      // Taken in the same turn as the evaluation's frozen copy.
      const weights = spread.saveSnapshot();
      const pending = spread.evaluateTestSet();
      const four = await pending;
      spread.pause();
      expect(alone.loadSnapshot(weights).ok).toBe(true);
      const one = await alone.evaluateTestSet();
      if (!one.ok || !four.ok) throw new Error('an evaluation failed');
      expect(four.evaluation.topProbabilities).toEqual(one.evaluation.topProbabilities);
      expect(four.evaluation.centerCorrect).toBe(one.evaluation.centerCorrect);
      seen.push(four.evaluation.examplesSeen);
      await trainFor(spread, spread.examplesSeen + 100);
    }
    // Training went on between (and during) the two evaluations.
    expect(seen[1]).toBeGreaterThan(seen[0]);
    alone.dispose();
    spread.dispose();
  });
});
