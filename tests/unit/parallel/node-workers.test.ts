import { beforeAll, describe, expect, it } from 'vitest';
import { startWorkerReplicas, yieldToNodeEventLoop, type Transport } from '../../../scripts/lib/parallel-workers';
import { loadMnist } from '../../../src/data/node-loader';
import type { ReplicaSets } from '../../../src/parallel/protocol';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import type { ResolvedLayer } from '../../../src/engine/spec';
import { Trainer } from '../../../src/engine/trainer';
import { DataParallelTrainer } from '../../../src/parallel/data-parallel-trainer';
import { planEvaluation } from '../../../src/parallel/evaluation-plan';
import { ExampleRunner } from '../../../src/parallel/example-runner';
import { EXAMPLE_STRIDE, ExampleStream } from '../../../src/parallel/example-stream';
import type { ReplicaLink } from '../../../src/parallel/protocol';
import { shareableSets } from '../../../src/parallel/worker-host';
import { inProcessLink } from './in-process-link';

/**
 * Replicas on real Node worker threads, through both transports: the shared channel
 * (SharedArrayBuffer + Atomics, the CLI's default) and messages. A worker computes
 * exactly what a replica on the same thread computes, so the weights agree bit for bit.
 */
let sets: ReplicaSets;
const seedNet = parseNetwork(SEED_DEFINITION_TEXT);
const smallNet = parseNetwork(
  JSON.stringify({
    layers: [
      { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
      { type: 'conv', sx: 5, filters: 6, stride: 2, activation: 'relu' },
      { type: 'softmax', num_classes: 10 },
    ],
    trainer: { method: 'adadelta', batch_size: 10, l2_decay: 0.001 },
  }),
);

beforeAll(() => {
  sets = shareableSets(loadMnist());
});

function model(layers: readonly ResolvedLayer[], spec = seedNet.trainer) {
  const net = new Net(layers, new Rng(3));
  return { net, trainer: new Trainer(net, spec) };
}

/** Trains, evaluates, trains, swaps in another network, trains and evaluates again. */
async function scenario(links: ReplicaLink[]): Promise<{ params: Float32Array[]; correct: number[] }> {
  const first = model(seedNet.layers);
  const dp = new DataParallelTrainer({ ...first, sets, links, seed: 1, yieldToEventLoop: yieldToNodeEventLoop });
  const stream = ExampleStream.forSeed(Int32Array.from({ length: 5000 }, (_, i) => i), first.net.inputShape, 1);
  const list = new Int32Array(20 * EXAMPLE_STRIDE);
  const train = async (batches: number) => {
    for (let b = 0; b < batches; b++) {
      const count = dp.batchRemaining;
      stream.fill(list, count);
      await dp.train(list, count);
    }
  };
  const images = Int32Array.from({ length: 120 }, (_, i) => i);
  const correct: number[] = [];
  const params: Float32Array[] = [];
  await train(3);
  correct.push((await dp.evaluate('test', planEvaluation(images, first.net.inputShape, '4crop', new Rng(2)), { chunkImages: 20 })).correct);
  await train(2);
  params.push(first.net.params.slice());
  const second = model(smallNet.layers, smallNet.trainer);
  dp.setModel(second.net, second.trainer);
  await train(4);
  correct.push((await dp.evaluate('test', planEvaluation(images, second.net.inputShape, 'center'), { chunkImages: 20 })).correct);
  params.push(second.net.params.slice());
  await dp.close();
  return { params, correct };
}

describe('replicas on worker threads', () => {
  let reference: { params: Float32Array[]; correct: number[] };

  beforeAll(async () => {
    reference = await scenario([inProcessLink()]);
  });

  for (const transport of ['shared', 'messages'] as Transport[]) {
    it(`compute what a same-thread replica computes, through ${transport}, across evaluations and a network change`, async () => {
      const replicas = startWorkerReplicas(1, transport);
      try {
        const result = await scenario(replicas.links);
        expect(result.correct).toEqual(reference.correct);
        expect(result.params[0]).toEqual(reference.params[0]);
        expect(result.params[1]).toEqual(reference.params[1]);
      } finally {
        await replicas.stop();
      }
    });
  }

  it('evaluate a frozen copy of the weights on shared-channel workers while training goes on between the jobs', async () => {
    const replicas = startWorkerReplicas(2, 'shared');
    try {
      const m = model(seedNet.layers);
      const dp = new DataParallelTrainer({ ...m, sets, links: replicas.links, seed: 1, yieldToEventLoop: yieldToNodeEventLoop });
      const stream = ExampleStream.forSeed(Int32Array.from({ length: 5000 }, (_, i) => i), m.net.inputShape, 1);
      const list = new Int32Array(20 * EXAMPLE_STRIDE);
      const plan = planEvaluation(Int32Array.from({ length: 200 }, (_, i) => i), m.net.inputShape, '4crop', new Rng(5));
      const results: Float32Array[] = [];
      for (let round = 0; round < 2; round++) {
        const frozen = new Net(m.net.specs, new Rng(0));
        frozen.params.set(m.net.params);
        const evaluation = dp.evaluateOutputs('test', plan, frozen, { chunkImages: 20 });
        // Batches go on meanwhile, over the same workers, with the live weights.
        for (let b = 0; b < 5; b++) {
          stream.fill(list, 20);
          await dp.train(list, 20);
        }
        const outputs = await evaluation;
        expect(outputs).toEqual(new ExampleRunner(frozen).averagedOutputs(sets.test, plan, new Float32Array(200 * 10)));
        results.push(outputs!);
      }
      // The weights moved between the rounds, and each round scored its own.
      expect(results[1]).not.toEqual(results[0]);
      // Training never saw the frozen weights: the same 10 batches without evaluations end alike, bit for bit.
      const plain = model(seedNet.layers);
      const control = new DataParallelTrainer({ ...plain, sets, links: [inProcessLink(), inProcessLink()], seed: 1 });
      const again = ExampleStream.forSeed(Int32Array.from({ length: 5000 }, (_, i) => i), plain.net.inputShape, 1);
      for (let b = 0; b < 10; b++) {
        again.fill(list, 20);
        await control.train(list, 20);
      }
      await control.close();
      expect(m.net.params).toEqual(plain.net.params);
    } finally {
      await replicas.stop();
    }
  });

  it('report a failing job on the shared path with the replica’s message', async () => {
    const replicas = startWorkerReplicas(1, 'shared');
    try {
      const m = model(seedNet.layers);
      const dp = new DataParallelTrainer({ ...m, sets, links: replicas.links, seed: 1 });
      const list = new Int32Array(20 * EXAMPLE_STRIDE);
      // Image 70000 does not exist; the worker's half of the batch (examples 10..19) holds it.
      list.fill(0);
      list[15 * EXAMPLE_STRIDE] = 70000;
      await expect(dp.train(list, 20)).rejects.toThrow('worker 1: image 70000 is outside the set of 60000');
    } finally {
      await replicas.stop();
    }
  });

  it('notice a worker that dies while the coordinator waits for it', async () => {
    const replicas = startWorkerReplicas(1, 'shared');
    try {
      const m = model(seedNet.layers);
      const dp = new DataParallelTrainer({ ...m, sets, links: replicas.links, seed: 1, yieldToEventLoop: yieldToNodeEventLoop });
      const list = new Int32Array(20 * EXAMPLE_STRIDE);
      await dp.train(list, 20);
      // The thread is being ended as the next batch goes out: no result will come, and the
      // event saying so can only be handled between the coordinator's blocking waits.
      void replicas.threads[0].terminate();
      await expect(dp.train(list, 20)).rejects.toThrow(/^worker 1 exited/);
    } finally {
      await replicas.stop();
    }
  });
});
