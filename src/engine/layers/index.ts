import type { Rng } from '../rng';
import type { ResolvedLayer } from '../spec';
import { MaxoutLayer, ReluLayer, SigmoidLayer, TanhLayer } from './activations';
import { ConvLayer } from './conv';
import { DropoutLayer } from './dropout';
import { FcLayer } from './fc';
import { InputLayer } from './input';
import { jsKernels, type Kernels } from './kernels';
import type { Layer, LossLayer, ParamArena } from './layer';
import { RegressionLayer, SoftmaxLayer, SvmLayer } from './losses';
import { LrnLayer } from './lrn';
import { PoolLayer } from './pool';

export type { Layer, LossLayer, LossTarget, ParamGroup } from './layer';
export { ParamArena } from './layer';
export type { Kernels } from './kernels';
export { jsKernels } from './kernels';
export {
  ConvLayer,
  DropoutLayer,
  FcLayer,
  InputLayer,
  LrnLayer,
  MaxoutLayer,
  PoolLayer,
  RegressionLayer,
  ReluLayer,
  SigmoidLayer,
  SoftmaxLayer,
  SvmLayer,
  TanhLayer,
};

/**
 * Builds the layer a resolved spec describes. Layers with weights take their slices
 * from `arena` and draw their initial values from `rng`, in construction order; the
 * dropout layer keeps `rng` for its masks.
 */
export function createLayer(spec: ResolvedLayer, arena: ParamArena, rng: Rng, kernels: Kernels = jsKernels): Layer {
  switch (spec.type) {
    case 'input':
      return new InputLayer(spec);
    case 'conv':
      return new ConvLayer(spec, arena, rng, kernels);
    case 'fc':
      return new FcLayer(spec, arena, rng, kernels);
    case 'pool':
      return new PoolLayer(spec, kernels);
    case 'relu':
      return new ReluLayer(spec, kernels);
    case 'sigmoid':
      return new SigmoidLayer(spec);
    case 'tanh':
      return new TanhLayer(spec);
    case 'maxout':
      return new MaxoutLayer(spec);
    case 'dropout':
      return new DropoutLayer(spec, rng);
    case 'lrn':
      return new LrnLayer(spec);
    case 'softmax':
      return new SoftmaxLayer(spec);
    case 'svm':
      return new SvmLayer(spec);
    case 'regression':
      return new RegressionLayer(spec);
  }
}

export function isLossLayer(layer: Layer): layer is LossLayer {
  return 'backwardLoss' in layer;
}
