/**
 * The evaluation of the whole test set, on a frozen copy of the weights taken when asked.
 * With training workers it is spread over all of them and this thread (the images in
 * small jobs, the crops drawn up front in the one-thread order, so the result is the same
 * to the bit), and it has them first: training waits from the end of the mini-batch in
 * flight until the evaluation is done (a second or so), so the two do not fight over the
 * same cores; the run stays running. Without workers it runs a share of each slice of the
 * run loop, beside training.
 */
import { imageBytes, type ImageGeometry, type ImageSet } from '../../data/dataset';
import { Net } from '../../engine/net';
import { Rng } from '../../engine/rng';
import type { DataParallelTrainer } from '../../parallel/data-parallel-trainer';
import { planEvaluation } from '../../parallel/evaluation-plan';
import { evaluationRngSeed, TestSetEvaluator, type EvaluationOutcome, type EvaluationProgress } from '../evaluation';
import type { SessionModel } from './model';

/** A running evaluation reports its progress at most this often, ms. */
const EVALUATION_PROGRESS_MS = 100;
/** Test images the page may fetch at once (a gallery's worth). */
const MAX_TEST_IMAGES = 200;

/** What the evaluation needs of the training workers and the run loop. */
export interface EvaluationWorkers {
  /** The data-parallel trainer with the current test set, or null to evaluate on this thread's slices. */
  trainer(): DataParallelTrainer | null;
  /** Resolves once no mini-batch is out with the workers (training waits while an evaluation holds them). */
  idle(): Promise<void>;
  /**
   * Told when an evaluation starts or stops holding the workers (done, cancelled, or
   * handed back to this thread's slices): training stops or goes on.
   */
  changed(): void;
}

/** Without workers: this thread's slices only. */
const NO_WORKERS: EvaluationWorkers = { trainer: () => null, idle: () => Promise.resolve(), changed: () => {} };

interface EvaluationJob {
  evaluator: TestSetEvaluator;
  onProgress?: (progress: EvaluationProgress) => void;
  progressAt: number;
  resolve: (outcome: EvaluationOutcome) => void;
  /** True while the training workers evaluate it; training waits and the run loop's slices have nothing to do. */
  spread: boolean;
}

export class TestSetEvaluation {
  private job: EvaluationJob | null = null;

  constructor(
    private readonly model: SessionModel,
    private readonly now: () => number,
    private readonly workers: EvaluationWorkers = NO_WORKERS,
  ) {}

  get running(): boolean {
    return this.job !== null;
  }

  /** True while an evaluation runs on the training workers: training waits for it. */
  get holdsWorkers(): boolean {
    return this.job !== null && this.job.spread;
  }

  /** True while an evaluation runs on this thread's slices (not on the workers). */
  get needsSlices(): boolean {
    return this.job !== null && !this.job.spread;
  }

  /**
   * Starts an evaluation of the weights as they are now; resolves when done, cancelled or
   * refused. Spread over the workers when there are any, else the caller gives it slices
   * (`slice`, while `needsSlices`).
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
    const workers = this.workers.trainer();
    return new Promise((resolve) => {
      const job: EvaluationJob = { evaluator, onProgress, progressAt: -Infinity, resolve, spread: workers !== null };
      this.job = job;
      onProgress?.({ done: 0, total: evaluator.total });
      if (workers) {
        this.workers.changed();
        void this.spreadOver(workers, job, frozen);
      }
    });
  }

  /**
   * Once the mini-batch in flight is back, the test-time averages, then the center windows,
   * of every image on all workers; a failing worker hands the evaluation back to this
   * thread's slices (from the start).
   */
  private async spreadOver(workers: DataParallelTrainer, job: EvaluationJob, frozen: Net): Promise<void> {
    const total = job.evaluator.total;
    const indices = Int32Array.from({ length: total }, (_, i) => i);
    const { dataset } = this.model;
    const crops = new Rng(evaluationRngSeed(this.model.seed));
    const fourCrop = planEvaluation(indices, frozen.inputShape, '4crop', crops, dataset);
    const center = planEvaluation(indices, frozen.inputShape, 'center', undefined, dataset);
    // Each image counts half when its average is done and half when its center is.
    const progress = (before: number) => (done: number) => this.reportProgress(job, Math.floor((before + done) / 2));
    const stopped = () => this.job !== job;
    try {
      await this.workers.idle();
      if (stopped()) return;
      const averaged = await workers.evaluateOutputs('test', fourCrop, frozen, { stopped, onProgress: progress(0) });
      const centered = averaged && (await workers.evaluateOutputs('test', center, frozen, { stopped, onProgress: progress(total) }));
      if (!centered || stopped()) return;
      job.evaluator.recordOutputs(averaged, centered);
      this.finish(job);
    } catch {
      // The parallel step drops the failed worker (its next batch fails too) and says why;
      // the result does not depend on where the images were classified.
      if (stopped()) return;
      job.spread = false;
      this.workers.changed();
    }
  }

  private reportProgress(job: EvaluationJob, done: number): void {
    const now = this.now();
    if (now - job.progressAt < EVALUATION_PROGRESS_MS) return;
    job.progressAt = now;
    job.onProgress?.({ done, total: job.evaluator.total });
  }

  private finish(job: EvaluationJob): void {
    job.progressAt = this.now();
    job.onProgress?.({ done: job.evaluator.done, total: job.evaluator.total });
    this.end(job);
    job.resolve({ ok: true, evaluation: job.evaluator.result() });
  }

  /** No evaluation runs any more; training goes on if it waited for this one. */
  private end(job: EvaluationJob): void {
    this.job = null;
    if (job.spread) this.workers.changed();
  }

  /** Stops the evaluation in progress (its promise resolves as cancelled); false when none ran. */
  cancel(): boolean {
    const job = this.job;
    if (!job) return false;
    this.end(job);
    job.resolve({ ok: false, cancelled: true, error: 'The evaluation was cancelled.' });
    return true;
  }

  /** Evaluates for about `budgetMs`; reports progress when due and the result when finished. */
  slice(budgetMs: number): void {
    const job = this.job;
    if (!job || job.spread) return;
    const end = this.now() + budgetMs;
    job.evaluator.runUntil(() => this.now() >= end);
    if (job.evaluator.finished) this.finish(job);
    else this.reportProgress(job, job.evaluator.done);
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
