/**
 * Training throughput with 1 worker against N workers, for `npm run bench` and for
 * docs/performance.md: the seed network and trainer, real MNIST crops drawn as the CLI
 * draws them, the two set-ups trained in alternating rounds (so a slow patch of a shared
 * machine hurts both alike) after a warm-up. No evaluation, no loading in the time.
 *
 * On a machine other jobs share, a second thread may get far less than a second core.
 * Each round therefore also times a control: the same fixed integer loop on 1 thread and
 * on N threads at once. Its speed-up is what the machine gives at that moment, and the
 * training speed-up divided by it is the part the implementation is responsible for.
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
import { Worker } from 'node:worker_threads';
import { spin } from './parallel-spin.mjs';
import { startWorkerReplicas, yieldToNodeEventLoop, type Transport, type WorkerReplicas } from './parallel-workers';

/** Iterations of the control loop: about 0.1 s on one core of this machine. */
const SPIN = 2e7;

/** Seconds of SPIN iterations on this thread alone, then on this thread and `spinners` at once. */
async function control(spinners: Worker[]): Promise<[number, number]> {
  let t0 = performance.now();
  spin(SPIN);
  const alone = performance.now() - t0;
  t0 = performance.now();
  const others = spinners.map((w) => new Promise((resolve) => w.once('message', resolve)));
  for (const w of spinners) w.postMessage(SPIN);
  spin(SPIN);
  await Promise.all(others);
  return [alone / 1000, (performance.now() - t0) / 1000];
}

export interface ScalingOptions {
  data: MnistData;
  /** Worker count compared with 1 (default 2). */
  workers?: number;
  /** How the N workers get their jobs (default 'shared'). */
  transport?: Transport;
  /** Measured rounds per set-up (default 6) and examples per round (default 4000, a multiple of the batch). */
  rounds?: number;
  roundExamples?: number;
  /** Examples trained by each set-up before timing (default 2000). */
  warmupExamples?: number;
}

export interface ScalingResult {
  oneWorker: { examplesPerSecond: number; cpuMicrosPerExample: number };
  nWorkers: { workers: number; examplesPerSecond: number; cpuMicrosPerExample: number };
  /** nWorkers / oneWorker. */
  speedup: number;
  /** The control's speed-up: N threads of fixed integer work against 1 (N when N cores are free). */
  machineSpeedup: number;
  /** speedup / machineSpeedup * N: the speed-up N free cores would give, estimated. */
  speedupIfCoresFree: number;
}

interface SetUp {
  trainer: DataParallelTrainer;
  stream: ExampleStream;
  replicas: WorkerReplicas | null;
  examples: number;
  seconds: number;
  /** CPU time of the whole process (every thread) while this set-up trained. */
  cpuMicros: number;
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
    const replicas = n > 1 ? startWorkerReplicas(n - 1, options.transport) : null;
    const trainer = new DataParallelTrainer({
      net,
      trainer: new Trainer(net, spec),
      sets,
      links: replicas?.links,
      seed: 1,
      yieldToEventLoop: yieldToNodeEventLoop,
    });
    return { trainer, stream: ExampleStream.forSeed(split.train, net.inputShape, 1), replicas, examples: 0, seconds: 0, cpuMicros: 0 };
  };
  const setUps = [setUp(1), setUp(workers)];
  const spinners = Array.from({ length: workers - 1 }, () => new Worker(new URL('./parallel-spin-worker.mjs', import.meta.url)));
  let aloneSeconds = 0;
  let togetherSeconds = 0;
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
        const cpu0 = process.cpuUsage();
        await train(s, roundExamples);
        const cpu = process.cpuUsage(cpu0);
        s.seconds += (performance.now() - t0) / 1000;
        // CPU time per example tells a slow machine (shared with other jobs) from overhead.
        s.cpuMicros += cpu.user + cpu.system;
        s.examples += roundExamples;
      }
      const [alone, together] = await control(spinners);
      aloneSeconds += alone;
      togetherSeconds += together;
    }
  } finally {
    await Promise.all(setUps.map((s) => s.replicas?.stop()));
    await Promise.all(spinners.map((w) => w.terminate()));
  }
  // N threads did N times the work of one.
  const machineSpeedup = (workers * aloneSeconds) / togetherSeconds;
  const [one, many] = setUps.map((s) => s.examples / s.seconds);
  const [cpuOne, cpuMany] = setUps.map((s) => Math.round((s.cpuMicros / s.examples) * 10) / 10);
  return {
    oneWorker: { examplesPerSecond: Math.round(one), cpuMicrosPerExample: cpuOne },
    nWorkers: { workers, examplesPerSecond: Math.round(many), cpuMicrosPerExample: cpuMany },
    speedup: Math.round((many / one) * 1000) / 1000,
    machineSpeedup: Math.round(machineSpeedup * 1000) / 1000,
    speedupIfCoresFree: Math.round((many / one / machineSpeedup) * workers * 1000) / 1000,
  };
}
