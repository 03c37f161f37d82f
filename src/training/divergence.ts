/**
 * Finds where training blew up, so the pause message can point at a layer instead of
 * just saying "NaN". Pure reads of a Net; nothing is allocated per value.
 */
import type { Net } from '../engine/net';

export type NonFiniteKind = 'NaN' | 'infinite';

export interface NonFiniteSite {
  /** Index in the resolved layer list, as the network view and the inspector number layers. */
  layerIndex: number;
  layerType: string;
  /**
   * Which values went bad: the layer's outputs on the last example, its parameters, or
   * (loss layer only) the loss itself, when every value was finite but the correct class's
   * probability underflowed to 0.
   */
  values: 'outputs' | 'weights' | 'biases' | 'loss';
  kind: NonFiniteKind;
  /** For a loss-only blow-up: the hidden layer with the largest outputs, the likely culprit. */
  largestOutputs?: { layerIndex: number; layerType: string; maxAbs: number };
}

/** NaN or infinite for the first bad value, or null when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): NonFiniteKind | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : 'infinite';
  }
  return null;
}

/**
 * True when every parameter is finite. A float64 sum of float32 values cannot overflow
 * (3.4e38 times any realistic count stays far below 1.8e308), so the sum is finite
 * exactly when every term is: one add per weight, cheap enough to run after each update.
 */
export function paramsAreFinite(params: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < params.length; i++) sum += params[i];
  return Number.isFinite(sum);
}

/**
 * The first place non-finite values show, in forward order. The activations of the last
 * forward pass come first: they were computed before the update that followed, so the
 * first layer whose outputs overflowed is where the blow-up started (its weights had
 * grown huge); by the time the loss is NaN, a NaN gradient has usually spoiled every
 * weight. When all outputs are finite (the update itself went bad), the weights and
 * biases are scanned in the same order.
 */
export function locateNonFinite(net: Net, loss = 0): NonFiniteSite | null {
  const layers = net.layers;
  for (let i = 0; i < layers.length; i++) {
    const kind = firstNonFinite(layers[i].outAct.w);
    if (kind) return { layerIndex: i, layerType: layers[i].spec.type, values: 'outputs', kind };
  }
  for (let i = 0; i < layers.length; i++) {
    for (const group of layers[i].params) {
      const kind = firstNonFinite(group.w);
      if (kind) {
        const values = group.kind === 'biases' ? 'biases' : 'weights';
        return { layerIndex: i, layerType: layers[i].spec.type, values, kind };
      }
    }
  }
  const lossKind = firstNonFinite([loss]);
  if (!lossKind) return null;
  const last = layers.length - 1;
  return {
    layerIndex: last,
    layerType: layers[last].spec.type,
    values: 'loss',
    kind: lossKind,
    largestOutputs: largestOutputs(net),
  };
}

/** The layer before the loss whose outputs on the last example reach furthest from 0. */
function largestOutputs(net: Net): NonFiniteSite['largestOutputs'] {
  let best: NonFiniteSite['largestOutputs'];
  const layers = net.layers;
  for (let i = 1; i < layers.length - 1; i++) {
    const w = layers[i].outAct.w;
    let maxAbs = 0;
    for (let j = 0; j < w.length; j++) maxAbs = Math.max(maxAbs, Math.abs(w[j]));
    if (!best || maxAbs > best.maxAbs) best = { layerIndex: i, layerType: layers[i].spec.type, maxAbs };
  }
  return best;
}

/** "layer 3 (fc): its outputs became infinite", for the pause message. */
export function describeNonFiniteSite(site: NonFiniteSite): string {
  const where = `layer ${site.layerIndex} (${site.layerType}): its ${site.values} became ${site.kind}`;
  const culprit = site.largestOutputs;
  if (site.values !== 'loss' || !culprit) return where;
  // Finite but astronomically large scores make softmax give the true class probability 0.
  const why = site.layerType === 'softmax' ? ' (the probability of the true class underflowed to 0)' : '';
  return (
    `${where}${why}; the largest outputs came from ` +
    `layer ${culprit.layerIndex} (${culprit.layerType}), up to ${culprit.maxAbs.toExponential(1)}`
  );
}

/**
 * A learning rate worth trying after a blow-up: a tenth of the one that diverged, and
 * never above 0.001 (a rate of 10 or 1e6 divided by ten would diverge again).
 */
export function saferLearningRate(current: number): number {
  const tenth = current / 10;
  return Number(Math.min(tenth, 0.001).toPrecision(2));
}
