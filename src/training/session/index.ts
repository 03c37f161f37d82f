/**
 * A training session: the MNIST data, the network and its trainer, and everything the
 * dashboard asks of them. A plain class with no DOM and no worker API, so the same code
 * runs in the worker and in Node tests.
 *
 * This is a facade: it keeps the network, trainer and definition (SessionModel) and the
 * changes a person makes, and hands the rest to parts with one job each:
 *   run-loop          resume, pause, slices on the shared yield scheduler
 *   example-training  one example on this thread, and the bookkeeping every path shares
 *   parallel-step     mini-batches shared with replica workers
 *   run-statistics    windows, chart points, pending test predictions
 *   divergence-guard  rollback points and the message when training diverges
 *   layer-probe       what the net shows: layer views, a pinned example, an inspected image
 *   predictions       validation, test predictions, classifying a person's image
 *   test-set-evaluation, run-checkpoint, network-source
 * Every change is checked before it touches anything: a rejected trainer change, network
 * or snapshot leaves the session exactly as it was.
 */
import { imagePixels, MNIST_PIXELS } from '../../data/mnist';
import { errorMessage } from '../../engine/error-message';
import { Net } from '../../engine/net';
import { SEED_DEFINITION_TEXT } from '../../engine/parse';
import { Rng } from '../../engine/rng';
import { netToJSON } from '../../engine/snapshot';
import { resolveTrainer, type TrainerSpec } from '../../engine/spec';
import type { ReplicaLink } from '../../parallel/protocol';
import { createYieldScheduler, type Scheduler } from '../../parallel/yield-scheduler';
import { checkpointProblem, type SessionCheckpoint } from '../checkpoint';
import { definitionText, definitionWithTrainer } from '../definition-text';
import type { EvaluationOutcome, EvaluationProgress } from '../evaluation';
import type { ActionResult, ClassifyResult, LayerStatsPoint, LayerView, NetworkSummary, SessionUpdate, TrainingStats } from '../protocol';
import { summarizeNetwork } from '../summary';
import { DivergenceGuard } from './divergence-guard';
import { ExampleTraining, type TrainingParts } from './example-training';
import { LayerProbe } from './layer-probe';
import { LayerStatsSampler } from './layer-stats-sampler';
import { mnistProblem, SessionModel, type SessionData } from './model';
import { networkFromDefinition, networkFromSnapshot } from './network-source';
import { ParallelStep } from './parallel-step';
import { Predictions } from './predictions';
import { cannotRestore, checkpointOf, restoreRun } from './run-checkpoint';
import { RunLoop } from './run-loop';
import { RunStatistics } from './run-statistics';
import { TestSetEvaluation } from './test-set-evaluation';

export { mnistProblem, type SessionData };

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
  /** A rollback point (a copy of the weights to go back to if training diverges) every n examples. */
  checkpointEvery?: number;
  /** How the loop yields; default the shared yield scheduler (setImmediate in Node, a MessageChannel elsewhere). */
  schedule?: Scheduler;
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

/** Seeds are uint32 (the PRNG's state); the page's seed field and URL check the same range. */
const MAX_SEED = 2 ** 32 - 1;
/** Test images the page may fetch at once (a gallery's worth). */
const MAX_TEST_IMAGES = 200;

export class TrainingSession {
  private readonly model: SessionModel;
  private readonly stats: RunStatistics;
  private readonly guard: DivergenceGuard;
  private readonly layerStats: LayerStatsSampler;
  private readonly probe: LayerProbe;
  private readonly predictions: Predictions;
  private readonly training: ExampleTraining;
  private readonly parallel: ParallelStep;
  private readonly evaluation: TestSetEvaluation;
  private readonly loop: RunLoop;
  private runIdValue = 1;
  private networkVersion = 1;
  private reportedNetworkVersion = 0;

  constructor(data: SessionData, options: SessionOptions = {}) {
    const { checkpoint } = options;
    // A checkpoint's shape is checked before anything is built from it.
    const checkpointIssue = checkpoint ? checkpointProblem(checkpoint) : null;
    if (checkpointIssue) throw cannotRestore(checkpointIssue);
    const seed = checkpoint?.seed ?? options.seed ?? 1;
    const rng = new Rng(seed);
    const text = checkpoint?.definitionText ?? options.definitionText ?? SEED_DEFINITION_TEXT;
    const built = networkFromDefinition(text, rng);
    if (!built.ok) throw new Error(built.error);
    const model = new SessionModel(data, seed, rng, built.net, built.trainer, text);
    const now = options.now ?? (() => performance.now());
    this.model = model;
    this.stats = new RunStatistics(options.lossPointEvery ?? 200);
    this.guard = new DivergenceGuard(options.checkpointEvery ?? 1000, model.net.params);
    this.layerStats = new LayerStatsSampler(options.layerStatsEveryMs ?? 1000);
    this.probe = new LayerProbe(model, this.layerStats);
    this.predictions = new Predictions(model, this.stats, this.probe, {
      validationEvery: options.validationEvery ?? 10,
      testEveryMs: options.testEveryMs ?? 500,
      testBatch: options.testBatch ?? 4,
    });
    const parts: TrainingParts = {
      model,
      stats: this.stats,
      guard: this.guard,
      probe: this.probe,
      predictions: this.predictions,
      layerStats: this.layerStats,
      now,
      pause: (reason) => this.loop.pause(reason),
    };
    this.training = new ExampleTraining(parts);
    this.parallel = new ParallelStep(options.replicas ?? [], parts, this.training);
    this.evaluation = new TestSetEvaluation(model, now);
    this.loop = new RunLoop({
      schedule: options.schedule ?? createYieldScheduler(),
      now,
      sliceMs: options.sliceMs ?? 15,
      training: this.training,
      parallel: this.parallel,
      evaluation: this.evaluation,
      stats: this.stats,
      onSlice: options.onSlice,
    });
    if (checkpoint) {
      restoreRun(checkpoint, model, this.stats);
      this.guard.restart(model.net.params, this.stats.examples);
      this.predictions.delayTestPredictions(now());
    }
  }

  // ---------------------------------------------------------------------------
  // Running

  get isRunning(): boolean {
    return this.loop.running;
  }

  get examplesSeen(): number {
    return this.stats.examples;
  }

  get runId(): number {
    return this.runIdValue;
  }

  get runSeed(): number {
    return this.model.seed;
  }

  /** Threads sharing each mini-batch right now: 1 + the replicas that joined. */
  get trainingThreads(): number {
    return this.parallel.threads;
  }

  /** Why the replicas were dropped, or null while none failed. */
  get replicaFailure(): string | null {
    return this.parallel.replicaFailure;
  }

  /** Starts (or continues) training in slices until paused. */
  resume(): void {
    this.loop.resume();
  }

  pause(): void {
    this.loop.pause();
  }

  /**
   * Pauses and trains until the weights change once: the rest of the current mini-batch,
   * at most batch_size examples. Returns the number of examples trained.
   */
  step(): number {
    this.pause();
    return this.trainSynchronously(this.model.trainer.spec.batch_size, true);
  }

  /** Trains `count` examples now, synchronously (tests, the CLI-style use). Stops early on divergence. */
  trainExamples(count: number): number {
    return this.trainSynchronously(count, false);
  }

  private trainSynchronously(limit: number, untilUpdate: boolean): number {
    // A mini-batch still out with the replicas ends this very moment; training now would split it.
    if (this.parallel.batchInFlight) return 0;
    let trained = 0;
    while (trained < limit) {
      const result = this.training.trainOne();
      if (result === 'no-data' || result === 'diverged') break;
      trained++;
      if (untilUpdate && result === 'updated') break;
    }
    return trained;
  }

  /** Tells the session the data grew (more chunks in); resumes a loop that was waiting for it. */
  notifyDataChanged(): void {
    if (this.loop.running) this.loop.scheduleSlice();
  }

  /** Stops the loop for good. */
  dispose(): void {
    this.loop.pause();
    this.cancelEvaluation();
    this.parallel.close();
  }

  // ---------------------------------------------------------------------------
  // What the page reads

  getStats(): TrainingStats {
    const { stats, loop } = this;
    return {
      examplesSeen: stats.examples,
      examplesPerSecond: loop.running ? stats.rate.rate() : 0,
      forwardMs: stats.forwardMs.average() ?? 0,
      backwardMs: stats.backwardMs.average() ?? 0,
      classificationLoss: stats.classificationLoss.average() ?? 0,
      l2DecayLoss: stats.l2DecayLoss.average() ?? 0,
      trainingAccuracy: stats.trainingAccuracy.average(),
      validationAccuracy: stats.validationAccuracy.average(),
      running: loop.running,
      pausedReason: loop.pausedReason,
      trainingThreads: this.parallel.threads,
      sharedMemory: this.parallel.sharedMemory,
    };
  }

  getNetworkSummary(): NetworkSummary {
    const { net, trainer, definition, seed } = this.model;
    return { ...summarizeNetwork(net.specs, trainer.spec, definition), seed };
  }

  /**
   * Statistics plus what accumulated since the last call (loss points, test predictions),
   * and the network summary when it changed. Drains the pending lists.
   */
  takeUpdate(): SessionUpdate {
    const update: SessionUpdate = { stats: this.getStats(), runId: this.runIdValue, ...this.stats.takePending() };
    if (this.reportedNetworkVersion !== this.networkVersion) {
      update.network = this.getNetworkSummary();
      this.reportedNetworkVersion = this.networkVersion;
    }
    return update;
  }

  /**
   * Copies of the activations and gradients of the given layers (fresh arrays, safe to
   * transfer). They show the last training example, the pinned one, or the user's image
   * while one is being inspected. Unknown indices are skipped.
   */
  layerViews(indices: readonly number[]): LayerView[] {
    return this.probe.layerViews(indices);
  }

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
    return this.probe.freeze(frozen);
  }

  /**
   * Classifies a 28x28 MNIST-style image (0..255, light digit on dark) with the 4-crop
   * average, and shows it in the layer views until clearInspectedImage.
   */
  classifyImage(pixels: Uint8Array): ClassifyResult {
    return this.predictions.classifyImage(pixels);
  }

  clearInspectedImage(): void {
    this.probe.inspect(null);
  }

  /**
   * Raw pixels (0..255) of the given test images, 784 per image, concatenated in the
   * order asked: what the page shows of an evaluation. At most MAX_TEST_IMAGES at once.
   */
  testImages(indices: readonly number[]): Uint8Array {
    const test = this.model.data.test;
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
  // Evaluation of the whole test set

  get isEvaluating(): boolean {
    return this.evaluation.running;
  }

  /**
   * Evaluates a frozen copy of the current weights on every loaded test image, 4-crop and
   * center, in the background: training goes on (sharing each slice) or stays paused.
   * Resolves when done, cancelled or refused; onProgress hears about it ~10 times a second.
   */
  evaluateTestSet(onProgress?: (progress: EvaluationProgress) => void): Promise<EvaluationOutcome> {
    const outcome = this.evaluation.start({ runId: this.runIdValue, examplesSeen: this.stats.examples }, onProgress);
    this.loop.scheduleSlice();
    return outcome;
  }

  /** Stops the evaluation in progress (its promise resolves as cancelled); false when none ran. */
  cancelEvaluation(): boolean {
    return this.evaluation.cancel();
  }

  // ---------------------------------------------------------------------------
  // Changes a person makes; each is checked first and a rejection changes nothing

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
    const { model } = this;
    model.reseed(seed, new Rng(seed));
    // The replicas (two workers) rebuild with this seed's dropout streams on the next batch.
    this.installNet(new Net(model.net.specs, model.rng), model.trainer.spec, model.definition);
    return { ok: true };
  }

  /** Fresh weights for the same network and trainer; statistics start over. Keeps running or paused. */
  reset(): void {
    const { model } = this;
    this.installNet(new Net(model.net.specs, model.rng), model.trainer.spec, model.definition);
  }

  /** Live trainer change: only the given fields, validated against the spec in force. */
  setTrainer(changes: Partial<TrainerSpec>): ActionResult {
    const { model } = this;
    let spec: TrainerSpec;
    try {
      spec = resolveTrainer(changes, model.trainer.spec);
      model.trainer.setSpec(spec);
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
    // The text in force (the editor, the page URL) must rebuild this trainer, not the one it was written with.
    model.definition = definitionWithTrainer(model.definition, model.net.specs, spec);
    this.networkVersion++;
    return { ok: true };
  }

  /** A new network and trainer from definition text; statistics and chart start over. */
  setNetwork(text: string): ActionResult {
    const built = networkFromDefinition(text, this.model.rng);
    if (!built.ok) return built;
    this.installNet(built.net, built.trainer, text);
    return { ok: true };
  }

  /** ConvNetJS-format JSON text of the current network. */
  saveSnapshot(): string {
    return JSON.stringify(netToJSON(this.model.net));
  }

  /** Replaces the network with a ConvNetJS-format snapshot; the trainer settings stay. */
  loadSnapshot(jsonText: string): ActionResult {
    const built = networkFromSnapshot(jsonText, this.model.rng);
    if (!built.ok) return built;
    const spec = this.model.trainer.spec;
    this.installNet(built.net, spec, definitionText(built.net.specs, spec));
    return { ok: true };
  }

  /**
   * Everything needed to go on with this run later (see SessionCheckpoint): fresh copies,
   * safe to transfer. Resolves at once, or, while a mini-batch is out with the replicas,
   * as soon as it is done (a copy taken mid-batch would mix two states).
   */
  exportCheckpoint(): Promise<SessionCheckpoint> {
    return new Promise((resolve) => this.parallel.whenIdle(() => resolve(checkpointOf(this.model, this.stats))));
  }

  private installNet(net: Net, trainer: TrainerSpec, text: string): void {
    this.model.install(net, trainer, text);
    this.guard.restart(net.params);
    this.layerStats.clear();
    this.probe.reset();
    this.predictions.reset();
    this.stats.clear();
    this.loop.pausedReason = null;
    this.runIdValue++;
    this.networkVersion++;
  }
}
