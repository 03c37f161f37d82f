import type { Kernels, ReluKernel } from '../kernels/contract';
import { jsKernels } from '../kernels/js-blocked';
import { Volume } from '../volume';
import { APPENDED_LAYER_FIELDS, layerDescriptor, outJSON, type LayerJSONBase, type ResolvedBase } from './descriptor';
import { LayerBase } from './layer';

export { MaxoutLayer } from './maxout';

export interface ActivationLayerSpec extends ResolvedBase {
  type: 'relu' | 'sigmoid' | 'tanh';
}
export interface ActivationLayerJSON extends LayerJSONBase {
  layer_type: 'relu' | 'sigmoid' | 'tanh';
}

/** Shared plumbing of the element-wise layers: same-shape output, no parameters. */
abstract class ElementwiseLayer extends LayerBase<ActivationLayerSpec> {
  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.apply(input.w, this.outAct.w);
    return this.outAct;
  }

  backward(): void {
    const input = this.lastInput();
    this.chain(this.outAct.w, this.outAct.dw, input.dw);
  }

  protected abstract apply(x: Float32Array, y: Float32Array): void;
  /** dx from the output values y and the output gradient dy. */
  protected abstract chain(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
}

/** max(0, x); a zero output passes no gradient (ConvNetJS's choice at the kink). The loops are a ReluKernel. */
export class ReluLayer extends ElementwiseLayer {
  private readonly kernel: ReluKernel;

  constructor(spec: ActivationLayerSpec, kernels: Kernels = jsKernels) {
    super(spec);
    const length = this.outAct.size;
    this.kernel = kernels.relu ? kernels.relu(length) : jsKernels.relu(length);
  }

  protected apply(x: Float32Array, y: Float32Array): void {
    this.kernel.forward(x, y);
  }

  protected chain(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    this.kernel.backward(y, dy, dx);
  }
}

/** 1 / (1 + e^-x), in (0, 1). */
export class SigmoidLayer extends ElementwiseLayer {
  protected apply(x: Float32Array, y: Float32Array): void {
    for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
  }

  protected chain(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    for (let i = 0; i < y.length; i++) {
      const v = y[i];
      dx[i] = v * (1 - v) * dy[i];
    }
  }
}

/** tanh(x), in (-1, 1). */
export class TanhLayer extends ElementwiseLayer {
  protected apply(x: Float32Array, y: Float32Array): void {
    for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
  }

  protected chain(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    for (let i = 0; i < y.length; i++) {
      const v = y[i];
      dx[i] = (1 - v * v) * dy[i];
    }
  }
}

/** relu, sigmoid and tanh: element-wise, same shape out as in, no fields of their own. */
export const activationLayers = layerDescriptor<ActivationLayerSpec, ActivationLayerJSON>({
  types: ['relu', 'sigmoid', 'tanh'],
  fields: { relu: APPENDED_LAYER_FIELDS, sigmoid: APPENDED_LAYER_FIELDS, tanh: APPENDED_LAYER_FIELDS },
  expand: (def, input) => [{ type: def.type as ActivationLayerSpec['type'], sourceIndex: def.index, in: input, out: input }],
  create(spec, _arena, _rng, kernels) {
    switch (spec.type) {
      case 'relu':
        return new ReluLayer(spec, kernels);
      case 'sigmoid':
        return new SigmoidLayer(spec);
      case 'tanh':
        return new TanhLayer(spec);
    }
  },
  toJSON: (spec) => ({ ...outJSON(spec), layer_type: spec.type }),
  fromJSON(reader, prev, base) {
    reader.expectSameShape(prev);
    return { ...base, type: reader.type as ActivationLayerSpec['type'], in: prev, out: prev };
  },
  definitionLine: () => ({ fields: [] }),
});
