/**
 * A training session: the MNIST data, the network and its trainer, and everything the
 * dashboard asks of them. A plain class with no DOM and no worker API, so the same code
 * runs in the worker and in Node tests.
 *
 * Training runs in time slices (~15 ms of examples, then a yield to the event loop), so
 * calls from the page are served between slices. Every change a person makes is checked
 * before it touches anything: a rejected trainer change, network or snapshot leaves the
 * session exactly as it was.
 *
 * Statistics follow the original demo: moving windows of the classification and L2 decay
 * losses, training accuracy from the training forward pass, validation accuracy from
 * held-out examples forwarded every few steps (4-crop average), a loss-chart point every
 * 200 examples, and a few test-set predictions every half second of training (by time, not
 * by examples: at thousands of examples a second a per-example rate would churn the grid).
 */
import {
  argmax,
  createInputVolume,
  cropGeometry,
  fillCenterCrop,
  fillCrop,
  fillRandomCrop,
  predictAveragedCrops,
  randomOffset,
} from '../data/augment';
import { MNIST_CLASSES, MNIST_PIXELS, imagePixels, type MnistSet } from '../data/mnist';
import { loadedIndices, splitForSeed, type TrainValidationSplit } from '../data/splits';
import type { LossTarget } from '../engine/layers/layer';
import { Net } from '../engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../engine/parse';
import { Rng } from '../engine/rng';
import { netFromJSON, netToJSON } from '../engine/snapshot';
import { LIMITS, resolveTrainer, TRAINER_FIELDS, type ResolvedLayer, type TrainerSpec } from '../engine/spec';
import { Trainer } from '../engine/trainer';
import type { Volume } from '../engine/volume';
import { definitionText, definitionWithTrainer } from './definition-text';
import { describeNonFiniteSite, locateNonFinite, paramsAreFinite, saferLearningRate } from './divergence';
import { l2Norm, updateToWeightRatio } from './layer-stats';
import { evaluationRngSeed, TestSetEvaluator, type EvaluationOutcome, type EvaluationProgress } from './evaluation';
import type {
  ActionResult,
  ClassifyResult,
  ClassProbability,
  LayerView,
  LayerStatsPoint,
  LossPoint,
  NetworkSummary,
  SessionUpdate,
  TestPrediction,
  TrainingStats,
} from './protocol';
import { MovingWindow, RateMeter } from './stats';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointProblem, type SessionCheckpoint } from './checkpoint';
import { summarizeNetwork } from './summary';
import { DataParallelTrainer } from '../parallel/data-parallel-trainer';
import { EXAMPLE_STRIDE } from '../parallel/example-stream';
import { planEvaluation, type EvaluationPlan } from '../parallel/evaluation-plan';
import type { ReplicaLink } from '../parallel/protocol';
import { shareableSets } from '../parallel/worker-host';
import { SharedReplicaLink } from '../parallel/shared-link';

/** The data a session trains on. In the browser the sets grow while chunks stream in. */
export interface SessionData {
  /** Training images loaded so far (a prefix of the full set). */
  readonly train: MnistSet;
  readonly test: MnistSet;
  /**
   * Size of the full training set, or 0 while unknown. The validation split is drawn
   * over all of it, once, so the held-out examples never change as data arrives.
   */
  readonly trainTotal: number;
}

export interface SessionOptions {
  /** One seed drives weights, sampling, crops and the validation split. */
  seed?: number;
  /** Network and trainer definition (ConvNetJS snippet or JSON); default the seed network. */
  definitionText?: string;
  /** Length of one training slice before yielding, ms. */
  sliceMs?: number;
  /** Forward one validation example before every n-th training example. */
  validationEvery?: number;
  /** Predict `testBatch` test images at most this often while training, ms (default 500). */
  testEveryMs?: number;
  testBatch?: number;
  /** A loss-chart point every n training examples. */
  lossPointEvery?: number;
  /** Keep a copy of the weights every n examples, to roll back to if training diverges. */
  checkpointEvery?: number;
  /** How the loop yields; default setImmediate in Node, a MessageChannel elsewhere. */
  schedule?: (task: () => void) => void;
  /** Clock in ms; default performance.now. */
  now?: () => number;
  /** Called after every training slice (the worker pushes statistics from here). */
  onSlice?: () => void;
  /** Sample per-layer weight norms, gradient norms and update ratios at most this often, ms (default 1000). */
  layerStatsEveryMs?: number;
  /**
   * Other workers that share every mini-batch with this thread (data-parallel: the
   * gradients are summed over the whole batch, then one update, see src/parallel). None
   * (the default) trains on this thread alone. They join once the whole training set is
   * loaded (it is sent to them once); a replica that fails leaves this thread training alone.
   */
  replicas?: readonly ReplicaLink[];
  /**
   * Go on with a run from its exportCheckpoint copy (an autosave, or the last checkpoint of
   * a worker that died); seed and definitionText then come from it. A checkpoint that is
   * damaged or does not fit its own network makes the constructor throw a message saying why.
   */
  checkpoint?: SessionCheckpoint;
}

/**
 * What one validation example (a 4-crop average: four forward passes) costs, in training
 * examples (one forward and one backward pass): about 2 with the WASM kernels, whose
 * forward pass takes half a training step (see `npm run bench`).
 */
const VALIDATION_COST_IN_EXAMPLES = 2;

/**
 * What this thread does between two shared mini-batches while the replica has nothing
 * of the batch to compute (summing the gradients, the update, the statistics, drawing
 * the next examples, waking the replica), in training examples. The replica classifies
 * the validation probes in that time, so this thread takes that many examples more.
 */
const BATCH_SERIAL_COST_IN_EXAMPLES = 2;

/** Per-layer samples kept; when full, every other one is dropped, so the history spans the run. */
const MAX_LAYER_STATS_POINTS = 400;

/** Seeds are uint32 (the PRNG's state); the page's seed field and URL check the same range. */
const MAX_SEED = 2 ** 32 - 1;

/** Pending items kept for the page at most; a page that stops reading must not grow memory. */
const MAX_PENDING = 1000;
/** A running evaluation reports its progress at most this often, ms. */
const EVALUATION_PROGRESS_MS = 100;
/** Test images the page may fetch at once (a gallery's worth). */
const MAX_TEST_IMAGES = 200;

interface Checkpoint {
  params: Float32Array;
  examples: number;
}

/**
 * Weights to fall back on when training diverges. Finite weights are not enough (just
 * before a blow-up they are huge but finite), so a copy becomes the fallback only after
 * the next interval of training from it kept the loss near or below the run's starting
 * level (the first interval's mean): `candidate` is the copy on probation, `confirmed`
 * the one to roll back to.
 */
class Checkpoints {
  confirmed: Checkpoint;
  private candidate: Checkpoint | null;
  private spare: Float32Array | null = null;
  private lossSum = 0;
  private lossCount = 0;
  /** Mean loss over the first interval of the run: what an untrained net scores. */
  private baselineLoss: number | null = null;

  constructor(params: Float32Array, examples = 0) {
    this.confirmed = { params: params.slice(), examples };
    this.candidate = { params: params.slice(), examples };
  }

  addLoss(loss: number): void {
    this.lossSum += loss;
    this.lossCount++;
  }

  /** Called at every interval boundary with the weights in force at `examples`. */
  endInterval(params: Float32Array, examples: number): void {
    const mean = this.lossCount > 0 ? this.lossSum / this.lossCount : Infinity;
    this.baselineLoss ??= mean;
    // Loose enough for the noise of a well-trained net (baseline near 0), tight enough to
    // catch a net whose loss has climbed well above what it started from.
    const healthy = Number.isFinite(mean) && mean <= 1.5 * this.baselineLoss + 0.5;
    if (healthy && this.candidate) {
      this.spare = this.confirmed.params;
      this.confirmed = this.candidate;
      this.candidate = null;
    }
    if (allFinite(params)) {
      const buffer = this.candidate?.params ?? this.spare ?? new Float32Array(params.length);
      this.spare = null;
      buffer.set(params);
      this.candidate = { params: buffer, examples };
    } else {
      this.candidate = null;
    }
    this.lossSum = 0;
    this.lossCount = 0;
  }

  /** After a roll-back: probation starts again from the confirmed weights. */
  restart(): void {
    this.candidate = { params: this.confirmed.params.slice(), examples: this.confirmed.examples };
    this.lossSum = 0;
    this.lossCount = 0;
  }
}

/**
 * Samples per-layer training health at a low rate: when a sample falls due, the weights
 * are copied once, and at the next update the step is compared with them. Between
 * samples nothing is copied, so the hot loop pays one clock read per example.
 */
class LayerStatsSampler {
  points: LayerStatsPoint[] = [];
  private before: Float32Array | null = null;
  private lastSampleAt = -Infinity;
  private everyMs: number;
  private readonly baseEveryMs: number;

  constructor(everyMs: number) {
    this.everyMs = everyMs;
    this.baseEveryMs = everyMs;
  }

  get awaitingUpdate(): boolean {
    return this.before !== null;
  }

  /** Takes the copy of the weights when a sample is due (and none is waiting). */
  beforeStep(net: Net, now: number): void {
    if (this.before !== null || now - this.lastSampleAt < this.everyMs) return;
    this.lastSampleAt = now;
    this.before = net.params.slice();
  }

  /** Records one point; the net's grads hold the last example's gradient alone. */
  afterUpdate(net: Net, examples: number): void {
    const before = this.before!;
    this.before = null;
    const base = net.params.byteOffset / Float32Array.BYTES_PER_ELEMENT;
    const layers = [];
    for (let index = 0; index < net.layers.length; index++) {
      const group = net.layers[index].params.find((p) => p.kind === 'filters');
      if (!group) continue;
      const start = group.w.byteOffset / Float32Array.BYTES_PER_ELEMENT - base;
      layers.push({
        index,
        weightNorm: l2Norm(group.w),
        gradNorm: l2Norm(group.dw),
        updateRatio: updateToWeightRatio(before, net.params, start, start + group.w.length),
      });
    }
    this.points.push({ examples, layers });
    if (this.points.length > MAX_LAYER_STATS_POINTS) {
      // Keep the first point and every other one after it; sample half as often from now on.
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.everyMs *= 2;
    }
  }

  /** Forgets a copy taken before weights that were then replaced (a roll-back). */
  dropPending(): void {
    this.before = null;
  }

  clear(): void {
    this.points = [];
    this.before = null;
    this.lastSampleAt = -Infinity;
    this.everyMs = this.baseEveryMs;
  }
}

export class TrainingSession {
  /** Not readonly: restartRun starts the same configuration over from another seed. */
  private seed: number;
  private rng: Rng;
  private readonly data: SessionData;
  private readonly sliceMs: number;
  private readonly validationEvery: number;
  private readonly testEveryMs: number;
  private readonly testBatch: number;
  private readonly lossPointEvery: number;
  private readonly checkpointEvery: number;
  private readonly schedule: (task: () => void) => void;
  private readonly now: () => number;
  private readonly onSlice?: () => void;
  private readonly replicaLinks: readonly ReplicaLink[];
  /** The data-parallel trainer once the replicas joined, and the net and trainer it was given. */
  private parallel: { trainer: DataParallelTrainer; net: Net; netTrainer: Trainer } | null = null;
  /** Why the replicas were dropped (one failed), or null. */
  private parallelFailure: string | null = null;
  /** True while a mini-batch is out with the replicas: synchronous training must wait. */
  private batchInFlight = false;
  private batchExamples = new Int32Array(0);
  /** exportCheckpoint calls waiting for the mini-batch out with the replicas to end. */
  private checkpointWaiters: ((checkpoint: SessionCheckpoint) => void)[] = [];

  private net: Net;
  private trainer: Trainer;
  private definition: string;
  /** The input of the last training example; kept so the layer views can replay it. */
  private trainInput: Volume;
  private evalInput: Volume;
  private outputs: Float32Array;
  private lastTrainIndex = -1;
  /** False when a forward pass other than training (validation, test, user image) ran since. */
  private netShowsTrainingExample = false;
  private regressionTarget: Float32Array | null = null;

  private split: TrainValidationSplit | null = null;
  private examples = 0;
  private readonly classificationLoss = new MovingWindow(100, 1);
  private readonly l2DecayLoss = new MovingWindow(100, 1);
  private readonly forwardMs = new MovingWindow(100, 1);
  private readonly backwardMs = new MovingWindow(100, 1);
  private readonly trainingAccuracy = new MovingWindow(100, 20);
  private readonly validationAccuracy = new MovingWindow(100, 20);
  private readonly rate = new RateMeter(2000);
  private pendingLoss: LossPoint[] = [];
  private pendingPredictions: TestPrediction[] = [];
  /** Clock time from which the next test predictions are due. */
  private nextTestAt = -Infinity;
  private checkpoints: Checkpoints;

  private running = false;
  private pausedReason: string | null = null;
  private sliceScheduled = false;
  private runIdValue = 1;
  private networkVersion = 1;
  private reportedNetworkVersion = 0;
  private inspected: Uint8Array | null = null;
  private readonly layerStats: LayerStatsSampler;
  /** A training example pinned for the layer views ("freeze example"): its crop and label. */
  private frozenExample: { input: Volume; label: number } | null = null;
  /** The test-set evaluation in progress, run in a share of each slice. */
  private evaluation: {
    evaluator: TestSetEvaluator;
    onProgress?: (progress: EvaluationProgress) => void;
    progressAt: number;
    resolve: (outcome: EvaluationOutcome) => void;
  } | null = null;

  constructor(data: SessionData, options: SessionOptions = {}) {
    // A checkpoint's shape is checked before anything is built from it.
    const checkpointIssue = options.checkpoint ? checkpointProblem(options.checkpoint) : null;
    if (checkpointIssue) throw new Error(`The saved run cannot be restored: ${checkpointIssue}.`);
    this.seed = options.checkpoint?.seed ?? options.seed ?? 1;
    this.rng = new Rng(this.seed);
    this.data = data;
    this.sliceMs = options.sliceMs ?? 15;
    this.validationEvery = options.validationEvery ?? 10;
    this.testEveryMs = options.testEveryMs ?? 500;
    this.testBatch = options.testBatch ?? 4;
    this.lossPointEvery = options.lossPointEvery ?? 200;
    this.checkpointEvery = options.checkpointEvery ?? 1000;
    this.schedule = options.schedule ?? defaultScheduler();
    this.now = options.now ?? (() => performance.now());
    this.onSlice = options.onSlice;
    this.layerStats = new LayerStatsSampler(options.layerStatsEveryMs ?? 1000);
    this.replicaLinks = options.replicas ?? [];

    const text = options.checkpoint?.definitionText ?? options.definitionText ?? SEED_DEFINITION_TEXT;
    const { layers, trainer } = parseNetwork(text);
    const problem = mnistProblem(layers);
    if (problem) throw new Error(problem);
    this.definition = text;
    this.net = new Net(layers, this.rng);
    this.trainer = new Trainer(this.net, trainer);
    this.trainInput = createInputVolume(this.net.inputShape);
    this.evalInput = createInputVolume(this.net.inputShape);
    this.outputs = new Float32Array(this.net.outputShape.depth);
    this.checkpoints = new Checkpoints(this.net.params);
    if (options.checkpoint) this.restoreCheckpoint(options.checkpoint);
  }

  // ---------------------------------------------------------------------------
  // Running

  get isRunning(): boolean {
    return this.running;
  }

  get examplesSeen(): number {
    return this.examples;
  }

  get runId(): number {
    return this.runIdValue;
  }

  /** Starts (or continues) training in slices until paused. */
  resume(): void {
    this.running = true;
    this.pausedReason = null;
    this.scheduleSlice();
  }

  pause(): void {
    this.running = false;
  }

  /**
   * Pauses and trains until the weights change once: the rest of the current mini-batch,
   * at most batch_size examples. Returns the number of examples trained.
   */
  step(): number {
    this.pause();
    // A mini-batch still out with the replicas ends this very moment; a step now would split it.
    if (this.batchInFlight) return 0;
    let trained = 0;
    const limit = this.trainer.spec.batch_size;
    while (trained < limit) {
      const result = this.trainOne();
      if (result === 'no-data' || result === 'diverged') break;
      trained++;
      if (result === 'updated') break;
    }
    return trained;
  }

  /** Trains `count` examples now, synchronously (tests, the CLI-style use). Stops early on divergence. */
  trainExamples(count: number): number {
    if (this.batchInFlight) return 0;
    let trained = 0;
    while (trained < count) {
      const result = this.trainOne();
      if (result === 'no-data' || result === 'diverged') break;
      trained++;
    }
    return trained;
  }

  /**
   * The same network and trainer from a new seed: weights, sampling, crops and the
   * validation split are exactly those of a fresh session with that seed and this
   * definition. Statistics start over; keeps running or paused. A seed outside
   * 0..2^32-1 or not whole is refused and changes nothing.
   */
  restartRun(seed: number): ActionResult {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      return { ok: false, error: `The seed must be a whole number from 0 to ${MAX_SEED}; got ${String(seed)}.` };
    }
    this.seed = seed;
    this.rng = new Rng(seed);
    this.split = null;
    // The replicas (two workers) rebuild with this seed's dropout streams on the next batch (parallelTrainer).
    this.installNet(new Net(this.net.specs, this.rng), this.trainer.spec, this.definition);
    return { ok: true };
  }

  get runSeed(): number {
    return this.seed;
  }

  /** Fresh weights for the same network and trainer; statistics start over. Keeps running or paused. */
  reset(): void {
    const layers = this.net.specs;
    this.installNet(new Net(layers, this.rng), this.trainer.spec, this.definition);
  }

  /** Tells the session the data grew (more chunks in); resumes a loop that was waiting for it. */
  notifyDataChanged(): void {
    if (this.running) this.scheduleSlice();
  }

  /** Stops the loop for good. */
  dispose(): void {
    this.running = false;
    this.cancelEvaluation();
    void this.parallel?.trainer.close();
    this.parallel = null;
  }

  /** Threads sharing each mini-batch right now: 1 + the replicas that joined. */
  get trainingThreads(): number {
    return this.parallel ? this.parallel.trainer.replicas : 1;
  }

  /** Why the replicas were dropped, or null while none failed. */
  get replicaFailure(): string | null {
    return this.parallelFailure;
  }

  private scheduleSlice(): void {
    if (this.sliceScheduled || !(this.running || this.evaluation)) return;
    this.sliceScheduled = true;
    this.schedule(this.runSlice);
  }

  private readonly runSlice = (): void => {
    this.sliceScheduled = false;
    // A test-set evaluation takes half a slice while training runs, the whole slice while paused.
    if (this.evaluation) this.evaluationSlice(this.running ? this.sliceMs / 2 : this.sliceMs);
    if (!this.running) {
      this.scheduleSlice();
      return;
    }
    const parallel = this.parallelTrainer();
    if (parallel) {
      // Stays "scheduled" until the asynchronous slice ends, so no second slice starts meanwhile.
      this.sliceScheduled = true;
      void this.parallelSlice(parallel);
      return;
    }
    const end = this.now() + this.sliceMs;
    let waitingForData = false;
    do {
      const result = this.trainOne();
      if (result === 'no-data') {
        waitingForData = true;
        break;
      }
      if (result === 'diverged') break;
    } while (this.running && this.now() < end);
    this.rate.record(this.examples, this.now());
    this.onSlice?.();
    // With no data yet the loop sleeps; notifyDataChanged wakes it.
    if (!waitingForData || this.evaluation) this.scheduleSlice();
  };

  /**
   * The data-parallel trainer, once there are replicas and the whole training set is in
   * (sent to them once, rather than again with every chunk); kept on the session's
   * current net and trainer. Null means: train on this thread alone.
   */
  private parallelTrainer(): DataParallelTrainer | null {
    if (this.replicaLinks.length === 0 || this.parallelFailure !== null) return null;
    const { train, trainTotal } = this.data;
    if (trainTotal === 0 || train.count < trainTotal) return null;
    const parallel = this.parallel;
    if (!parallel) {
      const trainer = new DataParallelTrainer({
        net: this.net,
        trainer: this.trainer,
        // Replicas only train here (evaluations run on this thread): no copy of the test set for them.
        sets: shareableSets({ train, test: { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) } }),
        links: this.replicaLinks,
        seed: this.seed,
      });
      this.parallel = { trainer, net: this.net, netTrainer: this.trainer };
      return trainer;
    }
    if (parallel.net !== this.net || parallel.netTrainer !== this.trainer) {
      // A new network, a reset, an import or a roll-back: the replicas rebuild and get the weights.
      parallel.trainer.setModel(this.net, this.trainer, this.seed);
      parallel.net = this.net;
      parallel.netTrainer = this.trainer;
    }
    return parallel.trainer;
  }

  /** One slice of whole mini-batches shared with the replicas; schedules the next slice when done. */
  private async parallelSlice(parallel: DataParallelTrainer): Promise<void> {
    const end = this.now() + this.sliceMs;
    try {
      for (;;) {
        const result = await this.trainBatch(parallel);
        if (result === 'diverged' || !this.running || this.now() >= end) break;
        // The model changed while the batch was out: the next slice brings the replicas up to date.
        if (result === 'stale') break;
      }
    } catch (error) {
      // A replica failed (or the batch no longer fit a changed batch_size): the batch was
      // put back as it was; with a failed replica this thread goes on alone.
      if (!(error instanceof RangeError)) {
        this.parallelFailure = messageOf(error);
        const failed = this.parallel;
        this.parallel = null;
        void failed?.trainer.close().catch(() => undefined);
      }
    }
    this.rate.record(this.examples, this.now());
    this.answerCheckpointWaiters();
    this.onSlice?.();
    this.sliceScheduled = false;
    this.scheduleSlice();
  }

  /**
   * One mini-batch (the rest of the running one) split over this thread and the replicas:
   * the examples are drawn here, each replica sums its shard's gradients, one update.
   * The validation samples that fall due go to a replica as probes, classified after its
   * shard while this thread updates (their counts come back with the next batch); test
   * predictions that fall due run here while the replicas compute (they only read the
   * weights, which change after).
   */
  private async trainBatch(parallel: DataParallelTrainer): Promise<'diverged' | 'stale' | 'updated' | 'trained'> {
    const train = this.trainIndices();
    const set = this.data.train;
    const count = this.trainer.batchRemaining;
    if (this.batchExamples.length < count * EXAMPLE_STRIDE) this.batchExamples = new Int32Array(count * EXAMPLE_STRIDE);
    const examples = this.batchExamples;
    const { maxOffsetX, maxOffsetY } = cropGeometry(this.net.inputShape);
    for (let e = 0; e < count; e++) {
      const o = e * EXAMPLE_STRIDE;
      examples[o] = train[this.rng.int(0, train.length)];
      examples[o + 1] = randomOffset(this.rng, maxOffsetX);
      examples[o + 2] = randomOffset(this.rng, maxOffsetY);
    }
    const net = this.net;
    const trainer = this.trainer;
    const saved = trainer.getState();
    const now = this.now();
    this.layerStats.beforeStep(net, now);
    this.batchInFlight = true;
    let result;
    try {
      const first = this.examples;
      const probes = this.validationProbes(first, count);
      // A replica classifies the validation probes while this thread sums and updates, so
      // this thread takes more examples; without probes both halves end together.
      const handicap = probes ? BATCH_SERIAL_COST_IN_EXAMPLES - probes.images.length * VALIDATION_COST_IN_EXAMPLES : 0;
      const pending = parallel.train(examples, count, handicap, probes);
      if (first > 0) this.predictTestImagesIfDue(now);
      result = await pending;
    } catch (error) {
      if (this.net === net && this.trainer === trainer) trainer.setState(saved);
      throw error;
    } finally {
      this.batchInFlight = false;
    }
    if (this.net !== net || this.trainer !== trainer) return 'stale';
    if (result.probes) this.addValidationCounts(result.probes.correct, result.probes.misclassified.length);
    // The stats' per-example times, from this thread's shard (the replica's are alike).
    if (result.timing) {
      this.forwardMs.add(result.timing.forwardMs);
      this.backwardMs.add(result.timing.backwardMs);
    }

    const last = (count - 1) * EXAMPLE_STRIDE;
    const lastIndex = examples[last];
    // The last example's crop, for the layer views and the layer statistics, as one thread leaves it.
    fillCrop(this.trainInput, set, lastIndex, examples[last + 1], examples[last + 2]);
    this.lastTrainIndex = lastIndex;
    this.netShowsTrainingExample = false;
    for (let e = 0; e < count; e++) {
      const loss = result.losses[e];
      if (!Number.isFinite(loss) || !Number.isFinite(result.l2DecayLoss)) {
        this.diverged(loss);
        return 'diverged';
      }
      this.examples++;
      this.classificationLoss.add(loss);
      this.l2DecayLoss.add(result.l2DecayLoss);
      this.trainingAccuracy.add(result.predictions[e] === set.labels[examples[e * EXAMPLE_STRIDE]] ? 1 : 0);
      if (this.examples % this.lossPointEvery === 0) {
        const mean = (this.classificationLoss.average() ?? 0) + (this.l2DecayLoss.average() ?? 0);
        pushBounded(this.pendingLoss, { examples: this.examples, loss: mean, ...this.accuracyWindows() });
      }
      this.checkpoints.addLoss(loss);
      if (this.examples % this.checkpointEvery === 0) this.checkpoints.endInterval(net.params, this.examples);
    }
    // An update can overflow a weight while every loss of the batch was still finite.
    if (result.updated && !paramsAreFinite(net.params)) {
      this.diverged(result.losses[count - 1]);
      return 'diverged';
    }
    if (result.updated && this.layerStats.awaitingUpdate) this.sampleLayerStats(set.labels[lastIndex]);
    return result.updated ? 'updated' : 'trained';
  }

  /** The accuracy windows as they stand, for a chart point. */
  private accuracyWindows(): Pick<LossPoint, 'trainingAccuracy' | 'validationAccuracy'> {
    return { trainingAccuracy: this.trainingAccuracy.average(), validationAccuracy: this.validationAccuracy.average() };
  }

  /** One training example, with the validation and test work that falls due before it. */
  private trainOne(): 'no-data' | 'diverged' | 'trained' | 'updated' {
    const train = this.trainIndices();
    if (train.length === 0) return 'no-data';
    const n = this.examples;
    // One clock reading per example serves the test predictions and the layer statistics.
    const now = this.now();
    if (n % this.validationEvery === 0) this.validateOne();
    if (n > 0) this.predictTestImagesIfDue(now);

    const index = train[this.rng.int(0, train.length)];
    const label = this.data.train.labels[index];
    fillRandomCrop(this.trainInput, this.data.train, index, this.rng);
    this.layerStats.beforeStep(this.net, now);
    const stats = this.trainer.train(this.trainInput, this.targetFor(label));
    this.lastTrainIndex = index;
    this.netShowsTrainingExample = true;
    if (!Number.isFinite(stats.loss) || !Number.isFinite(stats.l2DecayLoss)) {
      this.diverged(stats.loss);
      return 'diverged';
    }
    // An update can overflow a weight while this example's loss was still finite.
    if (stats.updated && !paramsAreFinite(this.net.params)) {
      this.diverged(stats.loss);
      return 'diverged';
    }
    this.examples = n + 1;
    this.classificationLoss.add(stats.loss);
    this.l2DecayLoss.add(stats.l2DecayLoss);
    this.forwardMs.add(stats.forwardMs);
    this.backwardMs.add(stats.backwardMs);
    this.trainingAccuracy.add(this.net.getPrediction() === label ? 1 : 0);

    if (this.examples % this.lossPointEvery === 0) {
      const loss = (this.classificationLoss.average() ?? 0) + (this.l2DecayLoss.average() ?? 0);
      pushBounded(this.pendingLoss, { examples: this.examples, loss, ...this.accuracyWindows() });
    }
    if (stats.updated && this.layerStats.awaitingUpdate) this.sampleLayerStats(label);
    this.checkpoints.addLoss(stats.loss);
    if (this.examples % this.checkpointEvery === 0) this.checkpoints.endInterval(this.net.params, this.examples);
    return stats.updated ? 'updated' : 'trained';
  }

  /**
   * Training blew up (NaN or infinite loss): the weights are garbage from here on, so roll
   * them back to the last finite checkpoint, start the trainer's accumulators afresh and
   * pause with a reason a person can act on.
   */
  private diverged(loss: number): void {
    const spec = this.trainer.spec;
    // Located before the roll-back overwrites the evidence.
    const site = locateNonFinite(this.net, loss);
    const fallback = this.checkpoints.confirmed;
    this.net.params.set(fallback.params);
    this.checkpoints.restart();
    this.layerStats.dropPending();
    this.net.zeroGrads();
    this.trainer = new Trainer(this.net, spec);
    this.netShowsTrainingExample = false;
    this.lastTrainIndex = -1;
    this.running = false;
    const trigger = !Number.isFinite(loss)
      ? `The loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'}`
      : site
        ? 'A weight became non-finite'
        : 'The weight decay loss became infinite';
    const where = site ? ` Non-finite values appeared first in ${describeNonFiniteSite(site)}.` : '';
    const usesRate = TRAINER_FIELDS.find((f) => f.name === 'learning_rate')?.usedBy.includes(spec.method) ?? true;
    const advice = usesRate
      ? `Try a lower learning rate (now ${spec.learning_rate}): learning_rate ${saferLearningRate(spec.learning_rate)} or lower`
      : `Try a lower learning rate with another method, or a smaller l2_decay (method '${spec.method}' has no learning rate)`;
    this.pausedReason =
      `${trigger} after ${this.examples} examples, so the updates diverged.${where} ` +
      `${advice}, then Resume. The weights were rolled back to those at ${fallback.examples} examples.`;
  }

  private trainIndices(): Int32Array {
    const split = this.ensureSplit();
    return split ? loadedIndices(split.train, this.data.train.count) : new Int32Array(0);
  }

  private ensureSplit(): TrainValidationSplit | null {
    if (!this.split && this.data.trainTotal > 0) this.split = splitForSeed(this.data.trainTotal, this.seed);
    return this.split;
  }

  /** One held-out example, 4-crop averaged, into the validation window. */
  private validateOne(): void {
    const split = this.ensureSplit();
    if (!split) return;
    const available = loadedIndices(split.validation, this.data.train.count);
    if (available.length === 0) return;
    const index = available[this.rng.int(0, available.length)];
    predictAveragedCrops(this.net, this.evalInput, this.data.train, index, this.rng, this.outputs);
    this.netShowsTrainingExample = false;
    this.validationAccuracy.add(argmax(this.outputs) === this.data.train.labels[index] ? 1 : 0);
  }

  /**
   * The validation samples due among examples [first, first + count) (one every
   * validationEvery), as a plan for a replica: images and 4-crop offsets drawn here, so a
   * seed still reproduces the run. Null when none is due or the split is not ready.
   */
  private validationProbes(first: number, count: number): EvaluationPlan | null {
    let due = 0;
    for (let n = first; n < first + count; n++) if (n % this.validationEvery === 0) due++;
    const split = due > 0 ? this.ensureSplit() : null;
    if (!split) return null;
    const available = loadedIndices(split.validation, this.data.train.count);
    if (available.length === 0) return null;
    const images = new Int32Array(due);
    for (let k = 0; k < due; k++) images[k] = available[this.rng.int(0, available.length)];
    return planEvaluation(images, this.net.inputShape, '4crop', this.rng);
  }

  /** Validation results counted elsewhere (a replica's probes), into the moving window. */
  private addValidationCounts(correct: number, wrong: number): void {
    for (let k = 0; k < correct; k++) this.validationAccuracy.add(1);
    for (let k = 0; k < wrong; k++) this.validationAccuracy.add(0);
  }

  /** A batch of test predictions when the last one is testEveryMs old (the first right away). */
  private predictTestImagesIfDue(now: number): void {
    if (now < this.nextTestAt) return;
    const test = this.data.test;
    if (test.count === 0) return;
    this.nextTestAt = now + this.testEveryMs;
    for (let k = 0; k < this.testBatch; k++) {
      const testIndex = this.rng.int(0, test.count);
      predictAveragedCrops(this.net, this.evalInput, test, testIndex, this.rng, this.outputs);
      const label = test.labels[testIndex];
      const top3 = this.topClasses(3);
      pushBounded(this.pendingPredictions, {
        testIndex,
        pixels: imagePixels(test, testIndex).slice(),
        label,
        top3,
        correct: top3[0].label === label,
      });
    }
    this.netShowsTrainingExample = false;
  }

  /** The k most likely classes of `this.outputs`, as probabilities (softmax applied to svm/regression scores). */
  private topClasses(k: number): ClassProbability[] {
    const probabilities = this.lossType() === 'softmax' ? this.outputs : softmax(this.outputs);
    return Array.from(probabilities, (probability, label) => ({ label, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, k);
  }

  private lossType(): ResolvedLayer['type'] {
    return this.net.specs[this.net.specs.length - 1].type;
  }

  private targetFor(label: number): LossTarget {
    if (this.lossType() !== 'regression') return label;
    // Regression on MNIST: a one-hot vector, the closest thing to a class label.
    this.regressionTarget ??= new Float32Array(this.net.outputShape.depth);
    this.regressionTarget.fill(0);
    this.regressionTarget[label] = 1;
    return this.regressionTarget;
  }

  // ---------------------------------------------------------------------------
  // What the page reads

  getStats(): TrainingStats {
    return {
      examplesSeen: this.examples,
      examplesPerSecond: this.running ? this.rate.rate() : 0,
      forwardMs: this.forwardMs.average() ?? 0,
      backwardMs: this.backwardMs.average() ?? 0,
      classificationLoss: this.classificationLoss.average() ?? 0,
      l2DecayLoss: this.l2DecayLoss.average() ?? 0,
      trainingAccuracy: this.trainingAccuracy.average(),
      validationAccuracy: this.validationAccuracy.average(),
      running: this.running,
      pausedReason: this.pausedReason,
      trainingThreads: this.trainingThreads,
      sharedMemory: this.trainingThreads > 1 && this.replicaLinks.every((link) => link instanceof SharedReplicaLink),
    };
  }

  getNetworkSummary(): NetworkSummary {
    return { ...summarizeNetwork(this.net.specs, this.trainer.spec, this.definition), seed: this.seed };
  }

  /**
   * Statistics plus what accumulated since the last call (loss points, test predictions),
   * and the network summary when it changed. Drains the pending lists.
   */
  takeUpdate(): SessionUpdate {
    const update: SessionUpdate = {
      stats: this.getStats(),
      runId: this.runIdValue,
      lossPoints: this.pendingLoss,
      predictions: this.pendingPredictions,
    };
    this.pendingLoss = [];
    this.pendingPredictions = [];
    if (this.reportedNetworkVersion !== this.networkVersion) {
      update.network = this.getNetworkSummary();
      this.reportedNetworkVersion = this.networkVersion;
    }
    return update;
  }

  /**
   * Copies of the activations and gradients of the given layers (fresh arrays, safe to
   * transfer). They show the last training example, or the user's image while one is
   * being inspected. Unknown indices are skipped.
   */
  layerViews(indices: readonly number[]): LayerView[] {
    const wanted = indices.filter((i) => Number.isInteger(i) && i >= 0 && i < this.net.layers.length);
    if (wanted.length === 0) return [];
    if (this.inspected) {
      fillCenterCrop(this.evalInput, singleImageSet(this.inspected), 0);
      return this.withViewPass(this.evalInput, null, () => wanted.map((i) => this.snapshotOf(i)));
    }
    if (this.frozenExample) return this.frozenViewPass(() => wanted.map((i) => this.snapshotOf(i)));
    if (!this.netShowsTrainingExample && this.lastTrainIndex >= 0) {
      const label = this.data.train.labels[this.lastTrainIndex];
      return this.withViewPass(this.trainInput, label, () => wanted.map((i) => this.snapshotOf(i)));
    }
    return wanted.map((i) => this.snapshotOf(i));
  }

  /**
   * Forward and backward of one example for the views only. The weight gradients summed
   * for the running mini-batch are saved and put back, so looking never changes training.
   * A replayed training example (label given) adds its gradients to the batch sum, as the
   * views showed it after training; a user image (label null: backpropagate its predicted
   * class) starts from zero, so the views show that image's own weight gradients.
   */
  private withViewPass<T>(input: Volume, label: number | null, read: () => T): T {
    const saved = this.net.grads.slice();
    try {
      if (label === null) this.net.zeroGrads();
      this.net.forward(input, false);
      this.net.backward(this.targetFor(label ?? this.net.getPrediction()));
      return read();
    } finally {
      this.net.grads.set(saved);
      this.netShowsTrainingExample = label !== null;
    }
  }

  private snapshotOf(index: number): LayerView {
    const layer = this.net.layers[index];
    const act = layer.outAct;
    const hasWeights = layer.spec.type === 'conv' || layer.spec.type === 'fc';
    const filters = hasWeights ? layer.params.find((p) => p.kind === 'filters') : undefined;
    return {
      index,
      activations: act.w.slice(),
      activationGrads: act.dw.slice(),
      activationRange: range(act.w),
      gradientRange: range(act.dw),
      weights: filters ? filters.w.slice() : null,
      weightGrads: filters ? filters.dw.slice() : null,
    };
  }

  // ---------------------------------------------------------------------------
  // Changes a person makes; each is checked first and a rejection changes nothing

  /** Live trainer change: only the given fields, validated against the spec in force. */
  setTrainer(changes: Partial<TrainerSpec>): ActionResult {
    let spec: TrainerSpec;
    try {
      spec = resolveTrainer(changes, this.trainer.spec);
      this.trainer.setSpec(spec);
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
    // The text in force (the editor, the page URL) must rebuild this trainer, not the one it was written with.
    this.definition = definitionWithTrainer(this.definition, this.net.specs, spec);
    this.networkVersion++;
    return { ok: true };
  }

  /** A new network and trainer from definition text; statistics and chart start over. */
  setNetwork(text: string): ActionResult {
    let layers: ResolvedLayer[];
    let trainer: TrainerSpec;
    try {
      ({ layers, trainer } = parseNetwork(text));
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
    const problem = mnistProblem(layers);
    if (problem) return { ok: false, error: problem };
    const rngState = this.rng.getState();
    let net: Net;
    try {
      net = new Net(layers, this.rng);
    } catch (error) {
      this.rng.setState(rngState);
      return { ok: false, error: messageOf(error) };
    }
    this.installNet(net, trainer, text);
    return { ok: true };
  }

  /**
   * Everything needed to go on with this run later (see SessionCheckpoint): fresh copies,
   * safe to transfer. Resolves at once, or, while a mini-batch is out with the replicas,
   * as soon as it is done (a copy taken mid-batch would mix two states).
   */
  exportCheckpoint(): Promise<SessionCheckpoint> {
    if (!this.batchInFlight) return Promise.resolve(this.checkpointNow());
    return new Promise((resolve) => this.checkpointWaiters.push(resolve));
  }

  private answerCheckpointWaiters(): void {
    if (this.checkpointWaiters.length === 0 || this.batchInFlight) return;
    for (const resolve of this.checkpointWaiters.splice(0)) resolve(this.checkpointNow());
  }

  private checkpointNow(): SessionCheckpoint {
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      seed: this.seed,
      definitionText: this.definition,
      trainer: this.trainer.spec,
      params: this.net.params.slice(),
      trainerState: this.trainer.getState(),
      examples: this.examples,
      // The generator's words may be signed after its XORs; stored as unsigned, as it reads them.
      rng: this.rng.getState().map((word) => word >>> 0) as SessionCheckpoint['rng'],
      windows: {
        classificationLoss: this.classificationLoss.getState(),
        l2DecayLoss: this.l2DecayLoss.getState(),
        forwardMs: this.forwardMs.getState(),
        backwardMs: this.backwardMs.getState(),
        trainingAccuracy: this.trainingAccuracy.getState(),
        validationAccuracy: this.validationAccuracy.getState(),
      },
    };
  }

  /**
   * Constructor only: puts a checkpoint's run in place of the fresh one just built from its
   * definition, whose shape the constructor checked. Checks the fit (parameter count, trainer
   * settings and state) first; throws a sentence naming what does not fit.
   */
  private restoreCheckpoint(checkpoint: SessionCheckpoint): void {
    const refuse = (why: string) => new Error(`The saved run cannot be restored: ${why}.`);
    if (checkpoint.params.length !== this.net.params.length) {
      throw refuse(`it holds ${checkpoint.params.length} weights, but its network has ${this.net.params.length}`);
    }
    try {
      this.trainer = new Trainer(this.net, resolveTrainer(checkpoint.trainer));
      this.trainer.setState(checkpoint.trainerState);
      this.classificationLoss.setState(checkpoint.windows.classificationLoss);
      this.l2DecayLoss.setState(checkpoint.windows.l2DecayLoss);
      this.forwardMs.setState(checkpoint.windows.forwardMs);
      this.backwardMs.setState(checkpoint.windows.backwardMs);
      this.trainingAccuracy.setState(checkpoint.windows.trainingAccuracy);
      this.validationAccuracy.setState(checkpoint.windows.validationAccuracy);
    } catch (error) {
      throw refuse(messageOf(error));
    }
    this.net.params.set(checkpoint.params);
    this.rng.setState(checkpoint.rng);
    this.examples = checkpoint.examples;
    this.checkpoints = new Checkpoints(this.net.params, this.examples);
    // The first test predictions fall due one period from now rather than at once: they draw
    // from the same generator, so this keeps the stream where an uninterrupted run has it
    // whenever the clock does not move (tests); with a real clock they come when time says.
    this.nextTestAt = this.now() + this.testEveryMs;
  }

  /** ConvNetJS-format JSON text of the current network. */
  saveSnapshot(): string {
    return JSON.stringify(netToJSON(this.net));
  }

  /** Replaces the network with a ConvNetJS-format snapshot; the trainer settings stay. */
  loadSnapshot(jsonText: string): ActionResult {
    // Refused before JSON.parse, so a huge paste or file cannot exhaust memory.
    if (jsonText.length > LIMITS.maxSnapshotChars) {
      const mb = Math.round(jsonText.length / 1e6);
      return {
        ok: false,
        error: `The snapshot is about ${mb} MB, over the limit of ${LIMITS.maxSnapshotChars / 1e6} MB.`,
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(jsonText);
    } catch (error) {
      return { ok: false, error: `The snapshot is not valid JSON: ${messageOf(error)}` };
    }
    const rngState = this.rng.getState();
    let net: Net;
    try {
      net = netFromJSON(json, this.rng);
    } catch (error) {
      this.rng.setState(rngState);
      return { ok: false, error: `The snapshot cannot be loaded: ${messageOf(error)}` };
    }
    const problem = mnistProblem(net.specs);
    if (problem) {
      this.rng.setState(rngState);
      return { ok: false, error: `The snapshot cannot be used here: ${problem}` };
    }
    const spec = this.trainer.spec;
    this.installNet(net, spec, definitionText(net.specs, spec));
    return { ok: true };
  }

  /**
   * Classifies a 28x28 MNIST-style image (0..255, light digit on dark) with the 4-crop
   * average, and shows it in the layer views until clearInspectedImage.
   */
  classifyImage(pixels: Uint8Array): ClassifyResult {
    if (!(pixels instanceof Uint8Array) || pixels.length !== MNIST_PIXELS) {
      return { ok: false, error: `An image must be 28x28 = ${MNIST_PIXELS} grayscale pixels, got ${pixels?.length ?? 0}.` };
    }
    const image = pixels.slice();
    predictAveragedCrops(this.net, this.evalInput, singleImageSet(image), 0, this.rng, this.outputs);
    this.netShowsTrainingExample = false;
    this.inspected = image;
    return { ok: true, top3: this.topClasses(3) };
  }

  clearInspectedImage(): void {
    this.inspected = null;
  }

  // ---------------------------------------------------------------------------
  // Evaluation of the whole test set

  get isEvaluating(): boolean {
    return this.evaluation !== null;
  }

  /**
   * Evaluates a frozen copy of the current weights on every loaded test image, 4-crop and
   * center, in the background: training goes on (sharing each slice) or stays paused.
   * Resolves when done, cancelled or refused; onProgress hears about it ~10 times a second.
   */
  evaluateTestSet(onProgress?: (progress: EvaluationProgress) => void): Promise<EvaluationOutcome> {
    if (this.evaluation) {
      return Promise.resolve({ ok: false, cancelled: false, error: 'The test set is already being evaluated.' });
    }
    const test = this.data.test;
    if (test.count === 0) {
      return Promise.resolve({ ok: false, cancelled: false, error: 'The test set is not loaded yet; try again in a moment.' });
    }
    // A copy, so the result describes one set of weights while training changes the live net.
    const frozen = new Net(this.net.specs, new Rng(0));
    frozen.params.set(this.net.params);
    const evaluator = new TestSetEvaluator(frozen, test, new Rng(evaluationRngSeed(this.seed)), {
      runId: this.runIdValue,
      examplesSeen: this.examples,
      outputsAreProbabilities: this.lossType() === 'softmax',
    });
    return new Promise((resolve) => {
      this.evaluation = { evaluator, onProgress, progressAt: -Infinity, resolve };
      onProgress?.({ done: 0, total: evaluator.total });
      this.scheduleSlice();
    });
  }

  /** Stops the evaluation in progress (its promise resolves as cancelled); false when none ran. */
  cancelEvaluation(): boolean {
    const job = this.evaluation;
    if (!job) return false;
    this.evaluation = null;
    job.resolve({ ok: false, cancelled: true, error: 'The evaluation was cancelled.' });
    return true;
  }

  private evaluationSlice(budgetMs: number): void {
    const job = this.evaluation!;
    const end = this.now() + budgetMs;
    job.evaluator.runUntil(() => this.now() >= end);
    const now = this.now();
    const finished = job.evaluator.finished;
    if (finished || now - job.progressAt >= EVALUATION_PROGRESS_MS) {
      job.progressAt = now;
      job.onProgress?.({ done: job.evaluator.done, total: job.evaluator.total });
    }
    if (finished) {
      this.evaluation = null;
      job.resolve({ ok: true, evaluation: job.evaluator.result() });
    }
  }

  /**
   * Raw pixels (0..255) of the given test images, 784 per image, concatenated in the
   * order asked: what the page shows of an evaluation. At most MAX_TEST_IMAGES at once.
   */
  testImages(indices: readonly number[]): Uint8Array {
    const test = this.data.test;
    const wanted = indices.slice(0, MAX_TEST_IMAGES);
    const out = new Uint8Array(wanted.length * MNIST_PIXELS);
    wanted.forEach((index, k) => {
      if (!(Number.isInteger(index) && index >= 0 && index < test.count)) {
        throw new RangeError(`test image ${index} is not loaded (${test.count} test images are)`);
      }
      out.set(imagePixels(test, index), k * MNIST_PIXELS);
    });
    return out;
  }

  // ---------------------------------------------------------------------------
  // The layer inspector

  /** Per-layer weight norm, gradient norm and update ratio over the run, oldest first. */
  layerTrainingHistory(): LayerStatsPoint[] {
    return this.layerStats.points.slice();
  }

  /**
   * Pins the last training example for the layer views (true) or lets them follow
   * training again (false). While pinned, the views show that example through the
   * current weights, with its own gradients; training itself is not affected.
   * Returns whether an example is pinned (none can be before the first training example).
   */
  freezeExample(frozen: boolean): boolean {
    if (!frozen || this.lastTrainIndex < 0) {
      this.frozenExample = null;
      return false;
    }
    const input = createInputVolume(this.net.inputShape);
    input.w.set(this.trainInput.w);
    this.frozenExample = { input, label: this.data.train.labels[this.lastTrainIndex] };
    return true;
  }

  /** Forward and backward of the pinned example alone; the batch's summed gradients are put back. */
  private frozenViewPass<T>(read: () => T): T {
    const { input, label } = this.frozenExample!;
    const saved = this.net.grads.slice();
    try {
      this.net.zeroGrads();
      this.net.forward(input, false);
      this.net.backward(this.targetFor(label));
      return read();
    } finally {
      this.net.grads.set(saved);
      this.netShowsTrainingExample = false;
    }
  }

  /**
   * Right after an update: weight norms and update ratios against the copy taken before
   * it, and gradient norms from a backward pass of the example just trained (alone, with
   * the gradients of the next batch, all zero now, put back afterwards).
   */
  private sampleLayerStats(label: number): void {
    const saved = this.net.grads.slice();
    this.net.zeroGrads();
    this.net.forward(this.trainInput, false);
    this.net.backward(this.targetFor(label));
    this.layerStats.afterUpdate(this.net, this.examples);
    this.net.grads.set(saved);
    this.netShowsTrainingExample = false;
  }

  private installNet(net: Net, trainer: TrainerSpec, text: string): void {
    this.net = net;
    this.trainer = new Trainer(net, trainer);
    this.definition = text;
    this.trainInput = createInputVolume(net.inputShape);
    this.evalInput = createInputVolume(net.inputShape);
    this.outputs = new Float32Array(net.outputShape.depth);
    this.regressionTarget = null;
    this.lastTrainIndex = -1;
    this.netShowsTrainingExample = false;
    this.checkpoints = new Checkpoints(net.params);
    this.layerStats.clear();
    this.frozenExample = null;
    this.resetStatistics();
    this.pausedReason = null;
    this.runIdValue++;
    this.networkVersion++;
  }

  private resetStatistics(): void {
    this.examples = 0;
    for (const w of [
      this.classificationLoss,
      this.l2DecayLoss,
      this.forwardMs,
      this.backwardMs,
      this.trainingAccuracy,
      this.validationAccuracy,
    ]) {
      w.clear();
    }
    this.rate.clear();
    this.pendingLoss = [];
    this.pendingPredictions = [];
    this.nextTestAt = -Infinity;
  }
}

/**
 * Why a network cannot train on MNIST, or null: the input must be fillable from 28x28
 * grayscale images and the output must have one score per digit.
 */
export function mnistProblem(layers: readonly ResolvedLayer[]): string | null {
  const first = layers[0];
  const last = layers[layers.length - 1];
  try {
    cropGeometry(first.out);
  } catch (error) {
    return capitalize(messageOf(error));
  }
  const outputs = last.out.sx * last.out.sy * last.out.depth;
  if (outputs !== MNIST_CLASSES) {
    const field = last.type === 'regression' ? 'num_neurons' : 'num_classes';
    return `The last layer (${last.type}) has ${outputs} outputs, but MNIST has ${MNIST_CLASSES} digit classes; use ${field}:${MNIST_CLASSES}.`;
  }
  return null;
}

function singleImageSet(pixels: Uint8Array): MnistSet {
  return { count: 1, images: pixels, labels: new Uint8Array(1) };
}

function softmax(scores: Float32Array): Float32Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const out = new Float32Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    out[i] = Math.exp(scores[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

function range(values: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length === 0 ? { min: 0, max: 0 } : { min, max };
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function pushBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_PENDING) list.splice(0, list.length - MAX_PENDING);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Yields to the event loop between slices. setTimeout(0) would be clamped to 4 ms after a
 * few nested calls (a quarter of each 15 ms slice lost); a MessageChannel message is not.
 * Node has setImmediate, which does the same without keeping a port open.
 */
function defaultScheduler(): (task: () => void) => void {
  const g = globalThis as { setImmediate?: (task: () => void) => void };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return (task) => setImmediate(task);
  }
  if (typeof MessageChannel !== 'undefined') {
    const channel = new MessageChannel();
    let pending: (() => void) | null = null;
    channel.port1.onmessage = () => {
      const task = pending;
      pending = null;
      task?.();
    };
    return (task) => {
      pending = task;
      channel.port2.postMessage(null);
    };
  }
  return (task) => setTimeout(task, 0);
}
