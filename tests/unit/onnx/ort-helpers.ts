/**
 * Helpers of the ONNX tests: run a model in ONNX Runtime (CPU), feed it MNIST center
 * crops, and train a network briefly so its outputs are not near-uniform (ties between
 * classes would make "same predicted class" a coin toss instead of a check).
 */
import * as ort from 'onnxruntime-node';
import { fillCenterCrop, fillRandomCrop } from '../../../src/data/augment';
import type { MnistSet } from '../../../src/data/mnist';
import { Net } from '../../../src/engine/net';
import { parseNetwork } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { Volume } from '../../../src/engine/volume';

export async function ortSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** Runs `count` NCHW inputs of `perInput` values packed in `data`; returns the packed outputs. */
export async function runOrt(session: ort.InferenceSession, data: Float32Array, dims: readonly number[]): Promise<Float32Array> {
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
  return result[session.outputNames[0]].data as Float32Array;
}

/** The center crops of images [start, start + count) as one NCHW batch for a depth-1 input. */
export function centerCropBatch(set: MnistSet, start: number, count: number, sx: number, sy: number): Float32Array {
  const crop = new Volume(sx, sy, 1);
  const batch = new Float32Array(count * sx * sy);
  for (let i = 0; i < count; i++) {
    fillCenterCrop(crop, set, start + i);
    // Depth 1: HWC and CHW are the same order.
    batch.set(crop.w, i * sx * sy);
  }
  return batch;
}

/** A network from definition text, trained on `examples` random crops of the training set. */
export function trainedNet(text: string, train: MnistSet, examples: number, seed = 1): Net {
  const { layers, trainer } = parseNetwork(text);
  const net = new Net(layers, new Rng(seed));
  const steps = new Trainer(net, trainer);
  const rng = new Rng(seed + 1);
  const x = new Volume(net.inputShape.sx, net.inputShape.sy, net.inputShape.depth);
  for (let i = 0; i < examples; i++) {
    const index = rng.int(0, train.count);
    fillRandomCrop(x, train, index, rng);
    steps.train(x, train.labels[index]);
  }
  return net;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export function argmaxRows(values: Float32Array, width: number): number[] {
  const classes: number[] = [];
  for (let r = 0; r < values.length / width; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[r * width + c] > values[r * width + best]) best = c;
    classes.push(best);
  }
  return classes;
}
