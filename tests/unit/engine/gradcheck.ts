/**
 * Finite-difference gradient checks. The objective is recomputed in float64 from
 * the engine's float32 outputs; each value is nudged by ±step (the actual float32
 * distance between the two nudged values is the denominator), and the central
 * difference is compared with the analytic gradient.
 */
import { isLossLayer } from '../../../src/engine/layers';
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
}

/**
 * Relative error |a - n| / max(|a|, |n|, floor), with floor = 1e-3 of the target's
 * largest analytic gradient: values whose gradient is a thousandth of the
 * largest one are judged on absolute error, where float32 rounding would
 * otherwise dominate.
 */
export function gradCheck(objective: () => number, targets: readonly GradCheckTarget[], step = 5e-3): GradCheckResult {
  let worst: GradCheckResult = { error: 0, where: 'nothing checked', checked: 0 };
  let checked = 0;
  for (const target of targets) {
    let scale = 0;
    for (let i = 0; i < target.analytic.length; i++) scale = Math.max(scale, Math.abs(target.analytic[i]));
    const floor = Math.max(1e-3 * scale, 1e-7);
    for (let i = 0; i < target.values.length; i += target.every ?? 1) {
      const original = target.values[i];
      target.values[i] = original + step;
      const up = target.values[i];
      const fUp = objective();
      target.values[i] = original - step;
      const down = target.values[i];
      const fDown = objective();
      target.values[i] = original;
      const numeric = (fUp - fDown) / (up - down);
      const analytic = target.analytic[i];
      const error = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
      checked++;
      if (error > worst.error || worst.checked === 0) {
        worst = {
          error,
          where: `${target.name}[${i}]: analytic ${analytic.toPrecision(6)}, numeric ${numeric.toPrecision(6)}`,
          checked: 0,
        };
      }
    }
  }
  return { ...worst, checked };
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
export function checkNet(net: Net, input: Volume, target: LossTarget, options: LayerCheckOptions = {}): GradCheckResult {
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
  return gradCheck(objective, targets, options.step);
}
