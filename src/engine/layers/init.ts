import type { Rng } from '../rng';

/**
 * Gaussian weights with std sqrt(1/fanIn), as ConvNetJS's Vol constructor, so each
 * unit's pre-activation starts with about unit variance whatever its fan-in.
 * Draws run in buffer order, so one seed gives the same weights bit for bit.
 */
export function initWeights(w: Float32Array, fanIn: number, rng: Rng): void {
  const std = Math.sqrt(1 / fanIn);
  for (let i = 0; i < w.length; i++) w[i] = rng.gaussian(0, std);
}
