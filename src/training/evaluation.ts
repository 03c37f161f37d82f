/**
 * Evaluation of a network on the whole test set, and what the page derives from it:
 * the confusion matrix, per-class accuracy, the images of one cell, and the most
 * confidently wrong predictions.
 *
 * The evaluator runs in pieces (the session gives it part of each time slice), a few
 * images at a time through the batched forward (BatchedInference), on a frozen copy of
 * the weights, so training can go on meanwhile and the result still
 * describes one network. Its result is small on purpose: per image only the label and
 * the 3 most likely classes (about 160 kB for 10k images instead of 7.8 MB of pixels);
 * the page fetches the pixels of the few images it shows.
 *
 * No DOM, no worker API: it runs in the worker and in Node tests.
 */
import { argmax } from '../data/augment';
import { MNIST_SHAPE, type DatasetShape, type ImageSet } from '../data/dataset';
import { MNIST_CLASSES } from '../data/mnist';
import type { Net } from '../engine/net';
import type { Rng } from '../engine/rng';
import { BatchedInference } from '../parallel/batched-inference';
import { planEvaluation } from '../parallel/evaluation-plan';
import type { ClassProbability } from './protocol';

/** Classes kept per image in a result. */
export const TOP_K = 3;

/**
 * Images the one-thread evaluator does per step: 8 images' 4 crops fill one batch of the
 * batched forward (BatchedInference), and a step stays a few ms long.
 */
const EVALUATOR_GROUP = 8;

/** Progress of a running evaluation: images done out of total. */
export interface EvaluationProgress {
  done: number;
  total: number;
}

/** A finished evaluation of the test set. Plain data (typed arrays), structured-clonable. */
export interface TestEvaluation {
  /** The run the evaluated weights belong to (SessionUpdate.runId). */
  runId: number;
  /** The weights evaluated were those after this many training examples. */
  examplesSeen: number;
  /** Test images evaluated: indices 0..total-1 of the test set. */
  total: number;
  /** Classes of the dataset evaluated; MNIST's 10 when absent. */
  classes?: number;
  /** Correct predictions with the test-time average (MNIST: 4 random crops, the demo's rule; CIFAR-10: shifts and flips). */
  fourCropCorrect: number;
  /** Correct predictions with the center crop alone. */
  centerCorrect: number;
  /** labels[i]: the true class of test image i. */
  labels: Uint8Array;
  /** The TOP_K most likely classes of image i (4-crop average), most likely first, at i*TOP_K. */
  topLabels: Uint8Array;
  /** Their probabilities (softmax; svm and regression scores go through a softmax first). */
  topProbabilities: Float32Array;
}

export type EvaluationOutcome =
  | { ok: true; evaluation: TestEvaluation }
  | { ok: false; cancelled: boolean; error: string };

/**
 * The seed of the random crops of an evaluation: derived from the session's seed, and the
 * evaluation's own stream, so evaluating never shifts the training run's random draws and
 * the same weights always evaluate to the same numbers.
 */
export function evaluationRngSeed(sessionSeed: number): number {
  return (sessionSeed ^ 0x5bd1e995) >>> 0;
}

export interface EvaluatorOptions {
  runId: number;
  examplesSeen: number;
  /** False when the net's outputs are scores (svm, regression): a softmax turns them into probabilities. */
  outputsAreProbabilities: boolean;
  /** The dataset the set belongs to (its shape and test-time averaging); MNIST when absent. */
  dataset?: DatasetShape & { classNames: readonly string[] };
}

/** Evaluates every image of a set, a piece at a time. */
export class TestSetEvaluator {
  private readonly dataset: DatasetShape;
  private readonly inference: BatchedInference;
  /** The test-time averages and center outputs of the images in progress (EVALUATOR_GROUP at most). */
  private readonly averaged: Float32Array;
  private readonly centered: Float32Array;
  private readonly probabilities: Float32Array;
  private readonly labels: Uint8Array;
  private readonly topLabels: Uint8Array;
  private readonly topProbabilities: Float32Array;
  private next = 0;
  private fourCropCorrect = 0;
  private centerCorrect = 0;

  /**
   * net: a network nobody else runs meanwhile (its layers hold this evaluation's
   * activations); set: fixed for the whole evaluation; rng: the crops' stream.
   */
  constructor(
    private readonly net: Net,
    private readonly set: ImageSet,
    private readonly rng: Rng,
    private readonly options: EvaluatorOptions,
  ) {
    this.dataset = options.dataset ?? MNIST_SHAPE;
    this.inference = new BatchedInference(net);
    const outputs = this.inference.outputSize;
    this.averaged = new Float32Array(EVALUATOR_GROUP * outputs);
    this.centered = new Float32Array(EVALUATOR_GROUP * outputs);
    this.probabilities = new Float32Array(outputs);
    this.labels = set.labels.slice(0, set.count);
    this.topLabels = new Uint8Array(set.count * TOP_K);
    this.topProbabilities = new Float32Array(set.count * TOP_K);
  }

  get done(): number {
    return this.next;
  }

  get total(): number {
    return this.set.count;
  }

  get finished(): boolean {
    return this.next >= this.set.count;
  }

  /**
   * Evaluates images in order, EVALUATOR_GROUP at a time, until all are done or
   * `shouldStop` says so (asked after each group, so at least one group is done per call).
   */
  runUntil(shouldStop: () => boolean): void {
    while (!this.finished) {
      this.evaluateGroup(this.next, Math.min(this.set.count, this.next + EVALUATOR_GROUP));
      if (shouldStop()) return;
    }
  }

  /** The result; only meaningful once finished. */
  result(): TestEvaluation {
    return {
      runId: this.options.runId,
      examplesSeen: this.options.examplesSeen,
      total: this.next,
      classes: this.options.dataset?.classNames.length ?? MNIST_CLASSES,
      fourCropCorrect: this.fourCropCorrect,
      centerCorrect: this.centerCorrect,
      labels: this.labels.slice(0, this.next),
      topLabels: this.topLabels.slice(0, this.next * TOP_K),
      topProbabilities: this.topProbabilities.slice(0, this.next * TOP_K),
    };
  }

  /**
   * Records every image not done yet from outputs computed elsewhere (the training
   * workers): `averaged` and `center` hold each image's test-time average and center
   * outputs, image after image, as evaluateOne computes them. Then the evaluator is finished.
   */
  recordOutputs(averaged: Float32Array, center: Float32Array): void {
    const size = this.inference.outputSize;
    if (averaged.length < this.set.count * size || center.length < this.set.count * size) {
      throw new RangeError(`outputs for ${this.set.count} images of ${size} classes were expected`);
    }
    for (; this.next < this.set.count; this.next++) {
      const at = this.next * size;
      this.record(this.next, averaged.subarray(at, at + size), center.subarray(at, at + size));
    }
  }

  /**
   * Images [first, end): their test-time windows drawn image after image (the same draws as
   * evaluateAccuracy(…, '4crop') and as planEvaluation over the whole set, so every route
   * evaluates the same windows from the same seed), then the averages and the center windows.
   */
  private evaluateGroup(first: number, end: number): void {
    const images = Int32Array.from({ length: end - first }, (_, k) => first + k);
    const shape = this.net.inputShape;
    const size = this.inference.outputSize;
    const fourCrop = planEvaluation(images, shape, '4crop', this.rng, this.dataset);
    const center = planEvaluation(images, shape, 'center', undefined, this.dataset);
    this.inference.averageInto(this.set, this.dataset, fourCrop, 0, images.length, this.averaged);
    this.inference.averageInto(this.set, this.dataset, center, 0, images.length, this.centered);
    for (let k = 0; k < images.length; k++) {
      this.record(first + k, this.averaged.subarray(k * size, (k + 1) * size), this.centered.subarray(k * size, (k + 1) * size));
    }
    this.next = end;
  }

  private record(i: number, averaged: Float32Array, center: Float32Array): void {
    const label = this.set.labels[i];
    const probabilities = this.options.outputsAreProbabilities ? averaged : softmaxInto(averaged, this.probabilities);
    writeTopK(probabilities, this.topLabels, this.topProbabilities, i * TOP_K);
    if (this.topLabels[i * TOP_K] === label) this.fourCropCorrect++;
    if (argmax(center) === label) this.centerCorrect++;
  }
}

/**
 * The TOP_K largest values' indices and values, largest first (the lower index first on
 * ties, as argmax), written at `at`.
 */
function writeTopK(values: Float32Array, labels: Uint8Array, probabilities: Float32Array, at: number): void {
  for (let k = 0; k < TOP_K; k++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let c = 0; c < values.length; c++) {
      if (values[c] > bestValue && !takenBefore(labels, at, k, c)) {
        bestValue = values[c];
        best = c;
      }
    }
    labels[at + k] = Math.max(0, best);
    probabilities[at + k] = best >= 0 ? bestValue : 0;
  }
}

function takenBefore(labels: Uint8Array, at: number, k: number, c: number): boolean {
  for (let j = 0; j < k; j++) if (labels[at + j] === c) return true;
  return false;
}

/** Softmax of `scores` into `out` (turns svm and regression scores into probabilities). */
export function softmaxInto(scores: Float32Array, out: Float32Array): Float32Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    out[i] = Math.exp(scores[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

// -----------------------------------------------------------------------------
// What the page derives from a result

/** The predicted class of image i (the most likely of its top classes). */
export function predictedClass(evaluation: TestEvaluation, i: number): number {
  return evaluation.topLabels[i * TOP_K];
}

/** Image i's top classes with their probabilities, most likely first. */
export function topClassesOf(evaluation: TestEvaluation, i: number): ClassProbability[] {
  const out: ClassProbability[] = [];
  for (let k = 0; k < TOP_K; k++) {
    out.push({ label: evaluation.topLabels[i * TOP_K + k], probability: evaluation.topProbabilities[i * TOP_K + k] });
  }
  return out;
}

/**
 * counts[t][p]: how many images of true class t were predicted as p (rows true, columns
 * predicted). Every image lands in exactly one cell, so the counts sum to the number of images.
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number = MNIST_CLASSES,
): number[][] {
  if (labels.length !== predicted.length) {
    throw new RangeError(`${labels.length} labels but ${predicted.length} predictions`);
  }
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) {
      throw new RangeError(`image ${i}: class ${t} or prediction ${p} is outside 0..${classes - 1}`);
    }
    counts[t][p]++;
  }
  return counts;
}

/** The confusion matrix of an evaluation's 4-crop predictions. */
export function evaluationConfusion(evaluation: TestEvaluation): number[][] {
  const predicted = new Uint8Array(evaluation.total);
  for (let i = 0; i < evaluation.total; i++) predicted[i] = predictedClass(evaluation, i);
  return confusionMatrix(evaluation.labels, predicted, evaluation.classes ?? MNIST_CLASSES);
}

/** Per true class (row): the fraction predicted right; null for a class with no images. */
export function perClassAccuracy(counts: readonly (readonly number[])[]): (number | null)[] {
  return counts.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[t] / total;
  });
}

/** Indices of the images of true class `trueLabel` predicted as `predicted`, in test-set order. */
export function imagesInCell(evaluation: TestEvaluation, trueLabel: number, predicted: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < evaluation.total; i++) {
    if (evaluation.labels[i] === trueLabel && predictedClass(evaluation, i) === predicted) out.push(i);
  }
  return out;
}

/**
 * The `count` wrong predictions the network was surest of: misclassified images by the
 * probability of the (wrong) predicted class, highest first; ties keep test-set order.
 */
export function mostConfidentlyWrong(evaluation: TestEvaluation, count: number): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < evaluation.total; i++) {
    if (predictedClass(evaluation, i) !== evaluation.labels[i]) wrong.push(i);
  }
  const confidence = (i: number) => evaluation.topProbabilities[i * TOP_K];
  wrong.sort((a, b) => confidence(b) - confidence(a) || a - b);
  return wrong.slice(0, Math.max(0, count));
}
