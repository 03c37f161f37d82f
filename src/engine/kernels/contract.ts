/**
 * The kernel contract: the arithmetic of the heavy layers (conv, fc, pool, relu) and
 * of the optimizer update, on flat Float32Arrays.
 * Layers own activations, weights and shapes; a kernel only loops, with whatever
 * workspace it set up once when the layer was built. Three sets implement it: the
 * plain-loop reference (js-reference.ts), the register-blocked TypeScript set
 * (js-blocked.ts) and WebAssembly SIMD (src/engine/wasm, sources in assembly/); a net
 * takes any of them without a layer changing.
 *
 * Layouts (ConvNetJS's, so snapshots copy straight in):
 * - volumes are HWC: value (x, y, d) at ((sx * y) + x) * depth + d;
 * - conv filter f occupies w[f*K .. (f+1)*K) with K = sx*sy*inDepth, HWC inside;
 * - fc neuron i occupies w[i*numInputs .. (i+1)*numInputs).
 *
 * Backward overwrites the input gradient dx and adds into dw and db (the trainer
 * sums parameter gradients over a batch). A dense kernel's dx may be null: the input
 * gradient is then not computed (training never reads the network input's). Backward assumes the preceding forward
 * call saw the same input.
 */

import type { ConvLayerSpec, PoolLayerSpec, ResolvedLayer } from '../layers/registry';

/**
 * The update rules by code, as the TypeScript update (trainer.ts) and the fused one
 * (assembly/update.ts) number them: a small int to switch on in the hot loop. A test
 * checks these against assembly/update.ts.
 */
export const UPDATE_RULES = {
  vanilla: 0,
  momentum: 1,
  nesterov: 2,
  adagrad: 3,
  windowgrad: 4,
  adadelta: 5,
  adam: 6,
} as const;
export type UpdateRule = (typeof UPDATE_RULES)[keyof typeof UPDATE_RULES];


export interface ConvShape {
  inSx: number;
  inSy: number;
  inDepth: number;
  outSx: number;
  outSy: number;
  filters: number;
  /** Filter width and height. */
  sx: number;
  sy: number;
  stride: number;
  pad: number;
}

/** The kernel shape of a resolved conv layer. */
export function convShapeOf(spec: ConvLayerSpec): ConvShape {
  return {
    inSx: spec.in.sx,
    inSy: spec.in.sy,
    inDepth: spec.in.depth,
    outSx: spec.out.sx,
    outSy: spec.out.sy,
    filters: spec.filters,
    sx: spec.sx,
    sy: spec.sy,
    stride: spec.stride,
    pad: spec.pad,
  };
}

/**
 * The one interface of the dense layers (conv and fc): forward computes
 * out = b + (the weights applied to x); backward overwrites dx and adds into dw and db.
 * - conv: out[(oy*outSx+ox)*filters + f] = b[f] + sum over filter f's window of w_f * x;
 * - fc: out[i] = b[i] + dot(w[i*numInputs ..], x).
 */
export interface DenseKernel {
  forward(x: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array): void;
  backward(x: Float32Array, w: Float32Array, dOut: Float32Array, dx: Float32Array | null, dw: Float32Array, db: Float32Array): void;
  /**
   * Inference over many inputs with the same weights (Net.forwardBatch): sets the
   * weights up once (e.g. the WASM set's transposed copy) for the forwardPrepared
   * calls that follow. Optional together with forwardPrepared; a set without them
   * runs forward per input.
   */
  prepareInference?(w: Float32Array, b: Float32Array): void;
  /**
   * forward's outputs from the weights of the last prepareInference, by any faster
   * route, within 1e-4 relative of forward's (the WASM set: bit for bit on the direct
   * route of its exact build; Winograd and fused multiply-adds within that). With
   * `relu`, also applies the ReLU layer's operation (x < 0 ? 0 : x) to the outputs,
   * so Net.forwardBatch can skip a ReLU layer that follows. Not for training:
   * backward may not follow it.
   */
  forwardPrepared?(x: Float32Array, out: Float32Array, relu?: boolean): void;
}

/** Names kept for the layer that uses each: both are a DenseKernel. */
export type ConvKernel = DenseKernel;
export type FcKernel = DenseKernel;

export interface PoolShape {
  inSx: number;
  inSy: number;
  depth: number;
  outSx: number;
  outSy: number;
  /** Window width and height. */
  sx: number;
  sy: number;
  stride: number;
  pad: number;
}

/** The kernel shape of a resolved pool layer. */
export function poolShapeOf(spec: PoolLayerSpec): PoolShape {
  return {
    inSx: spec.in.sx,
    inSy: spec.in.sy,
    depth: spec.in.depth,
    outSx: spec.out.sx,
    outSy: spec.out.sy,
    sx: spec.sx,
    sy: spec.sy,
    stride: spec.stride,
    pad: spec.pad,
  };
}

export interface PoolKernel {
  /** Flat input index of each output's maximum in the last forward, -1 for an all-padding window. */
  readonly switches: Int32Array;
  /** out = the max of each window, channel by channel. */
  forward(x: Float32Array, out: Float32Array): void;
  /** forward's outputs without the switches (inference; backward may not follow). Optional. */
  forwardValues?(x: Float32Array, out: Float32Array): void;
  /** dx = 0, then each output gradient added at its switch. */
  backward(dOut: Float32Array, dx: Float32Array): void;
}

/** ReLU: y = x < 0 ? 0 : x; backward dx = y <= 0 ? 0 : dy (overwritten). */
export interface ReluKernel {
  forward(x: Float32Array, y: Float32Array): void;
  backward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
}

/** A run of parameters [start, end) of the net's flat buffers, with its decay multipliers. */
export interface ParamRange {
  start: number;
  end: number;
  l1DecayMul: number;
  l2DecayMul: number;
}

/** What one optimizer step needs besides the buffers (see Trainer.update). */
export interface UpdateStep {
  /** The method's code in UPDATE_RULES. */
  rule: UpdateRule;
  learningRate: number;
  momentum: number;
  ro: number;
  eps: number;
  beta1: number;
  beta2: number;
  /** Adam's moment scales, 1 - beta^k. */
  corr1: number;
  corr2: number;
  /** Examples whose gradients are summed in g. */
  divisor: number;
  l1Decay: number;
  l2Decay: number;
}

/**
 * The f64 slot of each UpdateStep number in the fused update's hyperparameter block;
 * assembly/update.ts reads the same slots (a unit test checks), and the WASM glue
 * writes them from this table, so a new trainer number is one entry here.
 */
export const UPDATE_STEP_SLOTS = {
  learningRate: 0,
  momentum: 1,
  ro: 2,
  eps: 3,
  beta1: 4,
  beta2: 5,
  corr1: 6,
  corr2: 7,
  divisor: 8,
  l1Decay: 9,
  l2Decay: 10,
} as const satisfies Record<Exclude<keyof UpdateStep, 'rule'>, number>;

/** Slots the fused update writes back: the decay losses before the step. */
export const UPDATE_RESULT_SLOTS = { l2Loss: 11, l1Loss: 12 } as const;
/** Length of the hyperparameter block. */
export const UPDATE_HYPER_SLOT_COUNT = 13;

/**
 * The trainer's update fused into one pass: params p move, gradient sums g are
 * cleared, the accumulators advance, exactly as Trainer's own loop would. Returns
 * the decay losses [l2, l1] of the parameters before the step.
 */
export interface UpdateKernel {
  run(step: UpdateStep, p: Float32Array, g: Float32Array, gsum: Float32Array | null, xsum: Float32Array | null): [number, number];
}

/**
 * The replaceable arithmetic: one kernel per layer, built once with its shapes.
 * Only conv and fc are required; layers use the TypeScript kernels for whatever a
 * set leaves out.
 */
export interface Kernels {
  /** A short name for reports ('js', 'wasm'). */
  readonly name?: string;
  conv(shape: ConvShape): ConvKernel;
  fc(numInputs: number, numOutputs: number): FcKernel;
  pool?(shape: PoolShape): PoolKernel;
  /** A ReLU over `length` values. */
  relu?(length: number): ReluKernel;
  /** The optimizer update over `ranges` of the net's parameters (Trainer uses it when present). */
  update?(ranges: readonly ParamRange[]): UpdateKernel;
  /**
   * Storage for the net's parameters, gradients and activations (see Net): kernels
   * that run on their own memory (WASM) hand out views of it, so no call copies.
   */
  allocate?(length: number): Float32Array;
  /**
   * The kernels of one net, given all its layers before any is built. A set whose
   * buffers must live together (one WASM memory per net, sized once so it never
   * grows) makes them here; Net calls this once and builds every layer with the
   * result.
   */
  forNet?(specs: readonly ResolvedLayer[]): Kernels;
}

