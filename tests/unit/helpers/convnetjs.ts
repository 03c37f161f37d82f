/**
 * The reference library, convnetjs 0.3.0 (a devDependency, used only by tests and
 * the bench), typed just enough for the cross-checks, plus the glue that puts our
 * weights into a convnetjs net through its own fromJSON.
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
  forward(v: RefVol, isTraining?: boolean): RefVol;
  backward(y?: unknown): number | undefined;
  fromJSON(json: Record<string, unknown>): void;
}

export interface RefNet {
  layers: RefLayer[];
  makeLayers(defs: object[]): void;
  forward(v: RefVol, isTraining?: boolean): RefVol;
  backward(y: number | number[]): number;
  getPrediction(): number;
  toJSON(): { layers: Record<string, unknown>[] };
  fromJSON(json: unknown): void;
}

interface ConvNetJS {
  Vol: new (sx: number, sy: number, depth: number, fill?: number) => RefVol;
  Net: new () => RefNet;
}

export const convnetjs = createRequire(import.meta.url)('convnetjs') as ConvNetJS;

/** A convnetjs Vol with the same values as `v` (float32 values are exact in float64). */
export function refVol(v: Volume): RefVol {
  const r = new convnetjs.Vol(v.sx, v.sy, v.depth, 0);
  for (let i = 0; i < v.w.length; i++) r.w[i] = v.w[i];
  return r;
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
 * scale, so tiny entries cannot dominate; 0 when both are all zeros.
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
 * Runs one example through our net and a convnetjs net holding the same weights,
 * and asserts that every layer's output, every activation gradient and every
 * parameter gradient agree within a relative 1e-4 (max |difference| over the
 * reference's max |value|).
 */
export const CROSS_TOLERANCE = 1e-4;

export interface CrossCheckOptions {
  training?: boolean;
  /** The Rng our dropout layers draw from; convnetjs replays the same stream. */
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
