/**
 * `npm run bench`: this engine, on its TypeScript and on its WebAssembly kernels,
 * against convnetjs 0.3.0, on the seed network with its trainer (adadelta,
 * batch_size 20, l2_decay 0.001), in one process, on identical weights (ours are
 * saved with netToJSON and loaded into convnetjs).
 *
 * Training: our engines train on real MNIST, each example a fresh random 24x24 crop
 * (src/data: node-loader + fillRandomCrop), so the data side of a step is in their
 * time; convnetjs trains on crops prepared in advance, which only flatters it.
 * Forward: inference on prepared crops.
 *
 * The engines run in alternating rounds after a warm-up, the order rotating every
 * round, so a slow patch of the shared machine hurts all alike; ratios are what to
 * compare across machines.
 *
 * The last line is one JSON object for scripts:
 *   {"engine":{trainExPerSec,fwdExPerSec},"convnetjs":{..},"ratio":{train,forward},
 *    "wasm":{..},"js":{..}}
 * where "engine" is the default kernel set (WASM where it runs) and "ratio" is
 * engine / convnetjs.
 *
 * "onnxRuntime" is the same seed network exported with exportOnnx and run by
 * onnxruntime-node (CPU, one thread) at batch 20 and batch 1, against the engine's
 * forward, one input at a time and batched (Net.forwardBatch, 20 a call), in the same
 * alternating rounds (scripts/lib/onnx-runtime-bench.ts):
 *   {"batch20FwdExPerSec","batch1FwdExPerSec","engineFwdExPerSec","engineBatchedFwdExPerSec",
 *    "ratio":{"batch20","batch1","batchedBatch20","batchedBatch1"}}
 * where each ratio is engine / ONNX Runtime (below 1: ONNX Runtime is faster), the
 * batched ones for forwardBatch. "engineBuild" names the kernels build of that net
 * ("exact", or "relaxed" where the runtime has relaxed SIMD; "js" without WASM);
 * "engineBatchedRelaxedFwdExPerSec" and the "batchedRelaxed*" ratios are forwardBatch
 * on the relaxed-SIMD build (fused multiply-adds), in the same rounds. "cpuTimeRatio"
 * repeats the batch-20 ratios counted per second of the process's CPU time, which a
 * loaded machine disturbs less than wall time. "batchedForward" repeats the batched figure with its
 * ratios to convnetjs and to the engine's own one-at-a-time forward.
 *
 * "workers2" is data-parallel training on 2 worker threads (the default kernels) against
 * 1, measured by scripts/lib/parallel-throughput.ts in alternating rounds with two
 * controls: "machineSpeedup", how much of the second core the machine gave a spin loop, and
 * "trainingControlSpeedup", what two threads training on their own get (the ceiling of
 * data-parallel training on this machine). "speedup" is the median over all rounds,
 * "speedupWhenCoresFree" over the rounds whose spin control found both cores free.
 *
 * Options: --rounds N (measured rounds per engine and mode, default 6),
 *          --round-ms M (length of one round, default 600),
 *          --worker-rounds N (rounds of the 1-vs-2-workers comparison, default 15; 0 skips it).
 */
import { createRequire } from 'node:module';
import { createInputVolume, fillCenterCrop, fillRandomCrop } from '../src/data/augment';
import type { MnistSet } from '../src/data/mnist';
import { loadMnistSet, mnistDataDirectory, MNIST_FILES } from '../src/data/node-loader';
import { jsKernels, type Kernels } from '../src/engine';
import { Net } from '../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../src/engine/parse';
import { Rng } from '../src/engine/rng';
import { netToJSON } from '../src/engine/snapshot';
import { Trainer } from '../src/engine/trainer';
import type { Volume } from '../src/engine/volume';
import { defaultKernels, wasmKernels, wasmKernelsAvailable } from '../src/engine/wasm';
import type { WasmNetKernels } from '../src/engine/wasm/kernels';
import { measureDataOverhead } from './lib/data-overhead';
import { measureOnnxRuntime } from './lib/onnx-runtime-bench';
import { measureWorkerScaling } from './lib/parallel-throughput';

/** The few convnetjs 0.3.0 entry points the bench calls. */
interface RefVol {
  w: Float64Array;
}
interface RefNet {
  fromJSON(json: unknown): void;
  forward(x: RefVol, isTraining?: boolean): RefVol;
}
interface RefTrainer {
  train(x: RefVol, y: number): unknown;
}
interface ConvNetJS {
  Vol: new (sx: number, sy: number, depth: number, fill: number) => RefVol;
  Net: new () => RefNet;
  Trainer: new (net: RefNet, options: Record<string, unknown>) => RefTrainer;
}

/** Prepared crops for forward passes (and for convnetjs's training). */
const PREPARED = 500;

function option(name: string, fallback: number, zeroAllowed = false): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) throw new Error(`${name} needs a positive number`);
  return value;
}

/** The test set, which the worker-scaling set-up expects beside the training set (it does not time it). */
function loadTestSet(): MnistSet {
  return loadMnistSet(mnistDataDirectory(), MNIST_FILES.testImages, MNIST_FILES.testLabels);
}

interface Runner {
  /** Runs `count` more examples. */
  run(count: number): void;
}

/** Runs `runner` in chunks until `ms` have passed; returns [examples, seconds]. */
function timed(runner: Runner, ms: number): [number, number] {
  const chunk = 10;
  let done = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    runner.run(chunk);
    done += chunk;
    elapsed = performance.now() - t0;
  }
  return [done, elapsed / 1000];
}

type Mode = 'train' | 'forward';

/** Our engine on one kernel set: a trainer fed random crops, and a forward runner. */
function engineRunners(
  kernels: Kernels,
  train: MnistSet,
  prepared: readonly Volume[],
  seed: ReturnType<typeof parseNetwork>,
): { net: Net; runners: Record<Mode, Runner> } {
  const net = new Net(seed.layers, new Rng(1), kernels);
  const trainer = new Trainer(net, seed.trainer);
  const rng = new Rng(2);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  rng.shuffle(order);
  const input = createInputVolume(net.inputShape);
  let next = 0;
  let shown = 0;
  return {
    net,
    runners: {
      train: {
        run(count) {
          for (let k = 0; k < count; k++) {
            const i = order[next];
            next = next + 1 === order.length ? 0 : next + 1;
            fillRandomCrop(input, train, i, rng);
            trainer.train(input, train.labels[i]);
          }
        },
      },
      forward: {
        run(count) {
          for (let k = 0; k < count; k++) {
            net.forward(prepared[shown], false);
            shown = shown + 1 === prepared.length ? 0 : shown + 1;
          }
        },
      },
    },
  };
}

async function main(): Promise<void> {
  const rounds = option('--rounds', 6);
  const roundMs = option('--round-ms', 600);
  const require = createRequire(import.meta.url);
  const convnetjs = require('convnetjs') as ConvNetJS;
  const seed = parseNetwork(SEED_DEFINITION_TEXT);

  const dir = mnistDataDirectory();
  const train = loadMnistSet(dir, MNIST_FILES.trainImages, MNIST_FILES.trainLabels);

  // Prepared inputs: centre crops of the first training images.
  const prepared: Volume[] = [];
  const refPrepared: RefVol[] = [];
  const refLabels: number[] = [];
  for (let i = 0; i < PREPARED; i++) {
    const v = createInputVolume(seed.layers[0].out);
    fillCenterCrop(v, train, i);
    const r = new convnetjs.Vol(v.sx, v.sy, v.depth, 0);
    for (let j = 0; j < v.w.length; j++) r.w[j] = v.w[j];
    prepared.push(v);
    refPrepared.push(r);
    refLabels.push(train.labels[i]);
  }

  const engines: Record<string, Record<Mode, Runner>> = {};
  const js = engineRunners(jsKernels, train, prepared, seed);
  engines.js = js.runners;
  const haveWasm = wasmKernelsAvailable();
  const wasm = haveWasm ? engineRunners(wasmKernels, train, prepared, seed) : null;
  if (wasm) engines.wasm = wasm.runners;

  const ref = new convnetjs.Net();
  ref.fromJSON(JSON.parse(JSON.stringify(netToJSON(js.net))));
  // Every resolved option spelled out, so both trainers run the same settings.
  const refTrainer = new convnetjs.Trainer(ref, { ...seed.trainer });
  let refNext = 0;
  engines.convnetjs = {
    train: {
      run(count) {
        for (let k = 0; k < count; k++) {
          refTrainer.train(refPrepared[refNext], refLabels[refNext]);
          refNext = refNext + 1 === PREPARED ? 0 : refNext + 1;
        }
      },
    },
    forward: {
      run(count) {
        for (let k = 0; k < count; k++) {
          ref.forward(refPrepared[refNext], false);
          refNext = refNext + 1 === PREPARED ? 0 : refNext + 1;
        }
      },
    },
  };

  // Same weights, same input: the engines must agree before we time them.
  const theirs = ref.forward(refPrepared[0], false).w;
  const agree = (net: Net): number => {
    const ours = net.forward(prepared[0], false).w;
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
    return maxDiff;
  };
  console.log(
    `seed network, ${js.net.params.length} parameters; forward outputs agree with convnetjs within ` +
      `${agree(js.net).toExponential(2)} (js)` +
      (wasm ? `, ${agree(wasm.net).toExponential(2)} (wasm)` : '; WebAssembly SIMD unavailable here'),
  );

  const names = Object.keys(engines);
  const rate: Record<string, Record<Mode, number>> = {};
  for (const name of names) rate[name] = { train: 0, forward: 0 };
  for (const mode of ['train', 'forward'] as const) {
    // Warm-up: let the JIT (and WASM tier-up) settle every engine's hot loops.
    for (const name of names) timed(engines[name][mode], 2 * roundMs);
    const total: Record<string, [number, number]> = {};
    for (const name of names) total[name] = [0, 0];
    for (let round = 0; round < rounds; round++) {
      // Rotate which engine goes first so drift in machine load cancels out.
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length];
        const [n, s] = timed(engines[name][mode], roundMs);
        total[name][0] += n;
        total[name][1] += s;
      }
    }
    for (const name of names) rate[name][mode] = total[name][0] / total[name][1];
  }

  const ref1 = rate.convnetjs;
  const row = (label: string, r: Record<Mode, number>): string =>
    `${label.padEnd(10)} ${r.train.toFixed(0).padStart(8)} ${(r.train / ref1.train).toFixed(2).padStart(7)}x ` +
    `${r.forward.toFixed(0).padStart(10)} ${(r.forward / ref1.forward).toFixed(2).padStart(7)}x`;
  console.log(`${''.padEnd(10)} ${'train/s'.padStart(8)} ${'ratio'.padStart(8)} ${'forward/s'.padStart(10)} ${'ratio'.padStart(8)}`);
  for (const name of names) console.log(row(name === 'convnetjs' ? 'convnetjs' : `engine ${name}`, rate[name]));

  // The data side of a training step (pick, crop, label) against the whole step.
  const overhead = measureDataOverhead(train, seed.layers[0].out, 100_000);
  for (const name of names.filter((n) => n !== 'convnetjs')) {
    const stepUs = 1e6 / rate[name].train;
    console.log(
      `data overhead ${overhead.microsecondsPerExample.toFixed(2)} us/example = ` +
        `${((100 * overhead.microsecondsPerExample) / stepUs).toFixed(1)}% of a ${name} training step (${stepUs.toFixed(0)} us)`,
    );
  }

  // The default kernels' net: the engine figure the ONNX Runtime column sits beside.
  const defaultNet = defaultKernels().name === 'wasm' && wasm ? wasm.net : js.net;
  const onnx = await measureOnnxRuntime(defaultNet, prepared, rounds, roundMs);
  console.log(
    `ONNX Runtime (CPU, 1 thread; outputs agree with the engine within ${onnx.maxOutputDifference.toExponential(2)}), forward/s: ` +
      `batch 20 ${onnx.batch20.toFixed(0)}, batch 1 ${onnx.batch1.toFixed(0)}; engine ${onnx.engine.toFixed(0)} in the same rounds, ` +
      `engine/ONNX Runtime ${(onnx.engine / onnx.batch20).toFixed(2)}x (batch 20), ${(onnx.engine / onnx.batch1).toFixed(2)}x (batch 1)`,
  );
  console.log(
    `engine batched (forwardBatch, 20 a call; outputs within ${onnx.maxBatchDifference.toExponential(2)} of forward's): ` +
      `${onnx.engineBatch20.toFixed(0)} forward/s = ${(onnx.engineBatch20 / onnx.engine).toFixed(2)}x one at a time, ` +
      `${(onnx.engineBatch20 / ref1.forward).toFixed(0)}x convnetjs; engine batched/ONNX Runtime ` +
      `${(onnx.engineBatch20 / onnx.batch20).toFixed(2)}x (batch 20), ${(onnx.engineBatch20 / onnx.batch1).toFixed(2)}x (batch 1)` +
      ` [${kernelBuild(defaultNet)} build]`,
  );
  const cpu = onnx.perCpuSecond;
  console.log(
    `the same per second of CPU time (waiting for a core not counted): ONNX Runtime batch 20 ${cpu.batch20.toFixed(0)}, batch 1 ${cpu.batch1.toFixed(0)}; ` +
      `engine/ONNX Runtime batch 20: one at a time ${(cpu.engine / cpu.batch20).toFixed(2)}x, batched ${(cpu.engineBatch20 / cpu.batch20).toFixed(2)}x` +
      (cpu.engineBatch20Relaxed === null ? '' : `, batched relaxed-SIMD build ${(cpu.engineBatch20Relaxed / cpu.batch20).toFixed(2)}x`),
  );
  if (onnx.relaxed) {
    const r = onnx.relaxed;
    console.log(
      `engine batched, relaxed-SIMD build (fused multiply-adds in the inference routes${r.enabledByBench ? '; V8 flag --experimental-wasm-relaxed-simd set by the bench for this net only, as Chromium has it by default' : ''}; ` +
        `outputs within ${r.maxBatchDifference.toExponential(2)} of forward's): ${r.engineBatch20.toFixed(0)} forward/s = ` +
        `${(r.engineBatch20 / onnx.engineBatch20).toFixed(2)}x the batched row above; engine batched relaxed/ONNX Runtime ` +
        `${(r.engineBatch20 / onnx.batch20).toFixed(2)}x (batch 20), ${(r.engineBatch20 / onnx.batch1).toFixed(2)}x (batch 1)`,
    );
  }

  const workerRounds = option('--worker-rounds', 15, true);
  const scaling = workerRounds > 0 ? await measureWorkerScaling({ data: { train, test: loadTestSet() }, workers: 2, rounds: workerRounds }) : null;
  if (scaling) {
    console.log(
      `2 workers: ${scaling.nWorkers.examplesPerSecond} train/s against 1 worker's ${scaling.oneWorker.examplesPerSecond} ` +
        `(same batches, one update per batch): ${scaling.speedup.toFixed(2)}x median over ${workerRounds} rounds; ` +
        `${scaling.speedupWhenCoresFree?.toFixed(2) ?? 'n/a'}x in the ${scaling.roundsWithCoresFree} rounds with both cores free ` +
        `(control: the machine gave ${scaling.machineSpeedup.toFixed(2)} of 2 cores to a spin loop, ` +
        `${scaling.trainingControlSpeedup.toFixed(2)}x to two trainings on their own, which 2 workers reach ` +
        `${((100 * scaling.speedup) / scaling.trainingControlSpeedup).toFixed(0)}% of); ` +
        `${(scaling.nWorkers.examplesPerSecond / ref1.train).toFixed(1)}x convnetjs`,
    );
  }

  const defaultName = defaultKernels().name === 'wasm' && rate.wasm ? 'wasm' : 'js';
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  const entry = (r: Record<Mode, number>) => ({ trainExPerSec: round1(r.train), fwdExPerSec: round1(r.forward) });
  const engine = rate[defaultName];
  console.log(
    JSON.stringify({
      engine: entry(engine),
      convnetjs: entry(ref1),
      ratio: { train: round2(engine.train / ref1.train), forward: round2(engine.forward / ref1.forward) },
      ...(rate.wasm ? { wasm: { ...entry(rate.wasm), ratio: ratios(rate.wasm, ref1) } } : {}),
      js: { ...entry(rate.js), ratio: ratios(rate.js, ref1) },
      onnxRuntime: {
        batch20FwdExPerSec: round1(onnx.batch20),
        batch1FwdExPerSec: round1(onnx.batch1),
        engineFwdExPerSec: round1(onnx.engine),
        engineBatchedFwdExPerSec: round1(onnx.engineBatch20),
        engineBuild: kernelBuild(defaultNet),
        ...(onnx.relaxed ? { engineBatchedRelaxedFwdExPerSec: round1(onnx.relaxed.engineBatch20) } : {}),
        ratio: {
          batch20: round2(onnx.engine / onnx.batch20),
          batch1: round2(onnx.engine / onnx.batch1),
          batchedBatch20: round2(onnx.engineBatch20 / onnx.batch20),
          batchedBatch1: round2(onnx.engineBatch20 / onnx.batch1),
          ...(onnx.relaxed
            ? {
                batchedRelaxedBatch20: round2(onnx.relaxed.engineBatch20 / onnx.batch20),
                batchedRelaxedBatch1: round2(onnx.relaxed.engineBatch20 / onnx.batch1),
              }
            : {}),
        },
        cpuTimeRatio: {
          batch20: round2(cpu.engine / cpu.batch20),
          batchedBatch20: round2(cpu.engineBatch20 / cpu.batch20),
          ...(cpu.engineBatch20Relaxed === null ? {} : { batchedRelaxedBatch20: round2(cpu.engineBatch20Relaxed / cpu.batch20) }),
        },
      },
      batchedForward: {
        batchSize: 20,
        fwdExPerSec: round1(onnx.engineBatch20),
        maxDifferenceFromForward: onnx.maxBatchDifference,
        ratio: { convnetjs: round2(onnx.engineBatch20 / ref1.forward), oneAtATime: round2(onnx.engineBatch20 / onnx.engine) },
      },
      ...(scaling
        ? {
            workers2: {
              trainExPerSec: scaling.nWorkers.examplesPerSecond,
              oneWorkerTrainExPerSec: scaling.oneWorker.examplesPerSecond,
              speedup: scaling.speedup,
              speedupWhenCoresFree: scaling.speedupWhenCoresFree,
              roundsWithCoresFree: scaling.roundsWithCoresFree,
              machineSpeedup: scaling.machineSpeedup,
              trainingControlSpeedup: scaling.trainingControlSpeedup,
              ratio: { train: round2(scaling.nWorkers.examplesPerSecond / ref1.train) },
            },
          }
        : {}),
    }),
  );

  function kernelBuild(net: Net): string {
    return (net.kernels as Partial<WasmNetKernels>).build ?? net.kernels.name ?? 'js';
  }

  function ratios(r: Record<Mode, number>, base: Record<Mode, number>) {
    return { train: round2(r.train / base.train), forward: round2(r.forward / base.forward) };
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
