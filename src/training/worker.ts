/**
 * The training worker: loads MNIST (streamed chunks) and runs a TrainingSession, exposed
 * to the page with Comlink. The only file that knows it runs in a worker.
 *
 * It implements TrainingApi (src/training/protocol.ts) under the same names the page
 * calls. Pushes go to the page through TrainingEvents (Comlink proxy callbacks): session
 * updates at most ~10 a second (and right after every action), data-loading progress,
 * and faults. Layer views are pulled by the page and their Float32Arrays are transferred.
 */
import * as Comlink from 'comlink';
import { MnistBrowserLoader, type MnistLoadProgress } from '../data/browser-loader';
import type { TrainerSpec } from '../engine/spec';
import { errorMessage } from '../engine/error-message';
import type {
  ActionResult,
  OnnxExport,
  ClassifyResult,
  LayerStatsPoint,
  LayerView,
  StartOptions,
  TrainingEvents,
  TrainingWorkerApi,
} from './protocol';
import { TrainingSession, type SessionData, type SessionOptions } from './session';
import { trainingWorkerCount } from './session/options';
import type { EvaluationOutcome, EvaluationProgress } from './evaluation';
import type { SessionCheckpoint } from './checkpoint';
import type { ReplicaLink } from '../parallel/protocol';
import { canShareMemory } from '../data/shared-memory';
import { linkToWorker, shareableSets } from '../parallel/worker-host';
import { createYieldScheduler, nextTurn } from '../parallel/yield-scheduler';
import { SharedReplicaLink } from '../parallel/shared-link';
import type { Dataset } from '../data/dataset';
import { readStoredDataset } from '../data/dataset-store';
import { defaultDefinitionFor, type PresetTarget } from '../engine/presets';
import { MNIST_SESSION_DATASET, type SessionDataset } from './session/model';
import { cannotRestore, checkpointDatasetProblem, snapshotDatasetProblem, snapshotWithDataset } from './session/run-checkpoint';

/** Statistics reach the page at most this often while training runs. */
const UPDATE_PERIOD_MS = 100;
/** Byte-level loading progress is forwarded at most this often (chunk completions always). */
const PROGRESS_PERIOD_MS = 100;

class TrainingWorker implements TrainingWorkerApi {
  private session: TrainingSession | null = null;
  private loader: MnistBrowserLoader | null = null;
  private callbacks: TrainingEvents | null = null;
  private lastUpdate = 0;
  /**
   * Updates the page has not finished handling yet. The timed updates wait for these:
   * a page slower than ten updates a second (a busy machine, a background tab) must not
   * build an ever-longer queue of messages, which grows memory and delays every answer.
   */
  private updatesInFlight = 0;
  private updateWanted = false;
  /** Whether the session was training when the last update was taken. */
  private lastPushRunning = false;
  private lastProgress = 0;
  private lastChunks = -1;
  private failed = false;
  private started = false;
  /** The dataset the session trains on (a session keeps one). */
  private dataset: SessionDataset = MNIST_SESSION_DATASET;

  /**
   * Creates the session on the chosen dataset (the built-in MNIST streams in chunks and
   * training starts with the first; a kept dataset is read from IndexedDB whole) and starts
   * training. A saved run the session refuses is reported through resumeRefused.
   */
  async start(options: StartOptions, callbacks: TrainingEvents): Promise<void> {
    if (this.started) throw new Error('the training worker was already started');
    this.started = true;
    this.callbacks = callbacks;
    const stored = await this.readChosenDataset(options.dataset);
    const data = stored ? storedSessionData(stored) : this.mnistSessionData(options.dataUrl);
    const dataset = data.dataset ?? MNIST_SESSION_DATASET;
    this.dataset = dataset;
    const replicas: ReplicaLink[] = [];
    const workers = trainingWorkerCount(options.workers, navigator.hardwareConcurrency);
    for (let i = 2; i <= workers; i++) {
      const replica = new Worker(new URL('./replica-worker.ts', import.meta.url), { type: 'module', name: `training worker ${i}` });
      const name = `training worker ${i}`;
      const messages = linkToWorker(replica, name);
      // Cross-origin isolated (the app's own server sends COOP/COEP): batch jobs go through
      // shared memory, which saves the message round trip on every mini-batch.
      replicas.push(canShareMemory() ? new SharedReplicaLink(messages, name, nextTurn) : messages);
    }
    // MNIST's default is the session's own (the seed network); another dataset starts with its own.
    const datasetDefault = stored ? defaultDefinitionFor(presetTargetOf(dataset)) : undefined;
    const sessionOptions: SessionOptions = {
      seed: options.seed ?? 1,
      definitionText: options.definitionText ?? datasetDefault,
      replicas,
      schedule: this.guardedScheduler(),
      onSlice: () => this.maybePush(),
    };
    let resumed: TrainingSession | null = null;
    let refusal: string | null = null;
    if (options.resume) {
      const { checkpoint } = options.resume;
      const mismatch = checkpointDatasetProblem(checkpoint, dataset);
      try {
        if (mismatch) throw cannotRestore(mismatch);
        resumed = new TrainingSession(data, { ...sessionOptions, checkpoint });
      } catch (error) {
        refusal = errorMessage(error);
      }
    }
    try {
      this.session = resumed ?? new TrainingSession(data, sessionOptions);
    } catch (error) {
      // A definition that parses but cannot train on this dataset (the page checked the syntax): the dataset's default instead.
      if (options.definitionText === undefined) throw error;
      this.session = new TrainingSession(data, { ...sessionOptions, definitionText: datasetDefault });
      callbacks.notice(
        stored
          ? `The network in force does not fit ${dataset.name}, so its default network trains instead. ${errorMessage(error)}`
          : `The link's network cannot be used, so the default network trains instead. ${errorMessage(error)}`,
      );
    }
    if (!(resumed && options.resume?.paused)) this.session.resume();
    this.push();
    // After the first update, as before: the page treats that update as the restored run, then drops it.
    if (refusal !== null) callbacks.resumeRefused(refusal);
    if (stored) {
      const bytes = stored.train.images.length + stored.test.images.length;
      callbacks.data({ phase: 'ready', loaded: bytes, total: bytes, message: null });
    } else {
      void this.loadData();
    }
  }

  /** The kept dataset the page chose, or null for MNIST (also when it is gone: the page hears why). */
  private async readChosenDataset(choice: StartOptions['dataset']): Promise<Dataset | null> {
    if (choice?.kind !== 'stored') return null;
    try {
      return await readStoredDataset(choice.id);
    } catch (error) {
      this.callbacks?.notice(`${errorMessage(error)} The built-in MNIST trains instead.`);
      return null;
    }
  }

  /** MNIST streamed in chunks: the sets grow while training runs. */
  private mnistSessionData(dataUrl: string): SessionData {
    const loader = new MnistBrowserLoader({ baseUrl: dataUrl, onProgress: (progress) => this.onProgress(progress) });
    this.loader = loader;
    return {
      get train() {
        return loader.train;
      },
      get test() {
        return loader.test;
      },
      get trainTotal() {
        return loader.manifest?.sets.train.count ?? 0;
      },
    };
  }

  /** A copy of the run to go on with later (the page autosaves it); its arrays are transferred. */
  async exportCheckpoint(): Promise<SessionCheckpoint> {
    const checkpoint = await this.requireSession().exportCheckpoint();
    const { trainerState, windows } = checkpoint;
    const arrays = [checkpoint.params, trainerState.gsum, trainerState.xsum, trainerState.pendingGrads, ...Object.values(windows).map((w) => w.values)];
    return Comlink.transfer(checkpoint, arrays.flatMap((a) => (a ? [a.buffer as ArrayBuffer] : [])));
  }

  /** Answers at once: the page's heartbeat, which tells a busy worker from a dead one. */
  ping(): true {
    return true;
  }

  pause(): void {
    this.requireSession().pause();
    this.push();
  }

  resume(): void {
    this.requireSession().resume();
    this.push();
  }

  step(): void {
    this.requireSession().step();
    this.push();
  }

  setTrainer(changes: Partial<TrainerSpec>): ActionResult {
    const result = this.requireSession().setTrainer(changes);
    this.push();
    return result;
  }

  /** The same network and trainer from fresh weights drawn with `seed`; statistics start over. */
  restartRun(seed: number): ActionResult {
    const result = this.requireSession().restartRun(seed);
    this.push();
    return result;
  }

  setNetwork(text: string): ActionResult {
    const result = this.requireSession().setNetwork(text);
    this.push();
    return result;
  }

  /** The snapshot names the dataset it was made for, so loading it on another shape is refused naming both. */
  saveSnapshot(): string {
    return snapshotWithDataset(this.requireSession().saveSnapshot(), this.dataset);
  }

  loadSnapshot(text: string): ActionResult {
    const session = this.requireSession();
    const mismatch = snapshotDatasetProblem(text, this.dataset);
    if (mismatch) return { ok: false, error: mismatch };
    const result = session.loadSnapshot(text);
    this.push();
    return result;
  }

  saveOnnx(): OnnxExport {
    const result = this.requireSession().saveOnnx();
    return result.ok ? Comlink.transfer(result, [result.bytes.buffer as ArrayBuffer]) : result;
  }

  loadOnnx(bytes: Uint8Array): ActionResult {
    const result = this.requireSession().loadOnnx(bytes);
    this.push();
    return result;
  }

  classifyImage(pixels: Uint8Array): ClassifyResult {
    return this.requireSession().classifyImage(pixels);
  }

  clearInspectedImage(): void {
    this.requireSession().clearInspectedImage();
  }

  layerTrainingHistory(): LayerStatsPoint[] {
    return this.requireSession().layerTrainingHistory();
  }

  freezeExample(frozen: boolean): boolean {
    return this.requireSession().freezeExample(frozen);
  }

  /**
   * Evaluates the whole test set beside training; the call stays pending until it is done
   * or cancelled. The per-image arrays are transferred (about 160 kB for 10k images).
   */
  async evaluateTestSet(onProgress: (progress: EvaluationProgress) => void): Promise<EvaluationOutcome> {
    const outcome = await this.requireSession().evaluateTestSet(onProgress);
    if (!outcome.ok) return outcome;
    const e = outcome.evaluation;
    return Comlink.transfer(outcome, [e.labels.buffer, e.topLabels.buffer, e.topProbabilities.buffer] as ArrayBuffer[]);
  }

  cancelEvaluation(): void {
    this.requireSession().cancelEvaluation();
  }

  /** Pixels of the test images a gallery shows, 784 bytes each, in the order asked. */
  testImages(indices: number[]): Uint8Array {
    const pixels = this.requireSession().testImages(indices);
    return Comlink.transfer(pixels, [pixels.buffer as ArrayBuffer]);
  }

  layerViews(indices: number[]): LayerView[] {
    const views = this.requireSession().layerViews(indices);
    const buffers: ArrayBuffer[] = [];
    for (const view of views) {
      for (const array of [view.activations, view.activationGrads, view.weights, view.weightGrads]) {
        if (array) buffers.push(array.buffer as ArrayBuffer);
      }
    }
    return Comlink.transfer(views, buffers);
  }

  /** Loads whatever is still missing (after a failure); training resumes on the new data. */
  async retryData(): Promise<void> {
    await this.loadData();
  }

  private async loadData(): Promise<void> {
    const loader = this.loader;
    if (!loader) return;
    try {
      await loader.load();
      const p = loader.progress;
      this.callbacks?.data({ phase: 'ready', loaded: p.loadedBytes, total: p.totalBytes, message: null });
    } catch (error) {
      const p = loader.progress;
      this.callbacks?.data({ phase: 'error', loaded: p.loadedBytes, total: p.totalBytes, message: errorMessage(error) });
    }
  }

  private onProgress(progress: MnistLoadProgress): void {
    const chunkDone = progress.loadedChunks !== this.lastChunks;
    if (chunkDone) {
      this.lastChunks = progress.loadedChunks;
      this.session?.notifyDataChanged();
    }
    const now = performance.now();
    if (!chunkDone && now - this.lastProgress < PROGRESS_PERIOD_MS) return;
    this.lastProgress = now;
    this.callbacks?.data({ phase: 'loading', loaded: progress.loadedBytes, total: progress.totalBytes, message: null });
  }

  private maybePush(): void {
    // Training that stopped by itself (the divergence guard) runs no further slice, so
    // that state goes out now rather than at the next period.
    const stoppedSinceLastPush = this.lastPushRunning && this.session !== null && !this.session.isRunning;
    if (!stoppedSinceLastPush && performance.now() - this.lastUpdate < UPDATE_PERIOD_MS) return;
    // Sent once the page has caught up, so a late state still arrives when nothing else happens.
    if (this.updatesInFlight > 0) this.updateWanted = true;
    else this.push();
  }

  private push(): void {
    if (!this.session || !this.callbacks || this.failed) return;
    this.lastUpdate = performance.now();
    this.lastPushRunning = this.session.isRunning;
    this.updateWanted = false;
    // Through Comlink the callback returns a promise that settles once the page ran it.
    const handled: unknown = this.callbacks.update(this.session.takeUpdate());
    this.updatesInFlight++;
    const settled = () => {
      this.updatesInFlight--;
      if (this.updatesInFlight === 0 && this.updateWanted) this.push();
    };
    Promise.resolve(handled).then(settled, settled);
  }

  /**
   * Runs each training slice inside a try/catch: an exception in the engine stops
   * training and reaches the page as a fault naming what failed, instead of a worker
   * that silently stops.
   */
  private guardedScheduler(): (task: () => void) => void {
    const schedule = createYieldScheduler({
      messageChannelOnly: true,
      onError: (error) => {
        this.failed = true;
        this.session?.dispose();
        this.callbacks?.fault(`Training stopped: a training step failed in the worker (${errorMessage(error)}).`);
      },
    });
    return (task) => schedule(() => {
      if (!this.failed) task();
    });
  }

  private requireSession(): TrainingSession {
    if (!this.session) throw new Error('the training worker was not started');
    if (this.failed) throw new Error('training stopped after a fault; restart training');
    return this.session;
  }
}

/** What picking a dataset's default network needs to know about it. */
function presetTargetOf(dataset: SessionDataset): PresetTarget {
  const { width, height, channels } = dataset;
  return { width, height, channels, classes: dataset.classNames.length, randomCrops: dataset.augmentation.kind === 'random-crop' };
}

/**
 * A kept dataset as the session's data, whole from the start. Where memory can be shared,
 * the sets move into SharedArrayBuffers now, so replica workers read these very bytes
 * rather than a second copy (as the MNIST loader does).
 */
function storedSessionData(dataset: Dataset): SessionData {
  const { train, test } = shareableSets({ train: dataset.train, test: dataset.test });
  const { train: _train, test: _test, ...description } = dataset;
  return { train, test, trainTotal: train.count, dataset: description };
}

Comlink.expose(new TrainingWorker());
