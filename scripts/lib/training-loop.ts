/**
 * The headless training loop and the evaluations, as the CLI runs them.
 *
 * Each epoch visits the training split in a fresh order drawn from the seed; each example
 * is a random window by the dataset's augmentation (MNIST: a crop of the network's input
 * size; see ExampleStream). The loop hands the
 * examples to a DataParallelTrainer one mini-batch (or the rest of one) at a time; it
 * computes them on one or more replicas and updates the weights once per batch_size
 * examples, as ConvNetJS. Every random draw comes from a stream derived from the seed, so a
 * run with an example budget is reproducible bit for bit for a given number of workers.
 */
import { MNIST_SHAPE, type DatasetShape, type ImageSet } from '../../src/data/dataset';
import type { CropMode, EvaluableNet } from '../../src/data/evaluate';
import { deriveSeed } from '../../src/data/seeds';
import type { Net } from '../../src/engine/net';
import { Rng } from '../../src/engine/rng';
import type { DataParallelTrainer } from '../../src/parallel/data-parallel-trainer';
import { frontLoad, planEvaluation, slicePlan, type EvaluationPlan } from '../../src/parallel/evaluation-plan';
import { ExampleRunner } from '../../src/parallel/example-runner';
import { EXAMPLE_STRIDE, type ExampleStream } from '../../src/parallel/example-stream';
import type { SetName } from '../../src/parallel/protocol';

export type LoopBudget = { examples: number } | { seconds: number };

/** Evaluations that may end training early: after the batch reaching `first` examples, then every `every`. */
export interface StopSchedule {
  first: number;
  every: number;
  /** True ends training here. Its time is not training time. */
  check: (examples: number, elapsedSeconds: number) => Promise<boolean>;
}

export interface TrainingLoopOptions {
  trainer: DataParallelTrainer;
  examples: ExampleStream;
  budget: LoopBudget;
  /** Called every few hundred examples and at the end. */
  onProgress?: (examples: number, elapsedSeconds: number) => void;
  /**
   * Example counts (ascending) after which `onCheckpoint` runs; its time is not training
   * time. Weights change only when a mini-batch completes, so a checkpoint inside a batch
   * runs when that batch starts, with the weights it will have at that count; the
   * training itself is the same with or without checkpoints.
   */
  checkpoints?: readonly number[];
  onCheckpoint?: (examples: number, elapsedSeconds: number) => Promise<void> | void;
  stop?: StopSchedule;
}

export interface TrainingLoopResult {
  examples: number;
  /** Wall time of the loop alone (drawing examples, training steps), no loading or evaluation. */
  seconds: number;
  /** Where `stop.check` said yes, or null. */
  stoppedAt: { examples: number; seconds: number } | null;
}

export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingLoopResult> {
  const { trainer, examples: stream, budget, onProgress, checkpoints = [], onCheckpoint, stop } = options;
  const maxExamples = 'examples' in budget ? budget.examples : Infinity;
  const maxMs = 'seconds' in budget ? budget.seconds * 1000 : Infinity;
  let list = new Int32Array(0);
  let start = performance.now();
  let examples = 0;
  let elapsedMs = 0;
  let nextCheckpoint = 0;
  let nextStop = stop ? stop.first : Infinity;
  let stoppedAt: TrainingLoopResult['stoppedAt'] = null;
  /** Runs `task` with the clock stopped: only training is timed. */
  const untimed = async (task: () => Promise<unknown> | unknown) => {
    const paused = performance.now();
    await task();
    start += performance.now() - paused;
  };
  const checkpointsBefore = async (limit: number) => {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] < limit) {
      const at = checkpoints[nextCheckpoint++];
      if (onCheckpoint) await untimed(() => onCheckpoint(at, elapsedMs / 1000));
    }
  };
  while (examples < maxExamples && elapsedMs < maxMs) {
    const count = Math.min(trainer.batchRemaining, maxExamples - examples);
    await checkpointsBefore(examples + count);
    if (list.length < count * EXAMPLE_STRIDE) list = new Int32Array(count * EXAMPLE_STRIDE);
    stream.fill(list, count);
    await trainer.train(list, count);
    const before = examples;
    examples += count;
    elapsedMs = performance.now() - start;
    if (onProgress && before >> 7 !== examples >> 7) onProgress(examples, elapsedMs / 1000);
    if (stop && examples >= nextStop) {
      while (nextStop <= examples) nextStop += stop.every;
      let done = false;
      await untimed(async () => {
        done = await stop.check(examples, elapsedMs / 1000);
      });
      if (done) {
        stoppedAt = { examples, seconds: elapsedMs / 1000 };
        break;
      }
    }
  }
  await checkpointsBefore(examples + 1);
  onProgress?.(examples, elapsedMs / 1000);
  return { examples, seconds: elapsedMs / 1000, stoppedAt };
}

/** How an evaluation went: `evaluated` < `total` when it stopped early. */
export interface Score {
  correct: number;
  evaluated: number;
  total: number;
}

/** correct / total, or null for an evaluation that stopped early; NaN for no images. */
export function accuracyOf(score: Score): number | null {
  if (score.evaluated < score.total) return null;
  return score.total === 0 ? NaN : score.correct / score.total;
}

/**
 * Classifies images `indices` of a set, with the center crop or the 4-crop average (drawn
 * from `rng`). With `maxErrors` it may stop once more images than that are wrong.
 */
export type Scorer = (
  set: SetName,
  indices: Int32Array,
  mode: CropMode,
  rng: Rng | undefined,
  options: { maxErrors?: number; onProgress?: (done: number, total: number) => void },
) => Promise<Score>;

/** Images between two progress reports of localScorer. */
const LOCAL_PROGRESS_IMAGES = 256;

/**
 * Scores on one thread with the net itself (npm run eval), through the batched forward as
 * the workers do, so the figures are parallelScorer's; never stops early.
 */
export function localScorer(net: Net, sets: Record<SetName, ImageSet>, dataset: DatasetShape = MNIST_SHAPE): Scorer {
  const runner = new ExampleRunner(net, dataset);
  return async (set, indices, mode, rng, { onProgress }) => {
    const plan = planEvaluation(indices, net.inputShape, mode, rng, dataset);
    const total = indices.length;
    let correct = 0;
    for (let start = 0; start < total; start += LOCAL_PROGRESS_IMAGES) {
      const end = Math.min(total, start + LOCAL_PROGRESS_IMAGES);
      correct += runner.countCorrect(sets[set], slicePlan(plan, start, end));
      onProgress?.(end, total);
    }
    if (total === 0) onProgress?.(0, 0);
    return { correct, evaluated: total, total };
  };
}

/** Scores spread over the replicas of a data-parallel trainer: the same figures as localScorer. */
export function parallelScorer(trainer: DataParallelTrainer, net: EvaluableNet, dataset: DatasetShape = MNIST_SHAPE): Scorer {
  return async (set, indices, mode, rng, { maxErrors, onProgress }) => {
    const plan = planEvaluation(indices, net.inputShape, mode, rng, dataset);
    const { correct, evaluated } = await trainer.evaluate(set, plan, { maxErrors, onProgress });
    return { correct, evaluated, total: indices.length };
  };
}

/**
 * The --until evaluations: 4-crop accuracy on the test images, with the same crops at
 * every point (a fresh 'eval-crops' stream, as the final evaluation), counted only until
 * the target is out of reach. Images that were wrong at earlier points go first, those
 * wrong most often first of all: they are the likeliest mistakes now, so a point that
 * misses the target stops sooner. A point that reaches the target classifies every image,
 * and its figure does not depend on the order.
 */
export class TargetCheck {
  /** The most misclassified images that still make the target. */
  readonly maxErrors: number;
  private readonly plan: EvaluationPlan;
  /** How many evaluation points got each image wrong (images never wrong are absent). */
  private readonly timesWrong = new Map<number, number>();

  constructor(
    private readonly trainer: DataParallelTrainer,
    net: EvaluableNet,
    test: Int32Array,
    target: number,
    seed: number,
    dataset: DatasetShape = MNIST_SHAPE,
  ) {
    // The tolerance keeps e.g. (1 - 0.9) * 10 = 0.9999999999999998 from losing an error.
    this.maxErrors = Math.floor((1 - target) * test.length + 1e-9);
    this.plan = planEvaluation(test, net.inputShape, '4crop', evalCrops(seed), dataset);
  }

  async run(onProgress?: (done: number, total: number) => void): Promise<{ score: Score; reached: boolean }> {
    const total = this.plan.images.length;
    const hardest = [...this.timesWrong.keys()].sort((a, b) => this.timesWrong.get(b)! - this.timesWrong.get(a)! || a - b);
    const result = await this.trainer.evaluate('test', frontLoad(this.plan, hardest), { maxErrors: this.maxErrors, onProgress });
    for (const image of result.misclassified) this.timesWrong.set(image, (this.timesWrong.get(image) ?? 0) + 1);
    const score = { correct: result.correct, evaluated: result.evaluated, total };
    return { score, reached: result.complete && total - result.correct <= this.maxErrors };
  }
}

export type TestCropModes = { fourCrop: boolean; center: boolean };

export interface FinalEvaluation {
  validationAccuracy: number | null;
  testAccuracy4Crop: number | null;
  testAccuracyCenter: number | null;
  testExamples: number;
}

export interface FinalEvaluationOptions {
  score: Scorer;
  /** Size of the test set. */
  testCount: number;
  /** Validation indices into the training set; omitted by `npm run eval`. */
  validationIndices?: Int32Array;
  modes: TestCropModes;
  seed: number;
  /** Evaluate only the first N test and validation images. */
  limit: number | null;
  onProgress?: (what: string, done: number, total: number) => void;
  /** The 4-crop test accuracy when already measured on these very weights (it would come out the same). */
  known4Crop?: number;
}

/** The test images an evaluation covers: the first `limit` (all without one). */
export function testIndices(testCount: number, limit: number | null): Int32Array {
  return Int32Array.from({ length: Math.min(testCount, limit ?? Infinity) }, (_, i) => i);
}

/** A fresh 'eval-crops' stream: every 4-crop evaluation of the same weights draws the same crops. */
export function evalCrops(seed: number): Rng {
  return new Rng(deriveSeed(seed, 'eval-crops'));
}

/**
 * Validation accuracy (center crop, deterministic) and test accuracy in the requested
 * modes. The 4 crops come from their own stream of the seed: the same snapshot and seed
 * give the same 4-crop figure.
 */
export async function evaluateFinal(options: FinalEvaluationOptions): Promise<FinalEvaluation> {
  const { score, testCount, validationIndices, modes, seed, limit, onProgress, known4Crop } = options;
  const test = testIndices(testCount, limit);
  const progress = (what: string) => ({ onProgress: (done: number, total: number) => onProgress?.(what, done, total) });
  let validationAccuracy: number | null = null;
  if (validationIndices && validationIndices.length > 0) {
    const indices = validationIndices.subarray(0, Math.min(validationIndices.length, limit ?? Infinity));
    validationAccuracy = accuracyOf(await score('train', indices, 'center', undefined, progress('validation')));
  }
  const testAccuracyCenter = modes.center
    ? accuracyOf(await score('test', test, 'center', undefined, progress('test center')))
    : null;
  let testAccuracy4Crop: number | null = null;
  if (modes.fourCrop) {
    testAccuracy4Crop = known4Crop ?? accuracyOf(await score('test', test, '4crop', evalCrops(seed), progress('test 4-crop')));
  }
  return { validationAccuracy, testAccuracy4Crop, testAccuracyCenter, testExamples: test.length };
}
