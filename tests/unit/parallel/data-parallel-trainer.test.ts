import { beforeAll, describe, expect, it } from 'vitest';
import { createInputVolume, fillCrop } from '../../../src/data/augment';
import { evaluateAccuracy } from '../../../src/data/evaluate';
import type { MnistSet } from '../../../src/data/mnist';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { splitForSeed } from '../../../src/data/splits';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import type { ResolvedLayer, TrainerSpec } from '../../../src/engine/spec';
import { Trainer } from '../../../src/engine/trainer';
import { DataParallelTrainer } from '../../../src/parallel/data-parallel-trainer';
import { planEvaluation } from '../../../src/parallel/evaluation-plan';
import { ExampleRunner } from '../../../src/parallel/example-runner';
import { EXAMPLE_STRIDE, ExampleStream } from '../../../src/parallel/example-stream';
import type { ReplicaLink } from '../../../src/parallel/protocol';
import { inProcessLink } from './in-process-link';

let data: MnistData;
let trainIndices: Int32Array;
const seed = parseNetwork(SEED_DEFINITION_TEXT);

beforeAll(() => {
  data = loadMnist();
  trainIndices = splitForSeed(data.train.count, 1).train;
});

interface Model {
  net: Net;
  trainer: Trainer;
}

function model(layers: readonly ResolvedLayer[] = seed.layers, trainer: TrainerSpec = seed.trainer): Model {
  const net = new Net(layers, new Rng(7));
  return { net, trainer: new Trainer(net, trainer) };
}

/** A small network with dropout: each replica draws its own masks. */
function dropoutLayers(): readonly ResolvedLayer[] {
  return parseNetwork(
    JSON.stringify({
      layers: [
        { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
        { type: 'conv', sx: 5, filters: 4, stride: 2, activation: 'relu' },
        { type: 'dropout', drop_prob: 0.3 },
        { type: 'softmax', num_classes: 10 },
      ],
    }),
  ).layers;
}

function parallel(m: Model, links: ReplicaLink[]): DataParallelTrainer {
  return new DataParallelTrainer({
    ...m,
    sets: { train: data.train, test: data.test },
    links,
    seed: 1,
    yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
  });
}

/** The example lists of `chunks` consecutive calls, drawn from one seeded stream. */
function exampleLists(chunks: readonly number[], inputShape = seed.layers[0].out): Int32Array[] {
  const stream = ExampleStream.forSeed(trainIndices, inputShape, 1);
  return chunks.map((count) => {
    const list = new Int32Array(count * EXAMPLE_STRIDE);
    stream.fill(list, count);
    return list;
  });
}

/** The one-thread reference: Trainer.train on each example, as the CLI did before workers. */
function trainSerially(m: Model, lists: readonly Int32Array[], set: MnistSet = data.train): number[] {
  const input = createInputVolume(m.net.inputShape);
  const losses: number[] = [];
  for (const list of lists) {
    for (let o = 0; o < list.length; o += EXAMPLE_STRIDE) {
      fillCrop(input, set, list[o], list[o + 1], list[o + 2]);
      losses.push(m.trainer.train(input, set.labels[list[o]]).loss);
    }
  }
  return losses;
}

async function trainParallel(dp: DataParallelTrainer, lists: readonly Int32Array[]): Promise<number[]> {
  const losses: number[] = [];
  for (const list of lists) {
    const result = await dp.train(list, list.length / EXAMPLE_STRIDE);
    losses.push(...result.losses);
  }
  return losses;
}

/** Largest |a - b| relative to the largest |a|: float32 summation order shows up around 1e-7. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

// Whole batches of 20, then one batch given in two parts (7 + 13), as a budget or a
// checkpoint can cut one, then more whole batches.
const CHUNKS = [20, 20, 20, 7, 13, 20, 20];

describe('DataParallelTrainer', () => {
  it('with no workers is the one-thread trainer, bit for bit', async () => {
    const lists = exampleLists(CHUNKS);
    const reference = model();
    const referenceLosses = trainSerially(reference, lists);
    const single = model();
    const losses = await trainParallel(parallel(single, []), lists);
    expect(losses).toEqual(referenceLosses);
    expect(single.net.params).toEqual(reference.net.params);
    expect(single.trainer.getState()).toEqual(reference.trainer.getState());
  });

  it('with 2 replicas gives the weights of 1 worker on the same batches, within float32 summation error', async () => {
    const lists = exampleLists(CHUNKS);
    const one = model();
    await trainParallel(parallel(one, []), lists);
    const two = model();
    const dp = parallel(two, [inProcessLink()]);
    expect(dp.replicas).toBe(2);
    await trainParallel(dp, lists);
    expect(two.trainer.examplesSeen).toBe(120);
    const difference = relativeDifference(one.net.params, two.net.params);
    expect(difference).toBeLessThan(1e-5);
    // The replicas really computed different shards: the sums were added in another order.
    expect(difference).toBeGreaterThan(0);
    await dp.close();
  });

  it('with 3 replicas (uneven shards, 20 = 6 + 7 + 7) agrees as well, and a seed reproduces it exactly', async () => {
    const lists = exampleLists(CHUNKS);
    const one = model();
    await trainParallel(parallel(one, []), lists);
    const runs: Model[] = [];
    for (let run = 0; run < 2; run++) {
      const m = model();
      const dp = parallel(m, [inProcessLink(), inProcessLink()]);
      await trainParallel(dp, lists);
      await dp.close();
      runs.push(m);
    }
    expect(relativeDifference(one.net.params, runs[0].net.params)).toBeLessThan(1e-5);
    expect(runs[1].net.params).toEqual(runs[0].net.params);
  });

  it('with 4 threads (20 = 5 + 5 + 5 + 5) trains, evaluates and reproduces as 1 worker does', async () => {
    const lists = exampleLists(CHUNKS);
    const one = model();
    const oneLosses = await trainParallel(parallel(one, []), lists);
    const runs: Model[] = [];
    for (let run = 0; run < 2; run++) {
      const m = model();
      const dp = parallel(m, [inProcessLink(), inProcessLink(), inProcessLink()]);
      expect(dp.replicas).toBe(4);
      const losses = await trainParallel(dp, lists);
      // Every example's loss comes from the same weights as 1 worker's (the updates match), in batch order.
      losses.forEach((loss, e) => expect(loss).toBeCloseTo(oneLosses[e], 4));
      if (run === 0) {
        // The outputs of a frozen copy, spread over the 4 threads: bit for bit the one-thread ones.
        const frozen = new Net(m.net.specs, new Rng(0));
        frozen.params.set(m.net.params);
        const plan = planEvaluation(Int32Array.from({ length: 120 }, (_, i) => i), m.net.inputShape, '4crop', new Rng(3));
        const spread = await dp.evaluateOutputs('test', plan, frozen, { chunkImages: 16 });
        expect(spread).toEqual(new ExampleRunner(frozen).averagedOutputs(data.test, plan, new Float32Array(120 * 10)));
      }
      await dp.close();
      runs.push(m);
    }
    expect(runs[0].trainer.examplesSeen).toBe(120);
    // The gradient sums add in replica order (fixed), so only float32 summation order differs from 1 worker...
    expect(relativeDifference(one.net.params, runs[0].net.params)).toBeLessThan(1e-5);
    // ...and a seed reproduces a 4-thread run bit for bit.
    expect(runs[1].net.params).toEqual(runs[0].net.params);
  });

  it('with a coordinator handicap (fewer examples on this thread) still gives 1 worker’s weights', async () => {
    const lists = exampleLists(CHUNKS);
    const one = model();
    const oneLosses = await trainParallel(parallel(one, []), lists);
    const two = model();
    const dp = parallel(two, [inProcessLink()]);
    const losses: number[] = [];
    for (const list of lists) {
      // 4 example-equivalents of side work: a batch of 20 splits 8 + 12.
      const result = await dp.train(list, list.length / EXAMPLE_STRIDE, 4);
      losses.push(...result.losses);
    }
    await dp.close();
    expect(two.trainer.examplesSeen).toBe(120);
    expect(relativeDifference(one.net.params, two.net.params)).toBeLessThan(1e-5);
    // Per-example losses come back in batch order whichever thread computed them.
    expect(losses.length).toBe(oneLosses.length);
    expect(Math.abs(losses[0] - oneLosses[0])).toBeLessThan(1e-6);
  });

  it('returns every example’s loss and prediction in batch order, whichever replica computed it', async () => {
    const [list] = exampleLists([20]);
    const reference = model();
    const input = createInputVolume(reference.net.inputShape);
    const expected: Array<{ loss: number; predicted: number }> = [];
    for (let o = 0; o < list.length; o += EXAMPLE_STRIDE) {
      fillCrop(input, data.train, list[o], list[o + 1], list[o + 2]);
      const { loss } = reference.trainer.train(input, data.train.labels[list[o]]);
      expect(loss).toBeGreaterThan(0);
      expected.push({ loss, predicted: reference.net.getPrediction() });
    }
    const m = model();
    const dp = parallel(m, [inProcessLink()]);
    const result = await dp.train(list, 20);
    // The first batch starts from identical weights, so every figure is exact.
    expect(Array.from(result.losses)).toEqual(expected.map((e) => e.loss));
    expect(Array.from(result.predictions)).toEqual(expected.map((e) => e.predicted));
    expect(result.updated).toBe(true);
    await dp.close();
  });

  it('refuses more examples than the running batch has left', async () => {
    const dp = parallel(model(), []);
    const [list] = exampleLists([21]);
    await expect(dp.train(list, 21)).rejects.toThrow(/21 examples do not fit the 20 left/);
    await dp.train(list, 5);
    expect(dp.batchRemaining).toBe(15);
  });

  it('trains a dropout network on replicas (each with its own masks), reproducibly for a seed', async () => {
    const layers = dropoutLayers();
    const lists = exampleLists([10, 10, 10]);
    const params: Float32Array[] = [];
    for (let run = 0; run < 2; run++) {
      const m = model(layers, { ...seed.trainer, batch_size: 10 });
      const dp = parallel(m, [inProcessLink()]);
      await trainParallel(dp, lists);
      await dp.close();
      params.push(m.net.params.slice());
    }
    expect(params[1]).toEqual(params[0]);
  });

  it('gives the replicas the dropout streams of a new seed on setModel (a restart), as a fresh trainer with that seed', async () => {
    const layers = dropoutLayers();
    const lists = exampleLists([10, 10, 10]);
    const spec = { ...seed.trainer, batch_size: 10 };
    // Returns the weights of the model the run ends with (prepare may swap in another).
    const run = async (seedOf: number, prepare?: (dp: DataParallelTrainer, m: Model) => Promise<Model>) => {
      let m = model(layers, spec);
      const dp = new DataParallelTrainer({ ...m, sets: data, links: [inProcessLink()], seed: seedOf });
      if (prepare) m = await prepare(dp, m);
      await trainParallel(dp, lists);
      await dp.close();
      return m.net.params.slice();
    };
    // Seed 1 trains a while, then a restart with seed 2 (a fresh model, as the session
    // builds) must train exactly as a trainer made with seed 2.
    const restarted = await run(1, async (dp) => {
      await trainParallel(dp, lists);
      const again = model(layers, spec);
      dp.setModel(again.net, again.trainer, 2);
      return again;
    });
    const fresh = await run(2);
    const other = await run(1);
    expect(restarted).toEqual(fresh);
    // The seed matters: seed 1's masks give other weights.
    expect(other).not.toEqual(fresh);
  });

  it('reports a failing replica as a rejected promise naming it', async () => {
    const m = model();
    const link = inProcessLink('worker 1');
    const dp = parallel(m, [link]);
    // Data whose images are missing: the replica's crop of a training example fails.
    link.setData({ train: { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) }, test: data.test });
    const [list] = exampleLists([20]);
    await expect(dp.train(list, 20)).rejects.toThrow(/^worker 1: image \d+ is outside the set of 0/);
    await dp.close();
  });
});

describe('DataParallelTrainer.evaluate', () => {
  it('gives the one-thread evaluation’s figures (center, 4-crop), spread over replicas in small jobs', async () => {
    const m = model();
    await trainParallel(parallel(m, []), exampleLists([20, 20, 20]));
    const dp = parallel(m, [inProcessLink(), inProcessLink()]);
    const indices = Int32Array.from({ length: 300 }, (_, i) => i);
    for (const mode of ['center', '4crop'] as const) {
      const expected = evaluateAccuracy(m.net, data.test, mode, { indices, rng: new Rng(3) });
      const plan = planEvaluation(indices, m.net.inputShape, mode, new Rng(3));
      const progress: number[] = [];
      const result = await dp.evaluate('test', plan, { chunkImages: 16, onProgress: (done) => progress.push(done) });
      expect(result).toMatchObject({ correct: expected.correct, evaluated: 300, complete: true });
      expect(progress[progress.length - 1]).toBe(300);
      // The wrong ones, found by whichever replica: the images whose 4-crop (or center) prediction misses.
      const wrong: number[] = [];
      new ExampleRunner(m.net).countCorrect(data.test, plan, wrong);
      expect(Array.from(result.misclassified).sort((a, b) => a - b)).toEqual(wrong);
      expect(wrong.length).toBe(300 - expected.correct);
    }
    await dp.close();
  });

  it('scores a whole-image (28x28) network with one pass per image, as the one-thread evaluation', async () => {
    const layers = parseNetwork(
      JSON.stringify({
        layers: [
          { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
          { type: 'conv', sx: 5, filters: 4, stride: 3, activation: 'relu' },
          { type: 'softmax', num_classes: 10 },
        ],
      }),
    ).layers;
    const m = model(layers);
    const indices = Int32Array.from({ length: 100 }, (_, i) => i);
    const plan = planEvaluation(indices, m.net.inputShape, '4crop', new Rng(3));
    expect(plan.passes).toBe(1);
    const dp = parallel(m, [inProcessLink()]);
    const expected = evaluateAccuracy(m.net, data.test, '4crop', { indices, rng: new Rng(3) });
    expect((await dp.evaluate('test', plan, { chunkImages: 10 })).correct).toBe(expected.correct);
    await dp.close();
  });

  it('stops early once more images are wrong than maxErrors allows', async () => {
    // An untrained net gets about 90% wrong: 5 errors are exceeded within the first jobs.
    const m = model();
    const dp = parallel(m, [inProcessLink()]);
    const indices = Int32Array.from({ length: 2000 }, (_, i) => i);
    const plan = planEvaluation(indices, m.net.inputShape, 'center');
    const result = await dp.evaluate('test', plan, { chunkImages: 20, maxErrors: 5 });
    expect(result.complete).toBe(false);
    expect(result.evaluated - result.correct).toBeGreaterThan(5);
    expect(result.evaluated).toBeLessThan(200);
    await dp.close();
  });

  it('sends the weights again after paramsChanged, so replicas score what the coordinator holds', async () => {
    const m = model();
    const dp = parallel(m, [inProcessLink()]);
    const indices = Int32Array.from({ length: 200 }, (_, i) => i);
    const plan = planEvaluation(indices, m.net.inputShape, 'center');
    await dp.evaluate('test', plan, { chunkImages: 10 });
    // Weights replaced from outside (a roll-back, an import): all zero predicts class 0 everywhere.
    m.net.params.fill(0);
    dp.paramsChanged();
    const zeros = data.test.labels.subarray(0, 200).filter((label) => label === 0).length;
    expect((await dp.evaluate('test', plan, { chunkImages: 10 })).correct).toBe(zeros);
    await dp.close();
  });
});
