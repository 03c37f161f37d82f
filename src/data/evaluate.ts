/**
 * Classification accuracy of a network on (part of) a dataset's set, with the center
 * window or the test-time average of the dataset's policy (MNIST: 4 random crops).
 * Shared by the CLI and the training session.
 */
import type { Rng } from '../engine/rng';
import type { Shape } from '../engine/spec';
import { argmax, type ForwardNet } from './augment';
import { MNIST_SHAPE, type DatasetShape, type ImageSet } from './dataset';
import { centerPlacement, createDatasetInput, fillPlaced, predictAveraged } from './dataset-inputs';

export type CropMode = 'center' | '4crop';
export const CROP_MODES: readonly CropMode[] = ['center', '4crop'];

export interface EvaluableNet extends ForwardNet {
  readonly inputShape: Shape;
  readonly outputShape: Shape;
}

export interface EvaluationResult {
  correct: number;
  total: number;
  /** correct / total; NaN when total is 0. */
  accuracy: number;
}

export interface EvaluationOptions {
  /** Indices into the set to evaluate; default all of it, in order. */
  indices?: Int32Array;
  /** Required for '4crop': the stream the random crops are drawn from. */
  rng?: Rng;
  /** Called now and then with the number of examples done. */
  onProgress?: (done: number, total: number) => void;
  /** The dataset the set belongs to; MNIST when absent. */
  dataset?: DatasetShape;
}

export function evaluateAccuracy(
  net: EvaluableNet,
  set: ImageSet,
  mode: CropMode,
  options: EvaluationOptions = {},
): EvaluationResult {
  const { indices, rng, onProgress, dataset = MNIST_SHAPE } = options;
  if (mode === '4crop' && !rng) throw new Error("evaluateAccuracy: '4crop' needs an rng for the random crops");
  const input = createDatasetInput(net.inputShape, dataset);
  const center = centerPlacement(input, dataset);
  const outputs = net.outputShape.sx * net.outputShape.sy * net.outputShape.depth;
  const averaged = new Float32Array(outputs);
  const total = indices ? indices.length : set.count;
  let correct = 0;
  for (let k = 0; k < total; k++) {
    const i = indices ? indices[k] : k;
    let predicted: number;
    if (mode === 'center') {
      fillPlaced(input, dataset, set, i, center);
      predicted = argmax(net.forward(input, false).w);
    } else {
      predictAveraged(net, input, dataset, set, i, rng!, averaged);
      predicted = argmax(averaged);
    }
    if (predicted === set.labels[i]) correct++;
    if (onProgress && (k & 255) === 255) onProgress(k + 1, total);
  }
  onProgress?.(total, total);
  return { correct, total, accuracy: total === 0 ? NaN : correct / total };
}
