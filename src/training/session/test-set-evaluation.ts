/**
 * The evaluation of the whole test set, on a frozen copy of the weights, run a share of
 * each slice of the run loop so training goes on (or stays paused) meanwhile.
 */
import { imageBytes, type ImageGeometry, type ImageSet } from '../../data/dataset';
import { Net } from '../../engine/net';
import { Rng } from '../../engine/rng';
import { evaluationRngSeed, TestSetEvaluator, type EvaluationOutcome, type EvaluationProgress } from '../evaluation';
import type { SessionModel } from './model';

/** A running evaluation reports its progress at most this often, ms. */
const EVALUATION_PROGRESS_MS = 100;
/** Test images the page may fetch at once (a gallery's worth). */
const MAX_TEST_IMAGES = 200;

interface EvaluationJob {
  evaluator: TestSetEvaluator;
  onProgress?: (progress: EvaluationProgress) => void;
  progressAt: number;
  resolve: (outcome: EvaluationOutcome) => void;
}

export class TestSetEvaluation {
  private job: EvaluationJob | null = null;

  constructor(
    private readonly model: SessionModel,
    private readonly now: () => number,
  ) {}

  get running(): boolean {
    return this.job !== null;
  }

  /**
   * Starts an evaluation of the weights as they are now; resolves when done, cancelled or
   * refused. The caller gives it slices (`slice`).
   */
  start(
    run: { runId: number; examplesSeen: number },
    onProgress?: (progress: EvaluationProgress) => void,
  ): Promise<EvaluationOutcome> {
    if (this.job) {
      return Promise.resolve({ ok: false, cancelled: false, error: 'The test set is already being evaluated.' });
    }
    const test = this.model.data.test;
    if (test.count === 0) {
      return Promise.resolve({ ok: false, cancelled: false, error: 'The test set is not loaded yet; try again in a moment.' });
    }
    // A copy, so the result describes one set of weights while training changes the live net.
    const live = this.model.net;
    const frozen = new Net(live.specs, new Rng(0));
    frozen.params.set(live.params);
    const evaluator = new TestSetEvaluator(frozen, test, new Rng(evaluationRngSeed(this.model.seed)), {
      ...run,
      outputsAreProbabilities: this.model.lossType === 'softmax',
      dataset: this.model.dataset,
    });
    return new Promise((resolve) => {
      this.job = { evaluator, onProgress, progressAt: -Infinity, resolve };
      onProgress?.({ done: 0, total: evaluator.total });
    });
  }

  /** Stops the evaluation in progress (its promise resolves as cancelled); false when none ran. */
  cancel(): boolean {
    const job = this.job;
    if (!job) return false;
    this.job = null;
    job.resolve({ ok: false, cancelled: true, error: 'The evaluation was cancelled.' });
    return true;
  }

  /** Evaluates for about `budgetMs`; reports progress when due and the result when finished. */
  slice(budgetMs: number): void {
    const job = this.job;
    if (!job) return;
    const end = this.now() + budgetMs;
    job.evaluator.runUntil(() => this.now() >= end);
    const now = this.now();
    const finished = job.evaluator.finished;
    if (finished || now - job.progressAt >= EVALUATION_PROGRESS_MS) {
      job.progressAt = now;
      job.onProgress?.({ done: job.evaluator.done, total: job.evaluator.total });
    }
    if (finished) {
      this.job = null;
      job.resolve({ ok: true, evaluation: job.evaluator.result() });
    }
  }
}

/**
 * Raw pixels (0..255) of the given test images, width x height x channels bytes per image
 * (HWC), concatenated in the order asked: what the page shows of an evaluation. At most
 * MAX_TEST_IMAGES at once.
 */
export function testImagePixels(test: ImageSet, geometry: ImageGeometry, indices: readonly number[]): Uint8Array {
  const wanted = indices.slice(0, MAX_TEST_IMAGES);
  const size = imageBytes(geometry);
  const out = new Uint8Array(wanted.length * size);
  wanted.forEach((index, k) => {
    if (!(Number.isInteger(index) && index >= 0 && index < test.count)) {
      throw new RangeError(`test image ${index} is not loaded (${test.count} test images are)`);
    }
    out.set(test.images.subarray(index * size, (index + 1) * size), k * size);
  });
  return out;
}
