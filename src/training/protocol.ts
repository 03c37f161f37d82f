/**
 * The contract between the training worker and the page, declared once: the operations
 * (TrainingApi, listed by TRAINING_METHODS), the events the worker pushes (TrainingEvents),
 * and the data that crosses. The worker implements TrainingApi under these names; the
 * bridge wraps every method with one loop over TRAINING_METHODS; the store's backend is
 * the same API with promised results; the UI tests' fake backend is built from the list.
 *
 * Data: plain, structured-clonable objects (no class instances, no functions). Typed
 * arrays in LayerView, checkpoints and evaluations are transferred, not copied.
 */
import type { LayerType, Shape, TrainerSpec } from '../engine/spec';
import type { EvaluationOutcome, EvaluationProgress } from './evaluation';
import type { ResumeFrom, SessionCheckpoint } from './checkpoint';
import type { DatasetIdentity } from '../data/dataset';
import type { DatasetChoice } from '../data/dataset-protocol';

export type { DatasetIdentity } from '../data/dataset';
export type {
  DatasetBackend,
  DatasetChoice,
  DatasetLoadOutcome,
  DatasetLoadProgress,
  DatasetLoadRequest,
  PickedFile,
  StoredDatasetInfo,
} from '../data/dataset-protocol';
export { MNIST_IDENTITY } from '../data/dataset';

/** The keys of an interface as a list, from a record the compiler checks to hold each key exactly once. */
export function namesOf<T>(every: Record<keyof T, true>): (keyof T & string)[] {
  return Object.keys(every) as (keyof T & string)[];
}

/**
 * What the page asks of a training session. Calls that can be rejected answer
 * { ok: false, error } and change nothing; a call that throws means the worker failed.
 */
export interface TrainingApi {
  pause(): void;
  resume(): void;
  /** Trains one mini-batch while paused. */
  step(): void;
  /** Validates and applies live; a rejected change leaves the trainer as it was. */
  setTrainer(changes: Partial<TrainerSpec>): ActionResult;
  /** Parses, validates and rebuilds net and trainer; statistics start over on success only. */
  setNetwork(definitionText: string): ActionResult;
  /** Same network and trainer, fresh weights drawn with `seed`; a seed out of range is refused. */
  restartRun(seed: number): ActionResult;
  /** ConvNetJS-format JSON text of the current net. */
  saveSnapshot(): string;
  loadSnapshot(jsonText: string): ActionResult;
  /** The network in force as an ONNX model (opset 17, NCHW), or why it cannot be written. */
  saveOnnx(): OnnxExport;
  /** Replaces the network with an ONNX model's (its operators must map onto layers); the trainer settings stay. */
  loadOnnx(bytes: Uint8Array): ActionResult;
  /** Classifies a 28x28 image (0..255) and makes the layer views show it until cleared. */
  classifyImage(pixels: Uint8Array): ClassifyResult;
  /** The layer views follow training examples again. */
  clearInspectedImage(): void;
  /** Activations, gradients and weights of the given layers. */
  layerViews(indices: number[]): LayerView[];
  /** Per-layer weight norms, gradient norms and update ratios over the run, oldest first. */
  layerTrainingHistory(): LayerStatsPoint[];
  /** Pins (true) or releases the last training example for the layer views; answers whether one is pinned. */
  freezeExample(frozen: boolean): boolean;
  /** Loads whatever data is still missing (after a failure); training resumes on it. */
  retryData(): Promise<void>;
  /** Evaluates the whole test set beside training; onProgress hears ~10 times a second until it settles. */
  evaluateTestSet(onProgress: (progress: EvaluationProgress) => void): Promise<EvaluationOutcome>;
  cancelEvaluation(): void;
  /** Raw pixels of test images, 784 bytes each, in the order asked. */
  testImages(indices: number[]): Uint8Array;
  /** A copy of the run to go on with later (autosave, restart after a fault). */
  exportCheckpoint(): Promise<SessionCheckpoint>;
}

/**
 * Every operation of TrainingApi, by name: what the bridge and the test fake wrap. Written
 * as a record so the compiler refuses a list that misses an operation or names one too many.
 */
export const TRAINING_METHODS = namesOf<TrainingApi>({
  pause: true,
  resume: true,
  step: true,
  setTrainer: true,
  setNetwork: true,
  restartRun: true,
  saveSnapshot: true,
  loadSnapshot: true,
  saveOnnx: true,
  loadOnnx: true,
  classifyImage: true,
  clearInspectedImage: true,
  layerViews: true,
  layerTrainingHistory: true,
  freezeExample: true,
  retryData: true,
  evaluateTestSet: true,
  cancelEvaluation: true,
  testImages: true,
  exportCheckpoint: true,
});

/** What pushes from the training side reach the page through. */
export interface TrainingEvents {
  /** Statistics, chart points and predictions, at most ~10 a second and after every action. */
  update(update: SessionUpdate): void;
  data(progress: DataProgress): void;
  /** Something stopped training for good (an exception in a step, a dead worker); shown as a banner. */
  fault(message: string): void;
  /** Something worth saying that did not stop training (e.g. a link's network was refused); shown until dismissed. */
  notice(message: string): void;
  /** The saved run the worker was to resume was refused (damaged, another version): a fresh run trains; says why. */
  resumeRefused(message: string): void;
}

export const TRAINING_EVENTS = namesOf<TrainingEvents>({ update: true, data: true, fault: true, notice: true, resumeRefused: true });

/** An API as seen from the other side of a worker: every call answers later. */
export type Promised<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** What the worker is started with (the bridge's own call, not part of TrainingApi). */
export interface StartOptions {
  /** URL of the directory holding the MNIST chunks' manifest.json. */
  dataUrl: string;
  seed?: number;
  /** The network and trainer to train (a shared link's); default the seed network. */
  definitionText?: string;
  /**
   * Go on with a saved run (an autosave, or the last checkpoint of a worker that died)
   * instead of starting one; paused or running. A checkpoint the session refuses makes a
   * fresh run from the options above, and the worker says why through resumeRefused.
   */
  resume?: ResumeFrom;
  /**
   * Workers that train, this one included (the others are replica workers sharing every
   * mini-batch), at most the machine's cores; unset: min(cores, 4), so 1 on one core.
   */
  workers?: number;
  /**
   * The dataset to train on; default the built-in MNIST. A kept dataset is read from
   * IndexedDB by the worker itself; one that is gone trains MNIST instead, with a notice.
   * The network (definitionText) is kept when it fits the dataset, else the dataset's
   * default network trains.
   */
  dataset?: DatasetChoice;
}

/** The training worker as the bridge sees it: the API, plus starting and the heartbeat. */
export interface TrainingWorkerApi extends TrainingApi {
  start(options: StartOptions, events: TrainingEvents): Promise<void>;
  /** Answers at once: the page's heartbeat, which tells a busy worker from a dead one. */
  ping(): true;
}

/** Moving-window statistics, pushed to the page at most ~10 times a second. */
export interface TrainingStats {
  examplesSeen: number;
  examplesPerSecond: number;
  /** Per example, moving averages, milliseconds. */
  forwardMs: number;
  backwardMs: number;
  /** Moving averages. */
  classificationLoss: number;
  l2DecayLoss: number;
  /** Moving-window fractions in [0, 1]; null until the window has data. */
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
  running: boolean;
  /** Set when the session paused itself (NaN loss, worker fault), in words a person can act on. */
  pausedReason: string | null;
  /** Threads training the running mini-batches (1, or 2 once a second worker has joined); absent means 1. */
  trainingThreads?: number;
  /** With 2 threads: whether their batch jobs go through shared memory (cross-origin isolated) or messages. */
  sharedMemory?: boolean;
  /**
   * Seconds this run has trained: running, not counting the time training waited for a
   * test-set evaluation (or gave it on one thread). Absent from older sessions.
   */
  trainingSeconds?: number;
}

/**
 * One point of the metrics charts: smoothed total loss (classification + decay) at
 * examplesSeen, with the training and validation accuracy windows (fractions in [0, 1]) at
 * that moment. An accuracy that is absent or null had no data yet (its window was empty).
 */
export interface LossPoint {
  examples: number;
  loss: number;
  /** The classification part of `loss` alone (without weight decay); absent in charts saved before it existed. */
  classificationLoss?: number;
  trainingAccuracy?: number | null;
  validationAccuracy?: number | null;
}

/** Static description of a layer for the network view and the editor preview. */
export interface LayerSummary {
  index: number;
  type: LayerType;
  out: Shape;
  in: Shape;
  /** conv/pool: filter or window size and stride, e.g. { sx: 5, sy: 5, stride: 1, pad: 2 }. */
  window: { sx: number; sy: number; stride: number; pad: number } | null;
  /** Only conv/fc: number of filters or neurons. */
  filters: number | null;
  paramCount: number;
  /** Human formula for paramCount, e.g. "8x5x5x1+8 = 208"; null when the layer has no parameters. */
  paramFormula: string | null;
}

export interface NetworkSummary {
  layers: LayerSummary[];
  totalParams: number;
  trainer: TrainerSpec;
  /** The definition text in force (what the editor shows). */
  definitionText: string;
  /** The run's seed (weights, sampling, crops, validation split); absent in summaries not made by a session. */
  seed?: number;
}

/** Activations and gradients of one layer for the views, from the last training example. */
export interface LayerView {
  index: number;
  /** HWC values, ConvNetJS layout, length out.sx*out.sy*out.depth. */
  activations: Float32Array;
  activationGrads: Float32Array;
  activationRange: { min: number; max: number };
  gradientRange: { min: number; max: number };
  /** conv and fc (null otherwise): conv filter f HWC at f*sx*sy*inDepth, fc neuron i at i*inputs; and their gradients. */
  weights: Float32Array | null;
  weightGrads: Float32Array | null;
}

export interface ClassProbability {
  label: number;
  probability: number;
}

/** A test image with the 4-crop averaged prediction. */
export interface TestPrediction {
  /** Index in the 10k test set. */
  testIndex: number;
  /** 28x28 raw pixels 0..255. */
  pixels: Uint8Array;
  label: number;
  top3: ClassProbability[];
  correct: boolean;
}

export interface DataProgress {
  phase: 'loading' | 'ready' | 'error';
  /** Bytes or chunks loaded so far over the total, for the progress bar. */
  loaded: number;
  total: number;
  message: string | null;
}

/** The result of a user action that can be rejected. A rejection changes nothing. */
export type ActionResult = { ok: true } | { ok: false; error: string };

/** An ONNX model's bytes, or the reason the network cannot be written as one. */
export type OnnxExport = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/**
 * One push from the session to the page (at most ~10 a second). Loss points and
 * predictions are the ones produced since the previous push, oldest first.
 */
export interface SessionUpdate {
  stats: TrainingStats;
  /**
   * Changes whenever the run starts over (network change, snapshot load, restart):
   * the page then drops its chart, predictions and layer views of the old run.
   */
  runId: number;
  lossPoints: LossPoint[];
  predictions: TestPrediction[];
  /** Present when the network or the trainer in force changed since the last push. */
  network?: NetworkSummary;
  /** The dataset the session trains on: present in a session's first push (a session keeps one dataset). */
  dataset?: DatasetIdentity;
}

/** The answer to classifying a user's 28x28 image. */
export type ClassifyResult = { ok: true; top3: ClassProbability[] } | { ok: false; error: string };

/** How one layer with weights is training, sampled about once a second (the inspector's charts). */
export interface LayerTrainingStats {
  index: number;
  /** L2 norm of the layer's weights (filters, not biases). */
  weightNorm: number;
  /** L2 norm of the weights' loss gradient for the last training example. */
  gradNorm: number;
  /** ||Δw|| / ||w|| over the last weight update. */
  updateRatio: number;
}

/** One sample of every layer with weights, at `examples` examples seen. */
export interface LayerStatsPoint {
  examples: number;
  layers: LayerTrainingStats[];
}
