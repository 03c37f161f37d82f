import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { DataParallelTrainer } from '../../../src/parallel/data-parallel-trainer';
import { planEvaluation } from '../../../src/parallel/evaluation-plan';
import { EXAMPLE_STRIDE, ExampleStream } from '../../../src/parallel/example-stream';
import { canShareMemory } from '../../../src/data/shared-memory';
import { linkToWorker, serveReplicaOn, shareableSets, type WebMessageTarget } from '../../../src/parallel/worker-host';
import { inProcessLink } from './in-process-link';

/**
 * The web-style host glue (what a browser's Web Workers use), run over Node MessagePorts,
 * which have the same addEventListener / postMessage-with-transfer shape.
 */
describe('linkToWorker and serveReplicaOn', () => {
  it('train and evaluate through a message port agree with the in-process replica', async () => {
    const data = shareableSets(loadMnist());
    const { layers, trainer: spec } = parseNetwork(SEED_DEFINITION_TEXT);
    const list = new Int32Array(60 * EXAMPLE_STRIDE);
    ExampleStream.forSeed(Int32Array.from({ length: 1000 }, (_, i) => i), layers[0].out, 1).fill(list, 60);
    const results: Float32Array[] = [];
    const correct: number[] = [];
    for (const kind of ['port', 'in-process'] as const) {
      const net = new Net(layers, new Rng(1));
      let close = () => {};
      let link;
      if (kind === 'port') {
        const { port1, port2 } = new MessageChannel();
        serveReplicaOn(port2 as unknown as WebMessageTarget);
        link = linkToWorker(port1 as unknown as WebMessageTarget, 'port replica');
        close = () => port1.close();
      } else {
        link = inProcessLink();
      }
      const dp = new DataParallelTrainer({ net, trainer: new Trainer(net, spec), sets: data, links: [link], seed: 1 });
      for (let b = 0; b < 3; b++) await dp.train(list.subarray(b * 20 * EXAMPLE_STRIDE), 20);
      const plan = planEvaluation(Int32Array.from({ length: 100 }, (_, i) => i), net.inputShape, '4crop', new Rng(2));
      correct.push((await dp.evaluate('test', plan, { chunkImages: 10 })).correct);
      results.push(net.params.slice());
      await dp.close();
      close();
    }
    expect(results[0]).toEqual(results[1]);
    expect(correct[0]).toBe(correct[1]);
  });

  it('shares the images in SharedArrayBuffers where memory can be shared (always in Node)', () => {
    expect(canShareMemory()).toBe(true);
    const set = { count: 1, images: new Uint8Array(784).fill(7), labels: Uint8Array.of(3) };
    const shared = shareableSets({ train: set, test: set });
    expect(shared.train.images.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared.train.images.subarray(0, 3))).toEqual([7, 7, 7]);
    expect(shared.train.labels[0]).toBe(3);
    // Already shared sets are kept as they are.
    expect(shareableSets(shared).train).toBe(shared.train);
  });
});
