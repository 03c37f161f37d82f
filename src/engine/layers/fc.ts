import type { Rng } from '../rng';
import type { FcLayerSpec } from '../spec';
import { shapeSize } from '../spec';
import { Volume } from '../volume';
import { initWeights } from './init';
import { jsKernels, type FcKernel, type Kernels } from './kernels';
import type { Layer, ParamArena, ParamGroup } from './layer';

/**
 * Fully connected: each of numNeurons outputs is a dot product of the whole input
 * volume (read flat, in HWC order) with that neuron's weights, plus its bias.
 */
export class FcLayer implements Layer {
  readonly spec: FcLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[];
  /** Neuron i's weights at i * numInputs. */
  readonly filters: ParamGroup;
  readonly biases: ParamGroup;
  readonly numInputs: number;
  private readonly kernel: FcKernel;

  constructor(spec: FcLayerSpec, arena: ParamArena, rng: Rng, kernels: Kernels = jsKernels) {
    this.spec = spec;
    this.numInputs = shapeSize(spec.in);
    this.filters = arena.take('filters', spec.numNeurons * this.numInputs, spec.l1DecayMul, spec.l2DecayMul);
    this.biases = arena.take('biases', spec.numNeurons, 0, 0);
    this.params = [this.filters, this.biases];
    initWeights(this.filters.w, this.numInputs, rng);
    this.biases.w.fill(spec.biasPref);
    this.kernel = kernels.fc(this.numInputs, spec.numNeurons);
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.kernel.forward(input.w, this.filters.w, this.biases.w, this.outAct.w);
    return this.outAct;
  }

  backward(): void {
    const input = this.inAct;
    if (!input) throw new Error('fc: backward before forward');
    this.kernel.backward(
      input.w,
      this.filters.w,
      this.outAct.dw,
      input.dw,
      this.filters.dw,
      this.biases.dw,
    );
  }
}
