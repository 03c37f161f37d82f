/**
 * A session checkpoint: everything a TrainingSession needs to go on training as if it
 * had never stopped (the network definition, its weights, the trainer's accumulators,
 * the random generator, the statistics windows). Plain data, structured-clonable, so it
 * crosses from the worker to the page and into IndexedDB as is.
 *
 * A checkpoint read back from storage may come from an older version of the app or be
 * damaged, so `checkpointProblem` checks its shape before anything is built from it; the
 * session then checks that it fits the network it describes (see TrainingSession).
 */
import { LIMITS, TRAINER_NUMBER_FIELDS, type TrainerSpec } from '../engine/spec';
import type { AccumulatorMeaning, TrainerState } from '../engine/trainer';
import type { DatasetIdentity } from '../data/dataset';

export const CHECKPOINT_FORMAT = 'mnist-cnn-session-checkpoint';
/** Bumped whenever the fields below change meaning; an older checkpoint is refused, not guessed at. */
export const CHECKPOINT_VERSION = 1;

/** The moving windows a checkpoint carries, by the session's name for them. */
export const CHECKPOINT_WINDOWS = [
  'classificationLoss',
  'l2DecayLoss',
  'forwardMs',
  'backwardMs',
  'trainingAccuracy',
  'validationAccuracy',
] as const;
export type CheckpointWindow = (typeof CHECKPOINT_WINDOWS)[number];

/** A MovingWindow's contents (see stats.ts): its ring of values, write position and fill. */
export interface MovingWindowState {
  values: Float64Array;
  next: number;
  filled: number;
}

export interface SessionCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  seed: number;
  /** The definition the network was built from (its trainer part may be out of date: see `trainer`). */
  definitionText: string;
  /** The trainer settings in force, live changes included. */
  trainer: TrainerSpec;
  /** The net's flat parameter arena, in Net order. */
  params: Float32Array;
  trainerState: TrainerState;
  examples: number;
  /** xoshiro128** state words (see Rng.getState). */
  rng: [number, number, number, number];
  windows: Record<CheckpointWindow, MovingWindowState>;
  /** The dataset the run trained on; absent in checkpoints made before datasets could change (MNIST). */
  dataset?: DatasetIdentity;
}

const MEANINGS: readonly AccumulatorMeaning[] = [
  'sgdStep',
  'nesterovVelocity',
  'sumSqGrad',
  'meanSqGrad',
  'meanSqStep',
  'adamFirstMoment',
  'adamSecondMoment',
];
/** Longer than any definition the editor accepts; only a guard against absurd input. */
const MAX_DEFINITION_CHARS = 1_000_000;
const MAX_WINDOW = 100_000;

/**
 * Why `value` is not a usable checkpoint (a sentence naming the field), or null when its
 * shape is right. Cheap: one pass over the arrays to check they are finite.
 */
export function checkpointProblem(value: unknown): string | null {
  if (!isObject(value)) return 'the checkpoint is not an object';
  if (value.format !== CHECKPOINT_FORMAT) return 'the checkpoint has no recognised format field';
  if (value.version !== CHECKPOINT_VERSION) {
    return `the checkpoint has format version ${String(value.version)}, but this app reads version ${CHECKPOINT_VERSION}`;
  }
  if (!isUint32(value.seed)) return 'seed must be an integer from 0 to 2^32-1';
  if (typeof value.definitionText !== 'string' || value.definitionText.length === 0) {
    return 'definitionText must be non-empty text';
  }
  if (value.definitionText.length > MAX_DEFINITION_CHARS) return 'definitionText is too long';
  const trainer = value.trainer;
  if (!isObject(trainer) || typeof trainer.method !== 'string') return 'trainer must be an object with a method';
  for (const field of TRAINER_NUMBER_FIELDS) {
    if (typeof trainer[field] !== 'number' || !Number.isFinite(trainer[field])) return `trainer.${field} must be a finite number`;
  }
  const params = value.params;
  if (!(params instanceof Float32Array)) return 'params must be a Float32Array';
  if (params.length === 0 || params.length > LIMITS.maxParams) return `params has ${params.length} values, outside 1..${LIMITS.maxParams}`;
  if (!allFinite(params)) return 'params holds NaN or infinite weights';
  if (!isNonNegativeInteger(value.examples)) return 'examples must be a non-negative integer';
  if (!Array.isArray(value.rng) || value.rng.length !== 4 || !value.rng.every(isUint32)) {
    return 'rng must be 4 unsigned 32-bit integers';
  }
  if (value.rng.every((word) => word === 0)) return 'rng must not be all zeros (the generator would be stuck)';
  const stateProblem = trainerStateProblem(value.trainerState, params.length);
  if (stateProblem) return stateProblem;
  const windows = value.windows;
  if (!isObject(windows)) return 'windows must be an object';
  for (const name of CHECKPOINT_WINDOWS) {
    const problem = windowProblem(windows[name]);
    if (problem) return `windows.${name}: ${problem}`;
  }
  return value.dataset === undefined ? null : datasetIdentityProblem(value.dataset);
}

function datasetIdentityProblem(dataset: unknown): string | null {
  if (!isObject(dataset) || typeof dataset.name !== 'string') return 'dataset must be an object with a name';
  for (const side of ['width', 'height'] as const) {
    if (!isNonNegativeInteger(dataset[side]) || dataset[side] === 0) return `dataset.${side} must be a positive integer`;
  }
  if (dataset.channels !== 1 && dataset.channels !== 3) return 'dataset.channels must be 1 or 3';
  const names = dataset.classNames;
  if (!Array.isArray(names) || names.length < 2 || !names.every((name) => typeof name === 'string')) {
    return 'dataset.classNames must list at least two names';
  }
  return null;
}

function trainerStateProblem(state: unknown, paramCount: number): string | null {
  if (!isObject(state)) return 'trainerState must be an object';
  if (!isNonNegativeInteger(state.k)) return 'trainerState.k must be a non-negative integer';
  if (!isNonNegativeInteger(state.pending)) return 'trainerState.pending must be a non-negative integer';
  for (const name of ['gsum', 'xsum', 'pendingGrads'] as const) {
    const buffer = state[name];
    if (buffer === null) continue;
    if (!(buffer instanceof Float32Array) || buffer.length !== paramCount) {
      return `trainerState.${name} must be null or a Float32Array of ${paramCount} values (one per parameter)`;
    }
    if (!allFinite(buffer)) return `trainerState.${name} holds NaN or infinite values`;
  }
  for (const name of ['gsumMeaning', 'xsumMeaning'] as const) {
    const meaning = state[name];
    if (meaning !== null && !MEANINGS.includes(meaning as AccumulatorMeaning)) return `trainerState.${name} is not a known meaning`;
  }
  for (const name of ['l2DecayLoss', 'l1DecayLoss'] as const) {
    if (typeof state[name] !== 'number' || !Number.isFinite(state[name])) return `trainerState.${name} must be a finite number`;
  }
  return null;
}

function windowProblem(window: unknown): string | null {
  if (!isObject(window)) return 'missing';
  const { values, next, filled } = window;
  if (!(values instanceof Float64Array) || values.length === 0 || values.length > MAX_WINDOW) {
    return 'values must be a non-empty Float64Array';
  }
  if (!isNonNegativeInteger(next) || next >= values.length) return 'next is outside the window';
  if (!isNonNegativeInteger(filled) || filled > values.length) return 'filled is larger than the window';
  if (!allFinite(values)) return 'values holds NaN or infinite numbers';
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isUint32(value: unknown): value is number {
  return isNonNegativeInteger(value) && value <= 0xffffffff;
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** A worker start from a saved run: the checkpoint, and whether it waits paused for the person. */
export interface ResumeFrom {
  checkpoint: SessionCheckpoint;
  paused: boolean;
}
