import type { Rng } from '../rng';
import type { ConvLayerSpec } from '../spec';
import { Volume } from '../volume';
import { initWeights } from './init';
import { convShapeOf, jsKernels, type ConvKernel, type Kernels } from './kernels';
import type { Layer, ParamArena, ParamGroup } from './layer';

/**
 * 2-D convolution: `filters` kernels of sx x sy x inDepth slide over the zero-padded
 * input with the given stride; output depth d is filter d's response plus its bias.
 */
export class ConvLayer implements Layer {
  readonly spec: ConvLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[];
  /** All filters, filter f at f * sx*sy*inDepth, HWC inside (ConvNetJS's Vol order). */
  readonly filters: ParamGroup;
  readonly biases: ParamGroup;
  private readonly kernel: ConvKernel;

  constructor(spec: ConvLayerSpec, arena: ParamArena, rng: Rng, kernels: Kernels = jsKernels) {
    this.spec = spec;
    const fanIn = spec.sx * spec.sy * spec.in.depth;
    this.filters = arena.take('filters', spec.filters * fanIn, spec.l1DecayMul, spec.l2DecayMul);
    // ConvNetJS never decays biases.
    this.biases = arena.take('biases', spec.filters, 0, 0);
    this.params = [this.filters, this.biases];
    initWeights(this.filters.w, fanIn, rng);
    this.biases.w.fill(spec.biasPref);
    this.kernel = kernels.conv(convShapeOf(spec));
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.kernel.forward(input.w, this.filters.w, this.biases.w, this.outAct.w);
    return this.outAct;
  }

  backward(): void {
    const input = this.inAct;
    if (!input) throw new Error('conv: backward before forward');
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
