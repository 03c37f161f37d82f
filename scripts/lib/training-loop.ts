/**
 * The headless training loop and the final evaluation, as the CLI runs them.
 *
 * Each epoch visits the training split in a fresh order drawn from the seed; each example
 * is a random crop of the network's input size, then one trainer step (which updates the
 * weights every batch_size examples, as ConvNetJS). Every random draw comes from a stream
 * derived from the seed, so a run with an example budget is reproducible bit for bit.
 */
import type { Rng as RngType } from '../../src/engine/rng';
import { Rng } from '../../src/engine/rng';
import type { Volume } from '../../src/engine/volume';
import { createInputVolume, fillRandomCrop } from '../../src/data/augment';
import { evaluateAccuracy, type EvaluableNet } from '../../src/data/evaluate';
import type { MnistSet } from '../../src/data/mnist';
import { deriveSeed } from '../../src/data/seeds';

export interface StepTrainer {
  train(x: Volume, target: number): unknown;
}

export type LoopBudget = { examples: number } | { seconds: number };

export interface TrainingLoopOptions {
  net: EvaluableNet;
  trainer: StepTrainer;
  set: MnistSet;
  /** Indices of `set` to train on (the training split). */
  trainIndices: Int32Array;
  seed: number;
  budget: LoopBudget;
  /** Called every few hundred examples and at the end. */
  onProgress?: (examples: number, elapsedSeconds: number) => void;
  /** Example counts (ascending) after which `onCheckpoint` runs; its time is not training time. */
  checkpoints?: readonly number[];
  onCheckpoint?: (examples: number, elapsedSeconds: number) => void;
}

export interface TrainingLoopResult {
  examples: number;
  /** Wall time of the loop alone (crops and trainer steps), no loading or evaluation. */
  seconds: number;
}

/** Epoch order: a reshuffled copy of the training indices whenever the previous pass ends. */
class EpochOrder {
  private readonly order: Int32Array;
  private position: number;

  constructor(
    indices: Int32Array,
    private readonly rng: RngType,
  ) {
    if (indices.length === 0) throw new Error('there are no training examples to train on');
    this.order = Int32Array.from(indices);
    this.position = this.order.length;
  }

  next(): number {
    if (this.position === this.order.length) {
      this.rng.shuffle(this.order);
      this.position = 0;
    }
    return this.order[this.position++];
  }
}

export function runTrainingLoop(options: TrainingLoopOptions): TrainingLoopResult {
  const { net, trainer, set, trainIndices, seed, budget, onProgress, checkpoints = [], onCheckpoint } = options;
  const input = createInputVolume(net.inputShape);
  const order = new EpochOrder(trainIndices, new Rng(deriveSeed(seed, 'epoch-order')));
  const crops = new Rng(deriveSeed(seed, 'train-crops'));
  const labels = set.labels;
  const maxExamples = 'examples' in budget ? budget.examples : Infinity;
  const maxMs = 'seconds' in budget ? budget.seconds * 1000 : Infinity;
  let start = performance.now();
  let examples = 0;
  let elapsedMs = 0;
  let nextCheckpoint = 0;
  while (examples < maxExamples && elapsedMs < maxMs) {
    const i = order.next();
    fillRandomCrop(input, set, i, crops);
    trainer.train(input, labels[i]);
    examples++;
    elapsedMs = performance.now() - start;
    if (onProgress && (examples & 127) === 0) onProgress(examples, elapsedMs / 1000);
    if (examples === checkpoints[nextCheckpoint]) {
      nextCheckpoint++;
      onCheckpoint?.(examples, elapsedMs / 1000);
      // Move the start forward by the checkpoint's duration: only training is timed.
      start = performance.now() - elapsedMs;
    }
  }
  onProgress?.(examples, elapsedMs / 1000);
  return { examples, seconds: elapsedMs / 1000 };
}

export type TestCropModes = { fourCrop: boolean; center: boolean };

export interface FinalEvaluation {
  validationAccuracy: number | null;
  testAccuracy4Crop: number | null;
  testAccuracyCenter: number | null;
  testExamples: number;
}

export interface FinalEvaluationOptions {
  net: EvaluableNet;
  test: MnistSet;
  /** Validation set and indices; omitted by `npm run eval`. */
  validation?: { set: MnistSet; indices: Int32Array };
  modes: TestCropModes;
  seed: number;
  /** Evaluate only the first N test and validation images. */
  limit: number | null;
  onProgress?: (what: string, done: number, total: number) => void;
}

/**
 * Validation accuracy (center crop, deterministic) and test accuracy in the requested
 * modes. The 4 crops come from their own stream of the seed: the same snapshot and seed
 * give the same 4-crop figure.
 */
export function evaluateFinal(options: FinalEvaluationOptions): FinalEvaluation {
  const { net, test, validation, modes, seed, limit, onProgress } = options;
  const testCount = Math.min(test.count, limit ?? Infinity);
  const testIndices = Int32Array.from({ length: testCount }, (_, i) => i);
  const progress = (what: string) => (done: number, total: number) => onProgress?.(what, done, total);
  let validationAccuracy: number | null = null;
  if (validation && validation.indices.length > 0) {
    const indices = validation.indices.subarray(0, Math.min(validation.indices.length, limit ?? Infinity));
    validationAccuracy = evaluateAccuracy(net, validation.set, 'center', {
      indices,
      onProgress: progress('validation'),
    }).accuracy;
  }
  const testAccuracyCenter = modes.center
    ? evaluateAccuracy(net, test, 'center', { indices: testIndices, onProgress: progress('test center') }).accuracy
    : null;
  const testAccuracy4Crop = modes.fourCrop
    ? evaluateAccuracy(net, test, '4crop', {
        indices: testIndices,
        rng: new Rng(deriveSeed(seed, 'eval-crops')),
        onProgress: progress('test 4-crop'),
      }).accuracy
    : null;
  return { validationAccuracy, testAccuracy4Crop, testAccuracyCenter, testExamples: testCount };
}
