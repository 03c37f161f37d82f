import type { Rng } from '../rng';
import type { DropoutLayerSpec } from '../spec';
import { Volume } from '../volume';
import type { Layer, ParamGroup } from './layer';

/**
 * Dropout with ConvNetJS 0.3.0's semantics, so nets and snapshots trained there
 * predict the same here:
 * - training: each value is zeroed with probability dropProb (one Rng draw per
 *   value, in index order) and the survivors pass unscaled;
 * - prediction: every value is multiplied by dropProb. (The expected training
 *   output is (1 - dropProb) * x; ConvNetJS scales by dropProb, which is the same
 *   only at its usual 0.5. We keep its behaviour for compatibility.)
 */
export class DropoutLayer implements Layer {
  readonly spec: DropoutLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[] = [];
  /** 1 where the last training pass dropped the value. */
  readonly dropped: Uint8Array;
  private readonly rng: Rng;
  private lastWasTraining = false;

  constructor(spec: DropoutLayerSpec, rng: Rng) {
    this.spec = spec;
    this.rng = rng;
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
    this.dropped = new Uint8Array(this.outAct.size);
  }

  forward(input: Volume, isTraining: boolean): Volume {
    this.inAct = input;
    this.lastWasTraining = isTraining;
    const x = input.w;
    const y = this.outAct.w;
    const p = this.spec.dropProb;
    if (isTraining) {
      const dropped = this.dropped;
      const rng = this.rng;
      for (let i = 0; i < x.length; i++) {
        if (rng.random() < p) {
          y[i] = 0;
          dropped[i] = 1;
        } else {
          y[i] = x[i];
          dropped[i] = 0;
        }
      }
    } else {
      for (let i = 0; i < x.length; i++) y[i] = x[i] * p;
    }
    return this.outAct;
  }

  /** The derivative of whichever function the last forward computed. */
  backward(): void {
    const input = this.inAct;
    if (!input) throw new Error('dropout: backward before forward');
    const dx = input.dw;
    const dy = this.outAct.dw;
    if (this.lastWasTraining) {
      const dropped = this.dropped;
      for (let i = 0; i < dx.length; i++) dx[i] = dropped[i] ? 0 : dy[i];
    } else {
      const p = this.spec.dropProb;
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * p;
    }
  }
}
