import type { DenseKernel } from '../kernels/contract';
import type { Rng } from '../rng';
import type { Volume } from '../volume';
import type { ConvLayerSpec } from './conv';
import type { FcLayerSpec } from './fc';
import { initWeights } from './init';
import { LayerBase, type InferenceForward, type ParamArena, type ParamGroup } from './layer';

/**
 * What conv and fc share: `count` filters (or neurons) of `fanIn` weights each plus one
 * bias apiece, taken from the net's arena, and a DenseKernel that does the arithmetic.
 */
export abstract class DenseLayer<S extends ConvLayerSpec | FcLayerSpec> extends LayerBase<S> {
  /** All filters back to back, filter f at f * fanIn (for conv, HWC inside: ConvNetJS's Vol order). */
  readonly filters: ParamGroup;
  readonly biases: ParamGroup;
  private readonly kernel: DenseKernel;

  protected constructor(spec: S, arena: ParamArena, rng: Rng, shape: { fanIn: number; count: number }, kernel: () => DenseKernel) {
    const filters = arena.take('filters', shape.count * shape.fanIn, spec.l1DecayMul, spec.l2DecayMul);
    // ConvNetJS never decays biases.
    const biases = arena.take('biases', shape.count, 0, 0);
    initWeights(filters.w, shape.fanIn, rng);
    biases.w.fill(spec.biasPref);
    // The kernel takes its workspace before the output volume is made, so a net's
    // memory is laid out as it always was.
    const made = kernel();
    super(spec, [filters, biases]);
    this.filters = filters;
    this.biases = biases;
    this.kernel = made;
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.kernel.forward(input.w, this.filters.w, this.biases.w, this.outAct.w);
    return this.outAct;
  }

  prepareInference(): InferenceForward | null {
    return this.preparedForward(false);
  }

  /** The prepared forward with the ReLU that follows applied too (see Layer.prepareInferenceWithRelu). */
  prepareInferenceWithRelu(): InferenceForward | null {
    return this.preparedForward(true);
  }

  private preparedForward(relu: boolean): InferenceForward | null {
    const kernel = this.kernel;
    if (!kernel.prepareInference || !kernel.forwardPrepared) return null;
    kernel.prepareInference(this.filters.w, this.biases.w);
    const forwardPrepared = kernel.forwardPrepared.bind(kernel);
    return (input) => {
      this.inAct = input;
      forwardPrepared(input.w, this.outAct.w, relu);
      return this.outAct;
    };
  }

  backward(withInputGradient = true): void {
    const input = this.lastInput();
    const dx = withInputGradient ? input.dw : null;
    this.kernel.backward(input.w, this.filters.w, this.outAct.dw, dx, this.filters.dw, this.biases.dw);
  }
}
