/**
 * Training throughput with 1 worker against N workers, for `npm run bench` and for
 * docs/performance.md: the seed network and trainer, real MNIST crops drawn as the CLI
 * draws them, no evaluation and no loading in the time.
 *
 * The machine is shared with other jobs, whose load comes and goes within seconds, so
 * each short round measures everything back to back: 1 worker, N workers (the order
 * alternating), and two controls. The spin control, the same fixed integer loop on 1 thread
 * and on N threads at once, says what the machine gave at that moment (N when N cores were
 * free). The training control, N threads each training on their own (forward and backward
 * passes as the replicas run them, no gradient sum, no update, no waiting for each other),
 * says what the machine gives this work on N threads: where threads slow each other (a
 * shared floating-point unit, a shared cache or memory bus, a host that runs two virtual
 * cores on one), it stays below the spin control, and it is the ceiling data-parallel
 * training can reach. Figures are medians over the rounds.
 */
import { Worker } from 'node:worker_threads';
import type { MnistData } from '../../src/data/node-loader';
import { splitForSeed } from '../../src/data/splits';
import { Net } from '../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../src/engine/parse';
import { Rng } from '../../src/engine/rng';
import { Trainer } from '../../src/engine/trainer';
import { DataParallelTrainer } from '../../src/parallel/data-parallel-trainer';
import { EXAMPLE_STRIDE, ExampleStream } from '../../src/parallel/example-stream';
import { ExampleRunner } from '../../src/parallel/example-runner';
import type { ReplicaSets } from '../../src/parallel/protocol';
import { median } from './median';
import { shareableSets } from '../../src/parallel/worker-host';
import { spin } from './parallel-spin.mjs';
import { startWorkerReplicas, yieldToNodeEventLoop, type Transport, type WorkerReplicas } from './parallel-workers';

export interface ScalingOptions {
  data: MnistData;
  /** Worker count compared with 1 (default 2). */
  workers?: number;
  /** How the N workers get their jobs (default 'shared'). */
  transport?: Transport;
  /** Measured rounds (default 15) and examples per set-up and round (default 2000, whole batches). */
  rounds?: number;
  roundExamples?: number;
  /** Examples trained by each set-up before timing (default 4000). */
  warmupExamples?: number;
}

export interface ScalingResult {
  oneWorker: { examplesPerSecond: number; cpuMicrosPerExample: number };
  nWorkers: { workers: number; examplesPerSecond: number; cpuMicrosPerExample: number };
  /** Median over rounds of (N workers' examples/s) / (1 worker's), in the same round. */
  speedup: number;
  /** Median over rounds of the control's speed-up: N when N cores were free. */
  machineSpeedup: number;
  /** Median over the rounds whose control found N cores nearly free (>= 0.95 N), or null if none did. */
  speedupWhenCoresFree: number | null;
  roundsWithCoresFree: number;
  /** Median over rounds of the training control's speed-up: N independent trainings against one. */
  trainingControlSpeedup: number;
}

/** Iterations of the control loop: about 50 ms on one core of this machine. */
const SPIN = 1e7;

/** Examples each thread trains in the training control: about 60 ms on one core here, within a shared-channel job. */
const CONTROL_EXAMPLES = 500;

interface SetUp {
  trainer: DataParallelTrainer;
  stream: ExampleStream;
  replicas: WorkerReplicas | null;
}

interface Timing {
  seconds: number;
  cpuMicros: number;
}

export async function measureWorkerScaling(options: ScalingOptions): Promise<ScalingResult> {
  const workers = options.workers ?? 2;
  const rounds = options.rounds ?? 15;
  const roundExamples = options.roundExamples ?? 2000;
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
    return { trainer, stream: ExampleStream.forSeed(split.train, net.inputShape, 1), replicas };
  };
  const list = new Int32Array(spec.batch_size * EXAMPLE_STRIDE);
  const train = async (s: SetUp, examples: number): Promise<Timing> => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let done = 0; done < examples; ) {
      const count = s.trainer.batchRemaining;
      s.stream.fill(list, count);
      await s.trainer.train(list, count);
      done += count;
    }
    // CPU time of every thread: tells a busy machine (less CPU got) from overhead (more CPU spent).
    const cpu = process.cpuUsage(cpu0);
    return { seconds: (performance.now() - t0) / 1000, cpuMicros: cpu.user + cpu.system };
  };
  const one = setUp(1);
  const many = setUp(workers);
  const control = trainingControlSetUp(sets, workers, split.train);
  const spinners = Array.from({ length: workers - 1 }, () => new Worker(new URL('./parallel-spin-worker.mjs', import.meta.url)));
  const oneTimes: Timing[] = [];
  const manyTimes: Timing[] = [];
  const machine: number[] = [];
  const trainingMachine: number[] = [];
  try {
    await trainingControlSpeedup(control); // warm-up: the replicas' first job compiles and fills their caches
    for (const s of [one, many]) await train(s, options.warmupExamples ?? 4000);
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        oneTimes.push(await train(one, roundExamples));
        manyTimes.push(await train(many, roundExamples));
      } else {
        manyTimes.push(await train(many, roundExamples));
        oneTimes.push(await train(one, roundExamples));
      }
      machine.push(await controlSpeedup(spinners));
      trainingMachine.push(await trainingControlSpeedup(control));
    }
  } finally {
    await Promise.all([one, many, control].map((s) => s.replicas?.stop()));
    await Promise.all(spinners.map((w) => w.terminate()));
  }
  const ratios = oneTimes.map((t, i) => t.seconds / manyTimes[i].seconds);
  const free = ratios.filter((_, i) => machine[i] >= 0.95 * workers);
  const rate = (times: Timing[]) => Math.round(median(times.map((t) => roundExamples / t.seconds)));
  const cpu = (times: Timing[]) => round1(times.reduce((sum, t) => sum + t.cpuMicros, 0) / (times.length * roundExamples));
  return {
    oneWorker: { examplesPerSecond: rate(oneTimes), cpuMicrosPerExample: cpu(oneTimes) },
    nWorkers: { workers, examplesPerSecond: rate(manyTimes), cpuMicrosPerExample: cpu(manyTimes) },
    speedup: round3(median(ratios)),
    machineSpeedup: round3(median(machine)),
    speedupWhenCoresFree: free.length > 0 ? round3(median(free)) : null,
    roundsWithCoresFree: free.length,
    trainingControlSpeedup: round3(median(trainingMachine)),
  };
}

interface TrainingControl {
  runner: ExampleRunner;
  sets: ReplicaSets;
  examples: Int32Array;
  losses: Float64Array;
  predictions: Uint8Array;
  replicas: WorkerReplicas;
}

/** This thread's own net and N - 1 replicas, each to train the same list of examples on its own. */
function trainingControlSetUp(sets: ReplicaSets, workers: number, trainIndices: Int32Array): TrainingControl {
  const { layers } = parseNetwork(SEED_DEFINITION_TEXT);
  const net = new Net(layers, new Rng(1));
  const replicas = startWorkerReplicas(workers - 1);
  replicas.links.forEach((link, i) => {
    // Any dropout seed will do (the seed network has no dropout): one per replica, as DataParallelTrainer gives.
    link.init(net.specs, i + 2);
    link.setData(sets);
  });
  const examples = new Int32Array(CONTROL_EXAMPLES * EXAMPLE_STRIDE);
  ExampleStream.forSeed(trainIndices, net.inputShape, 1).fill(examples, CONTROL_EXAMPLES);
  return {
    runner: new ExampleRunner(net, sets.geometry),
    sets,
    examples,
    losses: new Float64Array(CONTROL_EXAMPLES),
    predictions: new Uint8Array(CONTROL_EXAMPLES),
    replicas,
  };
}

/** N threads (this one and the replicas) each training the control's examples on their own, against this thread alone. */
async function trainingControlSpeedup(c: TrainingControl): Promise<number> {
  const own = () => {
    c.runner.net.zeroGrads();
    c.runner.train(c.sets.train, c.examples, 0, CONTROL_EXAMPLES, c.losses, c.predictions);
  };
  let t0 = performance.now();
  own();
  const alone = performance.now() - t0;
  t0 = performance.now();
  // Posted first (a shared-channel job starts at once), collected after this thread's share.
  const others = c.replicas.links.map((link) => link.train(c.runner.net.params, c.examples, CONTROL_EXAMPLES));
  own();
  await Promise.all(others);
  return ((others.length + 1) * alone) / (performance.now() - t0);
}

/** N threads (this one and the spinners) doing N units of fixed work, against this thread doing one. */
async function controlSpeedup(spinners: Worker[]): Promise<number> {
  let t0 = performance.now();
  spin(SPIN);
  const alone = performance.now() - t0;
  t0 = performance.now();
  const others = spinners.map((w) => new Promise((resolve) => w.once('message', resolve)));
  for (const w of spinners) w.postMessage(SPIN);
  spin(SPIN);
  await Promise.all(others);
  return ((spinners.length + 1) * alone) / (performance.now() - t0);
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
