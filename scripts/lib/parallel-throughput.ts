/**
 * Training throughput with 1 worker against N workers, for `npm run bench` and for
 * docs/performance.md: the seed network and trainer, real MNIST crops drawn as the CLI
 * draws them, the two set-ups trained in alternating rounds (so a slow patch of a shared
 * machine hurts both alike) after a warm-up. No evaluation, no loading in the time.
 */
import type { MnistData } from '../../src/data/node-loader';
import { splitForSeed } from '../../src/data/splits';
import { Net } from '../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../src/engine/parse';
import { Rng } from '../../src/engine/rng';
import { Trainer } from '../../src/engine/trainer';
import { DataParallelTrainer } from '../../src/parallel/data-parallel-trainer';
import { EXAMPLE_STRIDE, ExampleStream } from '../../src/parallel/example-stream';
import { shareableSets } from '../../src/parallel/worker-host';
import { startWorkerReplicas, yieldToNodeEventLoop, type WorkerReplicas } from './parallel-workers';

export interface ScalingOptions {
  data: MnistData;
  /** Worker count compared with 1 (default 2). */
  workers?: number;
  /** Measured rounds per set-up (default 6) and examples per round (default 4000, a multiple of the batch). */
  rounds?: number;
  roundExamples?: number;
  /** Examples trained by each set-up before timing (default 2000). */
  warmupExamples?: number;
}

export interface ScalingResult {
  oneWorker: { examplesPerSecond: number };
  nWorkers: { workers: number; examplesPerSecond: number };
  /** nWorkers / oneWorker. */
  speedup: number;
}

interface SetUp {
  trainer: DataParallelTrainer;
  stream: ExampleStream;
  replicas: WorkerReplicas | null;
  examples: number;
  seconds: number;
}

export async function measureWorkerScaling(options: ScalingOptions): Promise<ScalingResult> {
  const workers = options.workers ?? 2;
  const rounds = options.rounds ?? 6;
  const roundExamples = options.roundExamples ?? 4000;
  const warmup = options.warmupExamples ?? 2000;
  const sets = shareableSets(options.data);
  const split = splitForSeed(sets.train.count, 1);
  const { layers, trainer: spec } = parseNetwork(SEED_DEFINITION_TEXT);
  const setUp = (n: number): SetUp => {
    const net = new Net(layers, new Rng(1));
    const replicas = n > 1 ? startWorkerReplicas(n - 1) : null;
    const trainer = new DataParallelTrainer({
      net,
      trainer: new Trainer(net, spec),
      sets,
      links: replicas?.links,
      seed: 1,
      yieldToEventLoop: yieldToNodeEventLoop,
    });
    return { trainer, stream: ExampleStream.forSeed(split.train, net.inputShape, 1), replicas, examples: 0, seconds: 0 };
  };
  const setUps = [setUp(1), setUp(workers)];
  try {
    const list = new Int32Array(spec.batch_size * EXAMPLE_STRIDE);
    const train = async (s: SetUp, examples: number) => {
      for (let done = 0; done < examples; ) {
        const count = s.trainer.batchRemaining;
        s.stream.fill(list, count);
        await s.trainer.train(list, count);
        done += count;
      }
    };
    for (const s of setUps) await train(s, warmup);
    for (let round = 0; round < rounds; round++) {
      // Alternate which set-up goes first, so neither always follows the other's cache state.
      const order = round % 2 === 0 ? setUps : [...setUps].reverse();
      for (const s of order) {
        const t0 = performance.now();
        await train(s, roundExamples);
        s.seconds += (performance.now() - t0) / 1000;
        s.examples += roundExamples;
      }
    }
  } finally {
    await Promise.all(setUps.map((s) => s.replicas?.stop()));
  }
  const [one, many] = setUps.map((s) => s.examples / s.seconds);
  return {
    oneWorker: { examplesPerSecond: Math.round(one) },
    nWorkers: { workers, examplesPerSecond: Math.round(many) },
    speedup: Math.round((many / one) * 1000) / 1000,
  };
}
