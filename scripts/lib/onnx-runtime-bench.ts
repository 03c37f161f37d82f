/**
 * The ONNX Runtime column of `npm run bench`: the seed network exported with exportOnnx,
 * run by onnxruntime-node on the CPU with one thread (intra- and inter-op), at batch 20
 * and batch 1, in alternating rounds with the engine's own forward, one input at a time
 * and in batches of 20 (Net.forwardBatch), on the same inputs and weights, so machine
 * load hurts all alike. A second batched engine row runs the relaxed-SIMD build of
 * the kernels (fused multiply-adds in the inference routes; see relaxedTwin).
 */
import * as ort from 'onnxruntime-node';
import { jsKernels } from '../../src/engine/kernels/js-blocked';
import { Net } from '../../src/engine/net';
import { exportOnnx } from '../../src/engine/onnx';
import { Rng } from '../../src/engine/rng';
import type { Volume } from '../../src/engine/volume';
import { createWasmKernels, type WasmNetKernels } from '../../src/engine/wasm/kernels';
import { withRelaxedSimd } from './relaxed-simd';

export interface OnnxRuntimeRates {
  /** Examples per second through ONNX Runtime in batches of 20 and of 1. */
  batch20: number;
  batch1: number;
  /** Examples per second of the engine's forward in the same rounds, one input at a time. */
  engine: number;
  /** The same through Net.forwardBatch, 20 inputs a call. */
  engineBatch20: number;
  /** Largest difference between forwardBatch's and forward's outputs over the prepared inputs. */
  maxBatchDifference: number;
  /** forwardBatch on the relaxed-SIMD build (null where it cannot run), with its largest difference from forward. */
  relaxed: { engineBatch20: number; maxBatchDifference: number; enabledByBench: boolean } | null;
  /** Largest difference between the engine's and ONNX Runtime's outputs on the first input. */
  maxOutputDifference: number;
  /**
   * The same runs counted per second of this process's CPU time instead of wall time
   * (ONNX Runtime computes on its own thread while the main one waits idle, the
   * engine on the main thread): on a machine shared with other jobs, time spent
   * waiting for a core counts for neither, so these ratios wander less.
   */
  perCpuSecond: { batch20: number; batch1: number; engine: number; engineBatch20: number; engineBatch20Relaxed: number | null };
}

interface AsyncRunner {
  run(): Promise<number>;
}

/** Runs `runner` for `ms` of wall time: [examples, wall seconds, CPU seconds of the process]. */
async function timed(runner: AsyncRunner, ms: number): Promise<[number, number, number]> {
  let done = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < ms) {
    done += await runner.run();
    elapsed = performance.now() - t0;
  }
  const cpu = process.cpuUsage(cpu0);
  return [done, elapsed / 1000, (cpu.user + cpu.system) / 1e6];
}

/** Batches of `size` consecutive prepared inputs, end to end (depth 1: HWC is CHW, so also NCHW). */
function flatBatches(prepared: readonly Volume[], size: number): Float32Array[] {
  const per = prepared[0].w.length;
  const out: Float32Array[] = [];
  for (let start = 0; start + size <= prepared.length; start += size) {
    const data = new Float32Array(size * per);
    for (let i = 0; i < size; i++) data.set(prepared[start + i].w, i * per);
    out.push(data);
  }
  return out;
}

function batches(prepared: readonly Volume[], size: number): ort.Tensor[] {
  const { sx, sy, depth } = prepared[0];
  return flatBatches(prepared, size).map((data) => new ort.Tensor('float32', data, [size, depth, sy, sx]));
}

/**
 * `net`'s twin (same weights) on the relaxed-SIMD build of the kernels, or null where
 * the build cannot run (see withRelaxedSimd: in Node 20 the bench sets the V8 flag
 * for this net only).
 */
function relaxedTwin(net: Net): { net: Net; enabledByBench: boolean } | null {
  const made = withRelaxedSimd(() => new Net(net.specs, new Rng(0), createWasmKernels(jsKernels, 'relaxed')));
  const twin = made.value;
  if ((twin.kernels as Partial<WasmNetKernels>).build !== 'relaxed') return null;
  twin.params.set(net.params);
  return { net: twin, enabledByBench: made.enabledHere };
}

export async function measureOnnxRuntime(net: Net, prepared: readonly Volume[], rounds: number, roundMs: number): Promise<OnnxRuntimeRates> {
  if (prepared[0].depth !== 1) throw new Error('the ONNX Runtime bench expects depth-1 inputs');
  const session = await ort.InferenceSession.create(exportOnnx(net), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
  });
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const ortRunner = (size: number): AsyncRunner => {
    const feeds = batches(prepared, size);
    let next = 0;
    return {
      async run() {
        await session.run({ [inputName]: feeds[next] });
        next = next + 1 === feeds.length ? 0 : next + 1;
        return size;
      },
    };
  };
  let shown = 0;
  const engineBatches = flatBatches(prepared, 20);
  const batchOut = new Float32Array(20 * net.forward(prepared[0], false).w.length);
  const batchedRunner = (target: Net): AsyncRunner => {
    let nextBatch = 0;
    return {
      run() {
        target.forwardBatch(engineBatches[nextBatch], 20, batchOut);
        nextBatch = nextBatch + 1 === engineBatches.length ? 0 : nextBatch + 1;
        return Promise.resolve(20);
      },
    };
  };
  const twin = net.kernels.name === 'wasm' ? relaxedTwin(net) : null;
  const runners: Partial<Record<'batch20' | 'batch1' | 'engine' | 'engineBatch20' | 'engineBatch20Relaxed', AsyncRunner>> = {
    batch20: ortRunner(20),
    batch1: ortRunner(1),
    engine: {
      run() {
        for (let k = 0; k < 10; k++) {
          net.forward(prepared[shown], false);
          shown = shown + 1 === prepared.length ? 0 : shown + 1;
        }
        return Promise.resolve(10);
      },
    },
    engineBatch20: batchedRunner(net),
    ...(twin ? { engineBatch20Relaxed: batchedRunner(twin.net) } : {}),
  };

  const first = await session.run({ [inputName]: batches(prepared.slice(0, 1), 1)[0] });
  const theirs = first[outputName].data as Float32Array;
  const ours = net.forward(prepared[0], false).w;
  let maxOutputDifference = 0;
  for (let i = 0; i < ours.length; i++) maxOutputDifference = Math.max(maxOutputDifference, Math.abs(ours[i] - theirs[i]));
  const maxBatchDifference = batchAgainstSingle(net, prepared, engineBatches);

  const names = Object.keys(runners) as (keyof typeof runners)[];
  const runner = (name: keyof typeof runners): AsyncRunner => runners[name] as AsyncRunner;
  for (const name of names) await timed(runner(name), 2 * roundMs);
  const total = Object.fromEntries(names.map((n) => [n, [0, 0, 0]])) as Record<keyof typeof runners, [number, number, number]>;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const [n, s, cpu] = await timed(runner(name), roundMs);
      total[name][0] += n;
      total[name][1] += s;
      total[name][2] += cpu;
    }
  }
  await session.release();
  const rate = (name: keyof typeof runners) => total[name][0] / total[name][1];
  const cpuRate = (name: keyof typeof runners) => total[name][0] / total[name][2];
  return {
    batch20: rate('batch20'),
    batch1: rate('batch1'),
    engine: rate('engine'),
    engineBatch20: rate('engineBatch20'),
    maxOutputDifference,
    maxBatchDifference,
    relaxed: twin
      ? {
          engineBatch20: rate('engineBatch20Relaxed'),
          maxBatchDifference: batchAgainstSingle(twin.net, prepared, engineBatches),
          enabledByBench: twin.enabledByBench,
        }
      : null,
    perCpuSecond: {
      batch20: cpuRate('batch20'),
      batch1: cpuRate('batch1'),
      engine: cpuRate('engine'),
      engineBatch20: cpuRate('engineBatch20'),
      engineBatch20Relaxed: twin ? cpuRate('engineBatch20Relaxed') : null,
    },
  };
}

/** The largest difference between forwardBatch's outputs and forward's, input by input. */
function batchAgainstSingle(net: Net, prepared: readonly Volume[], engineBatches: readonly Float32Array[]): number {
  let worst = 0;
  engineBatches.forEach((batch, b) => {
    const outputs = net.forwardBatch(batch, 20);
    const size = outputs.length / 20;
    for (let i = 0; i < 20; i++) {
      const single = net.forward(prepared[b * 20 + i], false).w;
      for (let j = 0; j < size; j++) worst = Math.max(worst, Math.abs(outputs[i * size + j] - single[j]));
    }
  });
  return worst;
}
