/**
 * The memory caps an accepted network must respect (LIMITS), checked on resolved layers
 * from either a definition or a snapshot.
 */
import { expect } from 'vitest';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import { LIMITS, shapeSize, totalParamCount, type ResolvedLayer } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';

/** Floats a built net allocates: weights and gradients, every activation and its gradient, conv padding. */
function netFloats(layers: readonly ResolvedLayer[]): number {
  let floats = 2 * totalParamCount(layers);
  for (const layer of layers) {
    floats += 2 * shapeSize(layer.out);
    if (layer.type === 'conv') floats += 2 * paddedInputSize(layer);
  }
  return floats;
}

function paddedInputSize(layer: Extract<ResolvedLayer, { type: 'conv' }>): number {
  return (layer.in.sx + 2 * layer.pad) * (layer.in.sy + 2 * layer.pad) * layer.in.depth;
}

/**
 * An accepted network respects every stated cap, so `new Net` can only allocate what the
 * caps allow. With `build`, small ones are also built and run once (from freshly drawn
 * weights, so outputs must be finite), to prove validation and construction agree.
 */
export function expectWithinCaps(layers: readonly ResolvedLayer[], build = true): void {
  expect(layers.length).toBeGreaterThanOrEqual(2);
  expect(layers.length).toBeLessThanOrEqual(LIMITS.maxLayers);
  expect(totalParamCount(layers)).toBeLessThanOrEqual(LIMITS.maxParams);
  let activations = 0;
  for (const layer of layers) {
    for (const s of [layer.in, layer.out]) {
      for (const n of [s.sx, s.sy, s.depth]) expect(Number.isSafeInteger(n) && n >= 1).toBe(true);
    }
    expect(shapeSize(layer.out)).toBeLessThanOrEqual(LIMITS.maxLayerActivations);
    if (layer.type === 'conv') expect(paddedInputSize(layer)).toBeLessThanOrEqual(LIMITS.maxLayerActivations);
    activations += shapeSize(layer.out) + (layer.type === 'conv' ? paddedInputSize(layer) : 0);
  }
  expect(activations).toBeLessThanOrEqual(LIMITS.maxTotalActivations);
  if (build && netFloats(layers) <= 200_000) {
    const net = new Net(layers, new Rng(1));
    const x = new Volume(net.inputShape.sx, net.inputShape.sy, net.inputShape.depth);
    const out = net.forward(x);
    for (const v of out.w) expect(Number.isFinite(v)).toBe(true);
  }
}

