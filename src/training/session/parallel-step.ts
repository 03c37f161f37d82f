/**
 * The parallel step: whole mini-batches shared with replica workers (data-parallel, see
 * src/parallel), once the whole training set is loaded. Each batch's examples are counted
 * through the same bookkeeping as one-thread training (ExampleTraining.countExample).
 */
import { fillPlaced } from '../../data/dataset-inputs';
import { errorMessage } from '../../engine/error-message';
import type { Net } from '../../engine/net';
import type { Trainer } from '../../engine/trainer';
import { DataParallelTrainer } from '../../parallel/data-parallel-trainer';
import { EXAMPLE_STRIDE } from '../../parallel/example-stream';
import type { ReplicaLink, ReplicaSets } from '../../parallel/protocol';
import type { ImageSet } from '../../data/dataset';
import { SharedReplicaLink } from '../../parallel/shared-link';
import { shareableSets } from '../../parallel/worker-host';
import { paramsAreFinite } from '../divergence';
import type { ExampleTraining, TrainingParts } from './example-training';

/**
 * What one validation example (a 4-crop average: four forward passes) costs, in training
 * examples (one forward and one backward pass): about 2 with the WASM kernels when this
 * was set, one forward pass taking half a training step (see `npm run bench`). Since the
 * batched forward (Winograd, its set-up cut in session 7) it is nearer 1: ~90 us for the
 * four windows and ~10 us of set-up on new weights, against ~100 us a training example.
 * Not re-tuned: measured in the page (docs/performance.md, session 8), giving this thread
 * 10 examples of 20 instead of 11 only moved the waiting from one thread to the other.
 */
const VALIDATION_COST_IN_EXAMPLES = 2;

/**
 * What this thread does between two shared mini-batches while the replica has nothing
 * of the batch to compute (summing the gradients, the update, the statistics, drawing
 * the next examples, waking the replica), in training examples. The replica classifies
 * the validation probes in that time, so this thread takes that many examples more.
 */
const BATCH_SERIAL_COST_IN_EXAMPLES = 2;

type BatchResult = 'diverged' | 'stale' | 'updated' | 'trained';

export class ParallelStep {
  /** The data-parallel trainer once the replicas joined, and the net and trainer it was given. */
  private parallel: { trainer: DataParallelTrainer; net: Net; netTrainer: Trainer } | null = null;
  /** Why the replicas were dropped (one failed), or null. */
  private failure: string | null = null;
  /** True while a mini-batch is out with the replicas: synchronous training must wait. */
  private inFlight = false;
  private batchExamples = new Int32Array(0);
  /** Tasks waiting for the mini-batch out with the replicas to end. */
  private idleWaiters: (() => void)[] = [];
  /** The test set the replicas were given (they evaluate it with this thread). */
  private sentTest: ImageSet | null = null;

  constructor(
    private readonly links: readonly ReplicaLink[],
    private readonly parts: TrainingParts,
    private readonly training: ExampleTraining,
  ) {}

  get batchInFlight(): boolean {
    return this.inFlight;
  }

  /** Why the replicas were dropped, or null while none failed. */
  get replicaFailure(): string | null {
    return this.failure;
  }

  /** Threads sharing each mini-batch right now: 1 + the replicas that joined. */
  get threads(): number {
    return this.parallel ? this.parallel.trainer.replicas : 1;
  }

  /** True when the replicas read the sets and weights from shared memory. */
  get sharedMemory(): boolean {
    return this.threads > 1 && this.links.every((link) => link instanceof SharedReplicaLink);
  }

  /** Runs `task` at once, or as soon as the mini-batch out with the replicas is done. */
  whenIdle(task: () => void): void {
    if (this.inFlight) this.idleWaiters.push(task);
    else task();
  }

  close(): void {
    void this.parallel?.trainer.close();
    this.parallel = null;
  }

  /**
   * The data-parallel trainer, once there are replicas and the whole training set is in
   * (sent to them once, rather than again with every chunk); kept on the session's
   * current net and trainer. Null means: train on this thread alone.
   */
  trainer(): DataParallelTrainer | null {
    if (this.links.length === 0 || this.failure !== null) return null;
    const { model } = this.parts;
    const { train, trainTotal } = model.data;
    if (trainTotal === 0 || train.count < trainTotal) return null;
    const parallel = this.parallel;
    if (!parallel) {
      const trainer = new DataParallelTrainer({
        net: model.net,
        trainer: model.trainer,
        sets: this.replicaSets(),
        links: this.links,
        seed: model.seed,
      });
      this.parallel = { trainer, net: model.net, netTrainer: model.trainer };
      return trainer;
    }
    if (parallel.net !== model.net || parallel.netTrainer !== model.trainer) {
      // A new network, a reset, an import or a roll-back: the replicas rebuild and get the weights.
      parallel.trainer.setModel(model.net, model.trainer, model.seed);
      parallel.net = model.net;
      parallel.netTrainer = model.trainer;
    }
    return parallel.trainer;
  }

  /**
   * The data-parallel trainer, its replicas holding the test set as it is now, for an
   * evaluation spread over them; null means: evaluate on this thread.
   */
  forEvaluation(): DataParallelTrainer | null {
    const parallel = this.trainer();
    if (parallel && this.sentTest !== this.parts.model.data.test) parallel.setData(this.replicaSets());
    return parallel;
  }

  /** The sets for the replicas (in shared memory where it can be shared), noting which test set went. */
  private replicaSets(): ReplicaSets {
    const { model } = this.parts;
    const { train, test } = model.data;
    this.sentTest = test;
    return shareableSets({ train, test, geometry: model.dataset });
  }

  /** Whole mini-batches until `end` (clock ms) or until the run stops; a failed replica drops them all. */
  async slice(parallel: DataParallelTrainer, end: number, running: () => boolean): Promise<void> {
    try {
      for (;;) {
        const result = await this.trainBatch(parallel);
        if (result === 'diverged' || !running() || this.parts.now() >= end) break;
        // The model changed while the batch was out: the next slice brings the replicas up to date.
        if (result === 'stale') break;
      }
    } catch (error) {
      // A replica failed (or the batch no longer fit a changed batch_size): the batch was
      // put back as it was; with a failed replica this thread goes on alone.
      if (!(error instanceof RangeError)) {
        this.failure = errorMessage(error);
        const failed = this.parallel;
        this.parallel = null;
        void failed?.trainer.close().catch(() => undefined);
      }
    }
    if (!this.inFlight) for (const task of this.idleWaiters.splice(0)) task();
  }

  /**
   * One mini-batch (the rest of the running one) split over this thread and the replicas:
   * the examples are drawn here, each replica sums its shard's gradients, one update.
   * The validation samples that fall due go to a replica as probes, classified after its
   * shard while this thread updates (their counts come back with the next batch); test
   * predictions that fall due run here while the replicas compute (they only read the
   * weights, which change after).
   */
  private async trainBatch(parallel: DataParallelTrainer): Promise<BatchResult> {
    const { model, stats, layerStats, predictions, probe } = this.parts;
    const set = model.data.train;
    const count = model.trainer.batchRemaining;
    if (this.batchExamples.length < count * EXAMPLE_STRIDE) this.batchExamples = new Int32Array(count * EXAMPLE_STRIDE);
    const examples = this.batchExamples;
    this.training.drawExamples(model.trainIndices(), examples, count);
    const { net, trainer } = model;
    // A failed batch changes only the net's gradients (the update waits for every shard). At
    // a batch start they are zero, so zeroing them undoes it, and the state is not copied
    // (~8 us of serial work a batch); mid-batch (after a Step) the whole state is kept.
    const saved = count < trainer.spec.batch_size ? trainer.getState() : null;
    const now = this.parts.now();
    layerStats.beforeStep(net, now);
    this.inFlight = true;
    let result;
    try {
      const first = stats.examples;
      const probes = predictions.validationProbes(first, count);
      // A replica classifies the validation probes while this thread sums and updates, so
      // this thread takes more examples; without probes both halves end together.
      const handicap = probes ? BATCH_SERIAL_COST_IN_EXAMPLES - probes.images.length * VALIDATION_COST_IN_EXAMPLES : 0;
      const pending = parallel.train(examples, count, handicap, probes);
      if (first > 0) predictions.predictTestImagesIfDue(now);
      result = await pending;
    } catch (error) {
      if (model.net === net && model.trainer === trainer) {
        if (saved) trainer.setState(saved);
        else net.zeroGrads();
      }
      throw error;
    } finally {
      this.inFlight = false;
    }
    if (model.net !== net || model.trainer !== trainer) return 'stale';
    if (result.probes) stats.recordValidation(result.probes.correct, result.probes.misclassified.length);
    // The stats' per-example times, from this thread's shard (the replica's are alike).
    if (result.timing) stats.recordTiming(result.timing.forwardMs, result.timing.backwardMs);

    const last = (count - 1) * EXAMPLE_STRIDE;
    const lastIndex = examples[last];
    // The last example's window, for the layer views and the layer statistics, as one thread leaves it.
    const placement = { offsetX: examples[last + 1], offsetY: examples[last + 2], flip: examples[last + 3] !== 0 };
    fillPlaced(model.step.input, model.dataset, set, lastIndex, placement);
    probe.trained(lastIndex, false);
    for (let e = 0; e < count; e++) {
      const loss = result.losses[e];
      if (!Number.isFinite(loss) || !Number.isFinite(result.l2DecayLoss)) {
        this.training.diverged(loss);
        return 'diverged';
      }
      this.training.countExample(loss, result.l2DecayLoss, result.predictions[e] === set.labels[examples[e * EXAMPLE_STRIDE]]);
    }
    // An update can overflow a weight while every loss of the batch was still finite.
    if (result.updated && !paramsAreFinite(net.params)) {
      this.training.diverged(result.losses[count - 1]);
      return 'diverged';
    }
    if (result.updated) this.training.afterUpdate(set.labels[lastIndex]);
    return result.updated ? 'updated' : 'trained';
  }
}
