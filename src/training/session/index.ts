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
 *   test-set-evaluation, run-checkpoint, network-source; parts.ts wires them together
 * Every change is checked before it touches anything: a rejected trainer change, network
 * or snapshot leaves the session exactly as it was.
 */
import { errorMessage } from '../../engine/error-message';
import { Net } from '../../engine/net';
import { SEED_DEFINITION_TEXT } from '../../engine/parse';
import { Rng } from '../../engine/rng';
import { netToJSON } from '../../engine/snapshot';
import { resolveTrainer, type TrainerSpec } from '../../engine/spec';
import { checkpointProblem, type SessionCheckpoint } from '../checkpoint';
import { definitionText, definitionWithTrainer } from '../../engine/definition-text';
import type { EvaluationOutcome, EvaluationProgress } from '../evaluation';
import type { ActionResult, ClassifyResult, OnnxExport, LayerStatsPoint, LayerView, NetworkSummary, SessionUpdate, TrainingStats } from '../protocol';
import { summarizeNetwork } from '../summary';
import { datasetIdentity } from '../../data/dataset';
import { datasetProblem, mnistProblem, SessionModel, type SessionData, type SessionDataset } from './model';
import { networkFromDefinition, networkFromSnapshot, sameNetwork } from './network-source';
import type { SessionOptions } from './options';
import { SessionParts } from './parts';
import { cannotRestore, checkpointOf } from './run-checkpoint';
import { onnxOf, snapshotTextFromOnnx } from './onnx-exchange';
import { testImagePixels } from './test-set-evaluation';

export { datasetProblem, mnistProblem, type SessionData, type SessionDataset, type SessionOptions };

/** Seeds are uint32 (the PRNG's state); the page's seed field and URL check the same range. */
const MAX_SEED = 2 ** 32 - 1;

export class TrainingSession {
  private readonly model: SessionModel;
  private readonly parts: SessionParts;
  private runIdValue = 1;
  /** Whether a push has told the page which dataset this session trains on. */
  private datasetReported = false;
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
    const built = networkFromDefinition(text, rng, data.dataset);
    if (!built.ok) throw new Error(built.error);
    this.model = new SessionModel(data, seed, rng, built.net, built.trainer, text);
    this.parts = new SessionParts(this.model, options);
    if (checkpoint) this.parts.restore(checkpoint);
  }

  // ---------------------------------------------------------------------------
  // Running

  get isRunning(): boolean {
    return this.parts.loop.running;
  }

  get examplesSeen(): number {
    return this.parts.stats.examples;
  }

  get runId(): number {
    return this.runIdValue;
  }

  get runSeed(): number {
    return this.model.seed;
  }

  /** Threads sharing each mini-batch right now: 1 + the replicas that joined. */
  get trainingThreads(): number {
    return this.parts.parallel.threads;
  }

  /** Why the replicas were dropped, or null while none failed. */
  get replicaFailure(): string | null {
    return this.parts.parallel.replicaFailure;
  }

  /** Starts (or continues) training in slices until paused. */
  resume(): void {
    this.parts.loop.resume();
  }

  pause(): void {
    this.parts.loop.pause();
  }

  /**
   * Pauses and trains until the weights change once: the rest of the current mini-batch,
   * at most batch_size examples. Returns the number of examples trained.
   */
  step(): number {
    this.pause();
    return this.parts.loop.trainNow(this.model.trainer.spec.batch_size, true);
  }

  /** Trains `count` examples now, synchronously (tests, the CLI-style use). Stops early on divergence. */
  trainExamples(count: number): number {
    return this.parts.loop.trainNow(count, false);
  }

  /** Tells the session the data grew (more chunks in); resumes a loop that was waiting for it. */
  notifyDataChanged(): void {
    if (this.parts.loop.running) this.parts.loop.scheduleSlice();
  }

  /** Stops the loop for good. */
  dispose(): void {
    this.parts.loop.pause();
    this.cancelEvaluation();
    this.parts.parallel.close();
  }

  // ---------------------------------------------------------------------------
  // What the page reads

  getStats(): TrainingStats {
    return this.parts.trainingStats();
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
    const update: SessionUpdate = { stats: this.getStats(), runId: this.runIdValue, ...this.parts.stats.takePending() };
    if (this.reportedNetworkVersion !== this.networkVersion) {
      update.network = this.getNetworkSummary();
      this.reportedNetworkVersion = this.networkVersion;
    }
    if (!this.datasetReported) {
      update.dataset = datasetIdentity(this.model.dataset);
      this.datasetReported = true;
    }
    return update;
  }

  /**
   * Copies of the activations and gradients of the given layers (fresh arrays, safe to
   * transfer). They show the last training example, the pinned one, or the user's image
   * while one is being inspected. Unknown indices are skipped.
   */
  layerViews(indices: readonly number[]): LayerView[] {
    return this.parts.probe.layerViews(indices);
  }

  /** Per-layer weight norm, gradient norm and update ratio over the run, oldest first. */
  layerTrainingHistory(): LayerStatsPoint[] {
    return this.parts.layerStats.points.slice();
  }

  /**
   * Pins the last training example for the layer views (true) or lets them follow
   * training again (false). While pinned, the views show that example through the
   * current weights, with its own gradients; training itself is not affected.
   * Returns whether an example is pinned (none can be before the first training example).
   */
  freezeExample(frozen: boolean): boolean {
    return this.parts.probe.freeze(frozen);
  }

  /**
   * Classifies a 28x28 MNIST-style image (0..255, light digit on dark) with the 4-crop
   * average, and shows it in the layer views until clearInspectedImage.
   */
  classifyImage(pixels: Uint8Array): ClassifyResult {
    return this.parts.predictions.classifyImage(pixels);
  }

  clearInspectedImage(): void {
    this.parts.probe.inspect(null);
  }

  /**
   * Raw pixels (0..255) of the given test images, 784 per image, concatenated in the
   * order asked: what the page shows of an evaluation. At most a gallery's worth at once.
   */
  testImages(indices: readonly number[]): Uint8Array {
    return testImagePixels(this.model.data.test, this.model.dataset, indices);
  }

  // ---------------------------------------------------------------------------
  // Evaluation of the whole test set

  get isEvaluating(): boolean {
    return this.parts.evaluation.running;
  }

  /**
   * Evaluates a frozen copy of the current weights on every loaded test image, 4-crop and
   * center, in the background: with training workers, on all of them while training waits
   * (the run stays running; the training clock stops); on one thread, sharing each slice
   * with training. A paused run stays paused.
   * Resolves when done, cancelled or refused; onProgress hears about it ~10 times a second.
   */
  evaluateTestSet(onProgress?: (progress: EvaluationProgress) => void): Promise<EvaluationOutcome> {
    const outcome = this.parts.evaluation.start({ runId: this.runIdValue, examplesSeen: this.parts.stats.examples }, onProgress);
    this.parts.loop.scheduleSlice();
    return outcome;
  }

  /** Stops the evaluation in progress (its promise resolves as cancelled); false when none ran. */
  cancelEvaluation(): boolean {
    return this.parts.evaluation.cancel();
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
    const built = networkFromDefinition(text, this.model.rng, this.model.dataset);
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
    const built = networkFromSnapshot(jsonText, this.model.rng, this.model.dataset);
    if (!built.ok) return built;
    const spec = this.model.trainer.spec;
    const text = sameNetwork(this.model.net.specs, built.net.specs) ? this.model.definition : definitionText(built.net.specs, spec);
    this.installNet(built.net, spec, text);
    return { ok: true };
  }

  /** The network in force as an ONNX model, or why it cannot be written. */
  saveOnnx(): OnnxExport {
    return onnxOf(this.model.net, this.model.definition);
  }

  /** Replaces the network with an ONNX model's, through the snapshot path; the trainer settings stay. */
  loadOnnx(bytes: Uint8Array): ActionResult {
    const converted = snapshotTextFromOnnx(bytes);
    return converted.ok ? this.loadSnapshot(converted.text) : converted;
  }

  /**
   * Everything needed to go on with this run later (see SessionCheckpoint): fresh copies,
   * safe to transfer. Resolves at once, or, while a mini-batch is out with the replicas,
   * as soon as it is done (a copy taken mid-batch would mix two states).
   */
  exportCheckpoint(): Promise<SessionCheckpoint> {
    return new Promise((resolve) => this.parts.parallel.whenIdle(() => resolve(checkpointOf(this.model, this.parts.stats))));
  }

  private installNet(net: Net, trainer: TrainerSpec, text: string): void {
    this.model.install(net, trainer, text);
    this.parts.startOver();
    this.runIdValue++;
    this.networkVersion++;
  }
}
