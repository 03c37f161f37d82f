/**
 * The data that crosses from the training session (worker) to the page.
 * Plain, structured-clonable objects: no class instances, no functions.
 * Typed arrays in LayerView are transferred, not copied.
 */
import type { LayerType, Shape, TrainerSpec } from '../engine/spec';

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
}

/**
 * One point of the metrics charts: smoothed total loss (classification + decay) at
 * examplesSeen, with the training and validation accuracy windows (fractions in [0, 1]) at
 * that moment. An accuracy that is absent or null had no data yet (its window was empty).
 */
export interface LossPoint {
  examples: number;
  loss: number;
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
