import type { PoolLayerSpec } from '../spec';
import { Volume } from '../volume';
import { jsKernels, type Kernels, type PoolKernel } from './kernels';
import type { Layer, ParamGroup } from './layer';

export { validTaps } from './pool-kernel';

/**
 * Max pooling over sx x sy windows at the given stride, channel by channel. Padding
 * is never a candidate: a window's max is over the input cells it covers. Forward
 * records which input cell won (the switch), and backward routes each gradient there.
 * The loops live in a PoolKernel (TypeScript or WASM, see kernels.ts).
 */
export class PoolLayer implements Layer {
  readonly spec: PoolLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[] = [];
  private readonly kernel: PoolKernel;

  constructor(spec: PoolLayerSpec, kernels: Kernels = jsKernels) {
    this.spec = spec;
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
    const shape = {
      inSx: spec.in.sx,
      inSy: spec.in.sy,
      depth: spec.in.depth,
      outSx: spec.out.sx,
      outSy: spec.out.sy,
      sx: spec.sx,
      sy: spec.sy,
      stride: spec.stride,
      pad: spec.pad,
    };
    this.kernel = kernels.pool ? kernels.pool(shape) : jsKernels.pool(shape);
  }

  /** Flat input index of each output's maximum, -1 for an all-padding window. */
  get switches(): Int32Array {
    return this.kernel.switches;
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.kernel.forward(input.w, this.outAct.w);
    return this.outAct;
  }

  backward(): void {
    const input = this.inAct;
    if (!input) throw new Error('pool: backward before forward');
    this.kernel.backward(this.outAct.dw, input.dw);
  }
}
