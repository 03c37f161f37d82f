import type { Kernels } from '../kernels/contract';
import { jsKernels } from '../kernels/js-blocked';
import type { Rng } from '../rng';
import type { Layer, LossLayer, ParamArena } from './layer';
import { descriptorOf, type ResolvedLayer } from './registry';

export type { Layer, LossLayer, LossTarget, ParamGroup } from './layer';
export { ParamArena } from './layer';
export type { Kernels } from '../kernels/contract';
export { jsKernels } from '../kernels/js-blocked';
export { MaxoutLayer, ReluLayer, SigmoidLayer, TanhLayer } from './activations';
export { ConvLayer } from './conv';
export { DropoutLayer } from './dropout';
export { FcLayer } from './fc';
export { InputLayer } from './input';
export { RegressionLayer, SoftmaxLayer, SvmLayer } from './losses';
export { LrnLayer } from './lrn';
export { PoolLayer } from './pool';
export { LAYER_DESCRIPTORS, descriptorOf } from './registry';

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
