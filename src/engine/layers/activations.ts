import type { ActivationLayerSpec, MaxoutLayerSpec } from '../spec';
import { Volume } from '../volume';
import { jsKernels, type Kernels, type ReluKernel } from './kernels';
import type { Layer, ParamGroup } from './layer';

/** Shared plumbing of the element-wise layers: same-shape output, no parameters. */
abstract class ElementwiseLayer implements Layer {
  readonly spec: ActivationLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[] = [];

  constructor(spec: ActivationLayerSpec) {
    this.spec = spec;
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.apply(input.w, this.outAct.w);
    return this.outAct;
  }

  backward(): void {
    const input = this.inAct;
    if (!input) throw new Error(`${this.spec.type}: backward before forward`);
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

/**
 * Maxout: at every (x, y), channels are split into consecutive groups of groupSize
 * and each output channel is its group's maximum (trailing channels that do not
 * fill a group are dropped, as in ConvNetJS). Backward routes the gradient to the
 * winning channel.
 */
export class MaxoutLayer implements Layer {
  readonly spec: MaxoutLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[] = [];
  /** Flat input index of each output's winner. */
  readonly switches: Int32Array;

  constructor(spec: MaxoutLayerSpec) {
    this.spec = spec;
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
    this.switches = new Int32Array(this.outAct.size);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    const x = input.w;
    const out = this.outAct.w;
    const switches = this.switches;
    const groupSize = this.spec.groupSize | 0;
    const inDepth = this.spec.in.depth | 0;
    const outDepth = this.spec.out.depth | 0;
    const cells = (this.spec.out.sx * this.spec.out.sy) | 0;
    for (let c = 0; c < cells; c++) {
      for (let i = 0; i < outDepth; i++) {
        const first = (c * inDepth + i * groupSize) | 0;
        let best = x[first];
        let winner = first;
        for (let j = 1; j < groupSize; j++) {
          const v = x[first + j];
          if (v > best) {
            best = v;
            winner = first + j;
          }
        }
        const o = c * outDepth + i;
        out[o] = best;
        switches[o] = winner;
      }
    }
    return this.outAct;
  }

  backward(): void {
    const input = this.inAct;
    if (!input) throw new Error('maxout: backward before forward');
    const dx = input.dw;
    const dOut = this.outAct.dw;
    dx.fill(0);
    for (let n = 0; n < this.switches.length; n++) dx[this.switches[n]] = dOut[n];
  }
}
