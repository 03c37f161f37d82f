/**
 * Replicas on a colour dataset: the sets they receive carry the images' geometry, the
 * example lists carry shifted and mirrored windows, and a batch split over replicas
 * trains and evaluates as one thread does, and as a plain Trainer.train on the same windows.
 */
import { describe, expect, it } from 'vitest';
import { CIFAR10_AUGMENTATION, type DatasetShape, type ImageSet } from '../../../src/data/dataset';
import { fillPlaced } from '../../../src/data/dataset-inputs';
import { evaluateAccuracy } from '../../../src/data/evaluate';
import { Net } from '../../../src/engine/net';
import { parseNetwork } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { Volume } from '../../../src/engine/volume';
import { DataParallelTrainer } from '../../../src/parallel/data-parallel-trainer';
import { planEvaluation } from '../../../src/parallel/evaluation-plan';
import { EXAMPLE_STRIDE, ExampleStream } from '../../../src/parallel/example-stream';
import type { ReplicaLink } from '../../../src/parallel/protocol';
import { inProcessLink } from './in-process-link';

const SIDE = 10;
const DATASET: DatasetShape = { name: 'Tiny RGB', width: SIDE, height: SIDE, channels: 3, augmentation: CIFAR10_AUGMENTATION };

function randomSet(count: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  return {
    count,
    images: Uint8Array.from({ length: count * SIDE * SIDE * 3 }, () => rng.int(0, 256)),
    labels: Uint8Array.from({ length: count }, () => rng.int(0, 4)),
  };
}

const TRAIN = randomSet(64, 1);
const TEST = randomSet(30, 2);
const { layers, trainer: trainerSpec } = parseNetwork(
  JSON.stringify({
    layers: [
      { type: 'input', out_sx: SIDE, out_sy: SIDE, out_depth: 3 },
      { type: 'conv', sx: 3, filters: 4, stride: 1, pad: 1, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'softmax', num_classes: 4 },
    ],
    trainer: { method: 'adadelta', batch_size: 8, l2_decay: 0.0001 },
  }),
);

function model() {
  const net = new Net(layers, new Rng(7));
  return { net, trainer: new Trainer(net, trainerSpec) };
}

function lists(chunks: readonly number[]): Int32Array[] {
  const stream = ExampleStream.forSeed(Int32Array.from({ length: TRAIN.count }, (_, i) => i), layers[0].out, 1, DATASET);
  return chunks.map((count) => {
    const list = new Int32Array(count * EXAMPLE_STRIDE);
    stream.fill(list, count);
    return list;
  });
}

function parallel(m: ReturnType<typeof model>, links: ReplicaLink[]): DataParallelTrainer {
  return new DataParallelTrainer({
    ...m,
    sets: { train: TRAIN, test: TEST, geometry: DATASET },
    links,
    seed: 1,
    yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
  });
}

const CHUNKS = [8, 8, 3, 5, 8, 8];

describe('replicas on an RGB dataset', () => {
  it('draws shifted and mirrored windows', () => {
    const all = lists([200])[0];
    const flips = new Set<number>();
    const shifts = new Set<number>();
    for (let e = 0; e < 200; e++) {
      shifts.add(all[e * EXAMPLE_STRIDE + 1]);
      flips.add(all[e * EXAMPLE_STRIDE + 3]);
    }
    expect([...shifts].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    expect([...flips].sort()).toEqual([0, 1]);
  });

  it('one thread trains as Trainer.train on the same windows, and two replicas agree with it', async () => {
    const examples = lists(CHUNKS);
    const reference = model();
    const input = new Volume(SIDE, SIDE, 3);
    for (const list of examples) {
      for (let e = 0; e < list.length / EXAMPLE_STRIDE; e++) {
        const o = e * EXAMPLE_STRIDE;
        fillPlaced(input, DATASET, TRAIN, list[o], { offsetX: list[o + 1], offsetY: list[o + 2], flip: list[o + 3] === 1 });
        reference.trainer.train(input, TRAIN.labels[list[o]]);
      }
    }
    const one = model();
    const alone = parallel(one, []);
    for (const list of examples) await alone.train(list, list.length / EXAMPLE_STRIDE);
    expect(one.net.params).toEqual(reference.net.params);

    const two = model();
    const split = parallel(two, [inProcessLink(), inProcessLink()]);
    for (const list of examples) await split.train(list, list.length / EXAMPLE_STRIDE);
    let diff = 0;
    for (let i = 0; i < one.net.params.length; i++) diff = Math.max(diff, Math.abs(one.net.params[i] - two.net.params[i]));
    expect(diff).toBeLessThan(1e-5);

    // Test-time averaging (1 + 6 shifted and mirrored windows) over the replicas gives evaluateAccuracy's count.
    const indices = Int32Array.from({ length: TEST.count }, (_, i) => i);
    const plan = planEvaluation(indices, layers[0].out, '4crop', new Rng(3), DATASET);
    expect(plan.passes).toBe(7);
    const spread = await split.evaluate('test', plan, { chunkImages: 4 });
    const expected = evaluateAccuracy(two.net, TEST, '4crop', { indices, rng: new Rng(3), dataset: DATASET });
    expect(spread.correct).toBe(expected.correct);
    expect(spread.evaluated).toBe(TEST.count);
    await split.close();
  });
});
