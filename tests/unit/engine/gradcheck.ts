/**
 * Finite-difference gradient checks. The objective is recomputed in float64 from
 * the engine's float32 outputs; each value is nudged by ±step (the actual float32
 * distance between the two nudged values is the denominator), and the central
 * difference is compared with the analytic gradient.
 */
import { isLossLayer, MaxoutLayer, PoolLayer, ReluLayer, SvmLayer } from '../../../src/engine/layers';
import type { Layer, LossTarget } from '../../../src/engine/layers/layer';
import type { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import type { Shape } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';

export interface GradCheckTarget {
  name: string;
  /** Perturbed in place and restored. */
  values: Float32Array;
  /** The analytic gradient, copied before any perturbation. */
  analytic: ArrayLike<number>;
  /** Check every n-th value only (default 1: all). */
  every?: number;
}

export interface GradCheckResult {
  /** Largest relative error over every checked value. */
  error: number;
  /** Where it occurred, for the failure message. */
  where: string;
  checked: number;
  /** Values skipped because a nudge crossed a kink (see gradCheck). */
  skipped: number;
}

/**
 * Relative error |a - n| / max(|a|, |n|, floor), with floor = 1% of the largest
 * analytic gradient in the same target. The engine computes in float32, so a
 * central difference carries an absolute noise of roughly 1e-7 * |loss| / step
 * (about 1e-4 here); a gradient a hundred times smaller than its neighbours is
 * therefore judged on absolute error (at most 1e-4 of the largest), not relative.
 *
 * `pattern`, when given, fingerprints the piecewise-linear choices of the last
 * objective evaluation (which ReLUs are on, which inputs win each max, which hinge
 * margins are active). A value whose nudge changes the fingerprint straddles a
 * kink, where a central difference means nothing: it is retried with a quarter
 * of the step and, if that still crosses, skipped and counted.
 */
export function gradCheck(
  objective: () => number,
  targets: readonly GradCheckTarget[],
  step = 5e-3,
  pattern?: () => number,
): GradCheckResult {
  objective();
  const basePattern = pattern?.();
  let skipped = 0;
  let worstError = -1;
  let where = 'nothing checked';
  let checked = 0;
  for (const target of targets) {
    let scale = 0;
    for (let i = 0; i < target.analytic.length; i++) scale = Math.max(scale, Math.abs(target.analytic[i]));
    const floor = Math.max(1e-2 * scale, 1e-7);
    for (let i = 0; i < target.values.length; i += target.every ?? 1) {
      // Near a kink, retry with a quarter of the step before giving up on the value.
      let numeric: number | null = null;
      for (let h = step; h >= step / 4 && numeric === null; h /= 4) {
        numeric = centralDifference(objective, target.values, i, h, pattern, basePattern);
      }
      if (numeric === null) {
        skipped++;
        continue;
      }
      const analytic = target.analytic[i];
      const error = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
      checked++;
      // NaN compares false, so it must win explicitly.
      if (error > worstError || Number.isNaN(error)) {
        worstError = Number.isNaN(error) ? Infinity : error;
        where =
          `${target.name}[${i}]: analytic ${analytic.toPrecision(6)}, numeric ${numeric.toPrecision(6)} ` +
          `(largest ${scale.toPrecision(3)})`;
      }
    }
  }
  return { error: Math.max(worstError, 0), where, checked, skipped };
}

/** (f(x+h) - f(x-h)) / (2h) at values[i]; null if either nudge changes the pattern. */
function centralDifference(
  objective: () => number,
  values: Float32Array,
  i: number,
  h: number,
  pattern: (() => number) | undefined,
  basePattern: number | undefined,
): number | null {
  const original = values[i];
  values[i] = original + h;
  const up = values[i];
  const fUp = objective();
  const patternUp = pattern?.();
  values[i] = original - h;
  const down = values[i];
  const fDown = objective();
  const patternDown = pattern?.();
  values[i] = original;
  if (patternUp !== basePattern || patternDown !== basePattern) return null;
  // The float32 distance actually travelled, not 2h.
  return (fUp - fDown) / (up - down);
}

/** Float32-exact uniform values in [-1, 1] (upstream gradients, generic inputs). */
export function randomValues(n: number, rng: Rng, min = -1, max = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(min, max);
  return out;
}

/** Values at least `gap` away from 0 in magnitude: no ReLU kink within a step. */
export function awayFromZero(shape: Shape, rng: Rng, gap = 0.05): Volume {
  const v = new Volume(shape.sx, shape.sy, shape.depth);
  for (let i = 0; i < v.size; i++) {
    const magnitude = rng.uniform(gap, 1);
    v.w[i] = rng.random() < 0.5 ? -magnitude : magnitude;
  }
  return v;
}

/**
 * All values distinct and at least `gap` apart (a shuffled ramp), so no max is
 * near a tie and a small nudge never changes which value wins.
 */
export function distinctValues(shape: Shape, rng: Rng, gap = 0.05): Volume {
  const v = new Volume(shape.sx, shape.sy, shape.depth);
  const order = Array.from({ length: v.size }, (_, i) => i);
  rng.shuffle(order);
  const offset = ((v.size - 1) * gap) / 2;
  for (let i = 0; i < v.size; i++) v.w[i] = order[i] * gap - offset;
  return v;
}

export function randomVolume(shape: Shape, rng: Rng, min = -1, max = 1): Volume {
  return new Volume(shape.sx, shape.sy, shape.depth, randomValues(shape.sx * shape.sy * shape.depth, rng, min, max));
}

export interface LayerCheckOptions {
  training?: boolean;
  /** Called before every forward pass (e.g. to replay a dropout mask). */
  beforeForward?: () => void;
  step?: number;
  /** Check every n-th value of each target (large nets). */
  every?: number;
}

/**
 * Checks a layer on its own against the objective sum_i u_i * out_i for a fixed
 * random upstream gradient u: input gradient and every parameter group.
 */
export function checkLayer(layer: Layer, input: Volume, options: LayerCheckOptions = {}): GradCheckResult {
  const training = options.training ?? false;
  const upstream = randomValues(layer.outAct.size, new Rng(1234));
  const run = (): Float32Array => {
    options.beforeForward?.();
    return layer.forward(input, training).w;
  };
  run();
  layer.outAct.dw.set(upstream);
  for (const p of layer.params) p.dw.fill(0);
  layer.backward();
  const targets: GradCheckTarget[] = [
    { name: 'input', values: input.w, analytic: Float64Array.from(input.dw) },
    ...layer.params.map((p) => ({ name: p.kind, values: p.w, analytic: Float64Array.from(p.dw) })),
  ];
  const objective = (): number => {
    const out = run();
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += upstream[i] * out[i];
    return sum;
  };
  return gradCheck(objective, targets, options.step);
}

/** Checks a loss layer's backwardLoss against the loss it returns. */
export function checkLoss(layer: Layer, input: Volume, target: LossTarget, step?: number): GradCheckResult {
  if (!isLossLayer(layer)) throw new Error(`${layer.spec.type} is not a loss layer`);
  const objective = (): number => {
    layer.forward(input, false);
    return layer.backwardLoss(target);
  };
  objective();
  const analytic = Float64Array.from(input.dw);
  return gradCheck(objective, [{ name: 'input', values: input.w, analytic }], step);
}

/** Checks a whole net: the loss against the input and every parameter group. */
export function checkNet(
  net: Net,
  input: Volume,
  target: LossTarget,
  options: LayerCheckOptions = {},
): GradCheckResult {
  const training = options.training ?? false;
  const lossLayer = net.layers[net.layers.length - 1];
  if (!isLossLayer(lossLayer)) throw new Error('the last layer is not a loss layer');
  // The loss alone (no backward through the net) for the numeric side.
  const objective = (): number => {
    options.beforeForward?.();
    net.forward(input, training);
    return lossLayer.backwardLoss(target);
  };
  net.zeroGrads();
  options.beforeForward?.();
  net.forward(input, training);
  net.backward(target);
  const every = options.every;
  const targets: GradCheckTarget[] = [
    { name: 'input', values: input.w, analytic: Float64Array.from(input.dw), every },
  ];
  net.layers.forEach((layer, i) => {
    for (const p of layer.params) {
      const name = `layer ${i} (${layer.spec.type}) ${p.kind}`;
      targets.push({ name, values: p.w, analytic: Float64Array.from(p.dw), every });
    }
  });
  return gradCheck(objective, targets, options.step, () => activationPattern(net));
}

/**
 * A hash of every piecewise choice the last forward pass made: ReLU on/off, the
 * winners of max pooling and maxout, and which SVM margins are active.
 */
export function activationPattern(net: Net): number {
  let h = 0x811c9dc5;
  const mix = (v: number): void => {
    h = Math.imul(h ^ v, 0x01000193) >>> 0;
  };
  for (const layer of net.layers) {
    if (layer instanceof ReluLayer) {
      for (const v of layer.outAct.w) mix(v > 0 ? 1 : 0);
    } else if (layer instanceof PoolLayer || layer instanceof MaxoutLayer) {
      for (const v of layer.switches) mix(v);
    } else if (layer instanceof SvmLayer && layer.inAct) {
      // Margins against every class: which of them are positive.
      const scores = layer.inAct.w;
      for (let y = 0; y < scores.length; y++) {
        for (let i = 0; i < scores.length; i++) mix(scores[i] - scores[y] + 1 > 0 ? 1 : 0);
      }
    }
  }
  return h;
}
