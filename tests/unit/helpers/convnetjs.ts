/**
 * The reference library, convnetjs 0.3.0 (a devDependency, used only by tests and
 * the bench), typed just enough for the cross-checks, plus the glue between its
 * objects and ours: our weights into a convnetjs net through its own fromJSON,
 * snapshots loaded as a user would load them, and the comparisons.
 */
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Layer, LossTarget } from '../../../src/engine/layers/layer';
import type { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import type { LayerDef } from '../../../src/engine/spec';
import type { Volume } from '../../../src/engine/volume';

export interface RefVol {
  sx: number;
  sy: number;
  depth: number;
  w: Float64Array;
  dw: Float64Array;
}

export interface RefLayer {
  layer_type: string;
  in_act: RefVol;
  out_act: RefVol;
  filters?: RefVol[];
  biases?: RefVol;
  /** Dropout layers only. */
  drop_prob?: number;
  /** Dropout layers only: true (or 1) where the last training pass dropped the value. */
  dropped?: ArrayLike<boolean | number>;
  forward(v: RefVol, isTraining?: boolean): RefVol;
  backward(y?: unknown): number | undefined;
  fromJSON(json: Record<string, unknown>): void;
}

export interface RefParamsAndGrads {
  params: Float64Array;
  grads: Float64Array;
  l1_decay_mul?: number;
  l2_decay_mul?: number;
}

export interface RefNet {
  layers: RefLayer[];
  makeLayers(defs: object[]): void;
  forward(v: RefVol, isTraining?: boolean): RefVol;
  backward(y: number | number[]): number;
  getParamsAndGrads(): RefParamsAndGrads[];
  getPrediction(): number;
  toJSON(): { layers: Record<string, unknown>[] };
  fromJSON(json: unknown): void;
}

export interface RefTrainStats {
  loss: number;
  cost_loss: number;
  l2_decay_loss: number;
  l1_decay_loss: number;
}

export interface RefTrainer {
  k: number;
  train(x: RefVol, y: number | number[]): RefTrainStats;
}

interface ConvNetJS {
  Vol: new (sx: number, sy: number, depth: number, fill?: number) => RefVol;
  Net: new () => RefNet;
  Trainer: new (net: RefNet, options: Record<string, unknown>) => RefTrainer;
}

export const convnetjs = createRequire(import.meta.url)('convnetjs') as ConvNetJS;

/** A convnetjs Vol with the same values as `v` (float32 values are exact in float64). */
export function refVol(v: Volume): RefVol {
  const r = new convnetjs.Vol(v.sx, v.sy, v.depth, 0);
  for (let i = 0; i < v.w.length; i++) r.w[i] = v.w[i];
  return r;
}

/** A convnetjs Net loaded from snapshot JSON text, as a user would load it. */
export function refNetFromText(text: string): RefNet {
  const net = new convnetjs.Net();
  net.fromJSON(JSON.parse(text));
  return net;
}

/** All of a convnetjs net's parameters in getParamsAndGrads order (= our flat layout). */
export function refParams(net: RefNet): number[] {
  const out: number[] = [];
  for (const pg of net.getParamsAndGrads()) for (let i = 0; i < pg.params.length; i++) out.push(pg.params[i]);
  return out;
}

/** A layer's state as ConvNetJS's toJSON writes it, with our weights in it. */
export function layerJSON(layer: Layer): Record<string, unknown> {
  const spec = layer.spec;
  const head = {
    out_sx: spec.out.sx,
    out_sy: spec.out.sy,
    out_depth: spec.out.depth,
    layer_type: spec.type,
  };
  const weights = (fanIn: { sx: number; sy: number; depth: number }, count: number) => {
    const size = fanIn.sx * fanIn.sy * fanIn.depth;
    const [filters, biases] = layer.params;
    return {
      filters: Array.from({ length: count }, (_, f) => ({
        ...fanIn,
        w: Array.from(filters.w.subarray(f * size, (f + 1) * size)),
      })),
      biases: { sx: 1, sy: 1, depth: count, w: Array.from(biases.w) },
    };
  };
  switch (spec.type) {
    case 'conv':
      return {
        ...head,
        sx: spec.sx,
        sy: spec.sy,
        stride: spec.stride,
        pad: spec.pad,
        in_depth: spec.in.depth,
        l1_decay_mul: spec.l1DecayMul,
        l2_decay_mul: spec.l2DecayMul,
        ...weights({ sx: spec.sx, sy: spec.sy, depth: spec.in.depth }, spec.filters),
      };
    case 'fc': {
      const numInputs = spec.in.sx * spec.in.sy * spec.in.depth;
      return {
        ...head,
        num_inputs: numInputs,
        l1_decay_mul: spec.l1DecayMul,
        l2_decay_mul: spec.l2DecayMul,
        ...weights({ sx: 1, sy: 1, depth: numInputs }, spec.numNeurons),
      };
    }
    case 'pool':
      return { ...head, sx: spec.sx, sy: spec.sy, stride: spec.stride, pad: spec.pad, in_depth: spec.in.depth };
    case 'maxout':
      return { ...head, group_size: spec.groupSize };
    case 'dropout':
      return { ...head, drop_prob: spec.dropProb };
    case 'lrn':
      return { ...head, k: spec.k, n: spec.n, alpha: spec.alpha, beta: spec.beta };
    case 'softmax':
    case 'svm':
    case 'regression':
      return { ...head, num_inputs: spec.in.sx * spec.in.sy * spec.in.depth };
    default:
      return head;
  }
}

/** The whole net in ConvNetJS's snapshot format, round-tripped through JSON text. */
export function netJSON(net: Net): unknown {
  return JSON.parse(JSON.stringify({ layers: net.layers.map(layerJSON) }));
}

/**
 * A convnetjs net built from the same definitions with convnetjs's own makeLayers
 * (so its desugaring is exercised too), then given our weights through each conv
 * and fc layer's fromJSON. Layer-level fromJSON rather than Net.fromJSON because
 * 0.3.0's MaxoutLayer.fromJSON sizes its switches wrongly and DropoutLayer.fromJSON
 * forgets its mask, which would break those layers for reasons that are not ours.
 */
export function referenceNet(defs: readonly LayerDef[], ours: Net): RefNet {
  const ref = new convnetjs.Net();
  // makeLayers writes defaults into the definitions it is given.
  ref.makeLayers(structuredClone(defs) as object[]);
  const ourTypes = ours.layers.map((l) => l.spec.type).join(',');
  const refTypes = ref.layers.map((l) => l.layer_type).join(',');
  if (ourTypes !== refTypes) throw new Error(`desugaring differs: ours ${ourTypes}, convnetjs ${refTypes}`);
  ours.layers.forEach((layer, i) => {
    if (layer.params.length > 0) ref.layers[i].fromJSON(JSON.parse(JSON.stringify(layerJSON(layer))));
  });
  return ref;
}

/**
 * Makes every dropout layer of a convnetjs net compute our inverted dropout, keeping
 * its own mask (its own Math.random draws): in training the survivors are scaled by
 * 1 / (1 - drop_prob) and so is their gradient; at prediction the layer is the
 * identity both ways. 0.3.0 instead passes survivors unscaled and multiplies by
 * drop_prob at prediction (see src/engine/layers/dropout.ts for why we deviate).
 * With this restatement every layer past a dropout can still be cross-checked; the
 * raw relation to 0.3.0's dropout is asserted on its own in the dropout tests.
 * Mutates and returns `ref`.
 */
export function restateDropoutAsInverted(ref: RefNet): RefNet {
  for (const layer of ref.layers) {
    if (layer.layer_type !== 'dropout') continue;
    const forward = layer.forward.bind(layer);
    const backward = layer.backward.bind(layer);
    const scale = 1 / (1 - layer.drop_prob!);
    let training = false;
    layer.forward = (v, isTraining = false) => {
      training = isTraining;
      const out = forward(v, isTraining);
      // Dropped values are already 0 in training.
      if (training) for (let i = 0; i < out.w.length; i++) out.w[i] *= scale;
      else out.w.set(v.w);
      return out;
    };
    layer.backward = () => {
      backward();
      const dx = layer.in_act.dw;
      const dy = layer.out_act.dw;
      // 0.3.0 zeroes dropped gradients and copies the rest, in either mode.
      if (training) for (let i = 0; i < dx.length; i++) dx[i] *= scale;
      else dx.set(dy);
      return undefined;
    };
  }
  return ref;
}

/** Runs fn with Math.random drawing from a copy of `rng`'s current stream. */
export function withRandomFrom<T>(rng: Rng, fn: () => T): T {
  const replay = new Rng(0);
  replay.setState(rng.getState());
  const original = Math.random;
  Math.random = () => replay.random();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/**
 * max |a - b| / max |b|: the largest difference measured against the reference's
 * scale, so tiny entries cannot dominate; 0 when both are all zeros. Used by the
 * layer and net cross-checks.
 */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (diff === 0) return 0;
  return scale === 0 ? Infinity : diff / scale;
}

/**
 * Largest |a - b| / max(|a|, |b|, floor): an elementwise relative error, with the
 * floor making values near zero compare absolutely. Used where both sides are
 * whole outputs or parameter vectors (snapshots, trainer steps).
 */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(Math.abs(a[i]), Math.abs(b[i]), floor);
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  }
  return worst;
}

/**
 * Runs one example through our net and a convnetjs net holding the same weights,
 * and asserts that every layer's output, every activation gradient and every
 * parameter gradient agree within a relative 1e-4 (max |difference| over the
 * reference's max |value|).
 */
export const CROSS_TOLERANCE = 1e-4;

export interface CrossCheckOptions {
  training?: boolean;
  /**
   * The Rng our dropout layers draw from; convnetjs replays the same stream. Its
   * dropout layers must be restated first (restateDropoutAsInverted).
   */
  rng?: Rng;
  /** Compare forward outputs only (for layers whose gradients knowingly differ). */
  forwardOnly?: boolean;
}

export interface CrossCheckLosses {
  ours: number;
  reference: number;
}

function expectClose(ours: ArrayLike<number>, reference: ArrayLike<number>, what: string): void {
  expect(relativeDifference(ours, reference), what).toBeLessThanOrEqual(CROSS_TOLERANCE);
}

export function crossCheck(
  ours: Net,
  ref: RefNet,
  x: Volume,
  target: LossTarget,
  options: CrossCheckOptions = {},
): CrossCheckLosses | null {
  const training = options.training ?? false;
  const refX = refVol(x);
  // convnetjs first: it must replay our Rng's stream from before our forward pass.
  if (options.rng) withRandomFrom(options.rng, () => ref.forward(refX, training));
  else ref.forward(refX, training);
  ours.forward(x, training);

  const name = (i: number) => `layer ${i} (${ours.layers[i].spec.type})`;
  ours.layers.forEach((layer, i) => expectClose(layer.outAct.w, ref.layers[i].out_act.w, `${name(i)} output`));
  if (options.forwardOnly) return null;

  // Parameter gradients accumulate in both libraries until cleared.
  ours.zeroGrads();
  for (const layer of ref.layers) {
    for (const v of [...(layer.filters ?? []), ...(layer.biases ? [layer.biases] : [])]) v.dw.fill(0);
  }
  const loss = ours.backward(target);
  // convnetjs takes plain arrays for regression targets.
  const refLoss = ref.backward(typeof target === 'number' ? target : Array.from(target));

  expectClose(x.dw, refX.dw, 'gradient on the input volume');
  ours.layers.forEach((layer, i) => {
    if (i === 0) return;
    expectClose(layer.inAct!.dw, ref.layers[i].in_act.dw, `${name(i)} input gradient`);
    if (layer.params.length === 0) return;
    const [filters, biases] = layer.params;
    const refFilters = ref.layers[i].filters!;
    const size = filters.w.length / refFilters.length;
    refFilters.forEach((f, k) => {
      expectClose(filters.dw.subarray(k * size, (k + 1) * size), f.dw, `${name(i)} filter ${k} gradient`);
    });
    expectClose(biases.dw, ref.layers[i].biases!.dw, `${name(i)} bias gradient`);
  });
  return { ours: loss, reference: refLoss };
}
