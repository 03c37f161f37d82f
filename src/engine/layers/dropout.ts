import type { Rng } from '../rng';
import { Volume } from '../volume';
import { APPENDED_LAYER_FIELDS, layerDescriptor, num, outJSON, type LayerJSONBase, type ResolvedBase } from './descriptor';
import { LayerBase } from './layer';

export interface DropoutLayerSpec extends ResolvedBase {
  type: 'dropout';
  dropProb: number;
}
export interface DropoutLayerJSON extends LayerJSONBase {
  layer_type: 'dropout';
  drop_prob: number;
}

/**
 * Inverted dropout: the identity at prediction time, as the issue specifies.
 * - training: each value is zeroed with probability dropProb (one Rng draw per
 *   value, in index order) and the survivors are scaled by 1 / (1 - dropProb), so
 *   the expected output equals the input and prediction needs no rescaling;
 * - prediction: the output is the input, unchanged.
 *
 * This deviates from ConvNetJS 0.3.0, which passes survivors unscaled in training
 * and multiplies by dropProb at prediction. Its expected training output is
 * (1 - dropProb) * x, so its test-time scale is right only at dropProb 0.5. The
 * masks are the same (same draws, same comparison), so a training-mode output here
 * is 0.3.0's times 1 / (1 - dropProb); predictions past a dropout layer differ.
 */
export class DropoutLayer extends LayerBase<DropoutLayerSpec> {
  /** 1 where the last training pass dropped the value. */
  readonly dropped: Uint8Array;
  private readonly rng: Rng;
  private lastWasTraining = false;

  constructor(spec: DropoutLayerSpec, rng: Rng) {
    super(spec);
    this.rng = rng;
    this.dropped = new Uint8Array(this.outAct.size);
  }

  /** The factor applied to surviving values in training (dropProb < 1, checked by the spec). */
  get keepScale(): number {
    return 1 / (1 - this.spec.dropProb);
  }

  forward(input: Volume, isTraining: boolean): Volume {
    this.inAct = input;
    this.lastWasTraining = isTraining;
    const x = input.w;
    const y = this.outAct.w;
    if (isTraining) {
      const p = this.spec.dropProb;
      const scale = this.keepScale;
      const dropped = this.dropped;
      const rng = this.rng;
      for (let i = 0; i < x.length; i++) {
        if (rng.random() < p) {
          y[i] = 0;
          dropped[i] = 1;
        } else {
          y[i] = x[i] * scale;
          dropped[i] = 0;
        }
      }
    } else {
      y.set(x);
    }
    return this.outAct;
  }

  /** The derivative of whichever function the last forward computed. */
  backward(): void {
    const input = this.lastInput();
    const dx = input.dw;
    const dy = this.outAct.dw;
    if (this.lastWasTraining) {
      const dropped = this.dropped;
      const scale = this.keepScale;
      for (let i = 0; i < dx.length; i++) dx[i] = dropped[i] ? 0 : dy[i] * scale;
    } else {
      dx.set(dy);
    }
  }
}

export const dropoutLayer = layerDescriptor<DropoutLayerSpec, DropoutLayerJSON>({
  types: ['dropout'],
  // drop_prob here is the layer's own probability (default 0.5), not an appended dropout.
  fields: { dropout: APPENDED_LAYER_FIELDS },
  expand: (def, input) => [{ type: 'dropout', sourceIndex: def.index, in: input, out: input, dropProb: num(def, 'drop_prob', 0.5) }],
  create: (spec, _arena, rng) => new DropoutLayer(spec, rng),
  toJSON: (spec) => ({ ...outJSON(spec), layer_type: 'dropout', drop_prob: spec.dropProb }),
  fromJSON(reader, prev, base) {
    reader.expectSameShape(prev);
    const dropProb = reader.number('drop_prob');
    if (dropProb < 0 || dropProb >= 1) reader.fail('drop_prob', `must be in [0, 1), got ${dropProb}`);
    return { ...base, type: 'dropout', in: prev, out: prev, dropProb };
  },
  definitionLine: (spec) => ({ fields: [['drop_prob', spec.dropProb]] }),
});
