import { intField } from '../fields';
import { Volume } from '../volume';
import { APPENDED_LAYER_FIELDS, layerDescriptor, num, outJSON, type LayerJSONBase, type ResolvedBase } from './descriptor';
import { LayerBase } from './layer';

export interface InputLayerSpec extends ResolvedBase {
  type: 'input';
}
export interface InputLayerJSON extends LayerJSONBase {
  layer_type: 'input';
}

/**
 * The network's entry: copies the example into a volume the net owns, so callers
 * may reuse their volume while backward still needs these values. Backward copies
 * the gradient back into the caller's volume, as ConvNetJS leaves it there.
 */
export class InputLayer extends LayerBase<InputLayerSpec> {

  constructor(spec: InputLayerSpec) {
    super(spec);
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

  backward(withInputGradient = true): void {
    if (withInputGradient) this.inAct?.dw.set(this.outAct.dw);
  }
}

export const inputLayer = layerDescriptor<InputLayerSpec, InputLayerJSON>({
  types: ['input'],
  fields: {
    input: [
      intField('out_sx', 1, 'input width', true),
      intField('out_sy', 1, 'input height', true),
      intField('out_depth', 1, 'input channels', true),
      { ...intField('in_sx', 1, 'same as out_sx'), aliasOf: 'out_sx' },
      { ...intField('in_sy', 1, 'same as out_sy'), aliasOf: 'out_sy' },
      { ...intField('in_depth', 1, 'same as out_depth'), aliasOf: 'out_depth' },
      ...APPENDED_LAYER_FIELDS,
    ],
  },
  expand(def) {
    const shape = { sx: num(def, 'out_sx', 0), sy: num(def, 'out_sy', 0), depth: num(def, 'out_depth', 0) };
    return [{ type: 'input', sourceIndex: def.index, in: shape, out: shape }];
  },
  create: (spec) => new InputLayer(spec),
  toJSON: (spec) => ({ ...outJSON(spec), layer_type: 'input' }),
  fromJSON(reader, _prev, base) {
    const out = { sx: reader.integer('out_sx', 1), sy: reader.integer('out_sy', 1), depth: reader.integer('out_depth', 1) };
    return { ...base, type: 'input', in: out, out };
  },
  definitionLine: (spec) => ({
    fields: [
      ['out_sx', spec.out.sx],
      ['out_sy', spec.out.sy],
      ['out_depth', spec.out.depth],
    ],
  }),
});
