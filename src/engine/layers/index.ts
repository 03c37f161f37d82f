import type { Kernels } from '../kernels/contract';
import { jsKernels } from '../kernels/js-blocked';
import type { Rng } from '../rng';
import type { Layer, LossLayer, ParamArena } from './layer';
import { descriptorOf, type ResolvedLayer } from './registry';

export type { Layer, LossLayer, LossTarget, ParamGroup } from './layer';
export { MaxoutLayer, ReluLayer } from './activations';
export { SvmLayer } from './losses';
export { PoolLayer } from './pool';

/**
 * Builds the layer a resolved spec describes. Layers with weights take their slices
 * from `arena` and draw their initial values from `rng`, in construction order; the
 * dropout layer keeps `rng` for its masks.
 */
export function createLayer(spec: ResolvedLayer, arena: ParamArena, rng: Rng, kernels: Kernels = jsKernels): Layer {
  return descriptorOf(spec.type).create(spec, arena, rng, kernels);
}

export function isLossLayer(layer: Layer): layer is LossLayer {
  return 'backwardLoss' in layer;
}
