import type { InputLayerSpec } from '../spec';
import { Volume } from '../volume';
import type { Layer, ParamGroup } from './layer';

/**
 * The network's entry: copies the example into a volume the net owns, so callers
 * may reuse their volume while backward still needs these values. Backward copies
 * the gradient back into the caller's volume, as ConvNetJS leaves it there.
 */
export class InputLayer implements Layer {
  readonly spec: InputLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[] = [];

  constructor(spec: InputLayerSpec) {
    this.spec = spec;
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    const out = this.outAct;
    if (input.sx !== out.sx || input.sy !== out.sy || input.depth !== out.depth) {
      throw new Error(
        `input is ${input.sx}x${input.sy}x${input.depth} but the network expects ${out.sx}x${out.sy}x${out.depth}`,
      );
    }
    this.inAct = input;
    out.w.set(input.w);
    return out;
  }

  backward(): void {
    this.inAct?.dw.set(this.outAct.dw);
  }
}
