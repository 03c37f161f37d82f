/**
 * Network and trainer specifications.
 *
 * Three forms exist:
 * - `LayerDef`: what a user writes, ConvNetJS field names (snake_case), before desugaring;
 * - `ResolvedLayer`: one concrete layer after desugaring and validation, with its input and
 *   output shapes computed and every default filled in (camelCase, internal);
 * - `TrainerSpec`: the trainer options, ConvNetJS names, every field filled in.
 *
 * Validation lives here too: every error names the layer index and type, the field,
 * what was wrong and, where possible, what would fit.
 */

export const LAYER_TYPES = [
  'input',
  'conv',
  'fc',
  'pool',
  'relu',
  'sigmoid',
  'tanh',
  'maxout',
  'dropout',
  'lrn',
  'softmax',
  'svm',
  'regression',
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];
export type LossType = 'softmax' | 'svm' | 'regression';

export const TRAINER_METHODS = ['sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta', 'nesterov'] as const;
export type TrainerMethod = (typeof TRAINER_METHODS)[number];

/** A layer as a user writes it (ConvNetJS `layer_defs.push({...})`), not yet checked. */
export interface LayerDef {
  type: string;
  [field: string]: unknown;
}

export interface Shape {
  sx: number;
  sy: number;
  depth: number;
}

interface ResolvedBase {
  /** Position in the desugared layer list. */
  index: number;
  /** Position of the user's definition this layer came from (desugaring adds layers). */
  sourceIndex: number;
  in: Shape;
  out: Shape;
}

export interface InputLayerSpec extends ResolvedBase {
  type: 'input';
}
export interface ConvLayerSpec extends ResolvedBase {
  type: 'conv';
  sx: number;
  sy: number;
  filters: number;
  stride: number;
  pad: number;
  biasPref: number;
  l1DecayMul: number;
  l2DecayMul: number;
}
export interface FcLayerSpec extends ResolvedBase {
  type: 'fc';
  numNeurons: number;
  biasPref: number;
  l1DecayMul: number;
  l2DecayMul: number;
}
export interface PoolLayerSpec extends ResolvedBase {
  type: 'pool';
  sx: number;
  sy: number;
  stride: number;
  pad: number;
}
export interface ActivationLayerSpec extends ResolvedBase {
  type: 'relu' | 'sigmoid' | 'tanh';
}
export interface MaxoutLayerSpec extends ResolvedBase {
  type: 'maxout';
  groupSize: number;
}
export interface DropoutLayerSpec extends ResolvedBase {
  type: 'dropout';
  dropProb: number;
}
export interface LrnLayerSpec extends ResolvedBase {
  type: 'lrn';
  k: number;
  n: number;
  alpha: number;
  beta: number;
}
export interface ClassifierLossSpec extends ResolvedBase {
  type: 'softmax' | 'svm';
  numClasses: number;
}
export interface RegressionLossSpec extends ResolvedBase {
  type: 'regression';
  numNeurons: number;
}

export type ResolvedLayer =
  | InputLayerSpec
  | ConvLayerSpec
  | FcLayerSpec
  | PoolLayerSpec
  | ActivationLayerSpec
  | MaxoutLayerSpec
  | DropoutLayerSpec
  | LrnLayerSpec
  | ClassifierLossSpec
  | RegressionLossSpec;

/** Trainer options with ConvNetJS's names; a validated spec has every field set. */
export interface TrainerSpec {
  method: TrainerMethod;
  learning_rate: number;
  momentum: number;
  batch_size: number;
  l1_decay: number;
  l2_decay: number;
  /** Adadelta / windowgrad decay rate. */
  ro: number;
  /** Numerical guard in adaptive methods. */
  eps: number;
  /** Adam moment decay rates. */
  beta1: number;
  beta2: number;
}

/** Number of trainable values a layer owns (weights plus biases). */
export function paramCount(layer: ResolvedLayer): number {
  switch (layer.type) {
    case 'conv':
      return layer.filters * layer.sx * layer.sy * layer.in.depth + layer.filters;
    case 'fc':
      return layer.numNeurons * layer.in.sx * layer.in.sy * layer.in.depth + layer.numNeurons;
    default:
      return 0;
  }
}

export function shapeSize(s: Shape): number {
  return s.sx * s.sy * s.depth;
}
