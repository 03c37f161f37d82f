import { dims } from '../snapshot-reader';
import { Volume } from '../volume';
import { APPENDED_LAYER_FIELDS, layerDescriptor, num, outJSON, type LayerJSONBase, type ResolvedBase } from './descriptor';
import { LayerBase } from './layer';

export interface MaxoutLayerSpec extends ResolvedBase {
  type: 'maxout';
  groupSize: number;
}
export interface MaxoutLayerJSON extends LayerJSONBase {
  layer_type: 'maxout';
  group_size: number;
}

/**
 * Maxout: at every (x, y), channels are split into consecutive groups of groupSize
 * and each output channel is its group's maximum (trailing channels that do not
 * fill a group are dropped, as in ConvNetJS). Backward routes the gradient to the
 * winning channel.
 */
export class MaxoutLayer extends LayerBase<MaxoutLayerSpec> {
  /** Flat input index of each output's winner. */
  readonly switches: Int32Array;

  constructor(spec: MaxoutLayerSpec) {
    super(spec);
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
    const input = this.lastInput();
    const dx = input.dw;
    const dOut = this.outAct.dw;
    dx.fill(0);
    for (let n = 0; n < this.switches.length; n++) dx[this.switches[n]] = dOut[n];
  }
}

export const maxoutLayer = layerDescriptor<MaxoutLayerSpec, MaxoutLayerJSON>({
  types: ['maxout'],
  fields: { maxout: APPENDED_LAYER_FIELDS },
  expand(def, input, problems) {
    const groupSize = num(def, 'group_size', 2);
    if (groupSize > input.depth) {
      problems.report(
        'group_size',
        `group_size ${groupSize} is larger than the input depth ${input.depth}, which would leave no outputs; use group_size at most ${input.depth}`,
      );
      return null;
    }
    const out = { sx: input.sx, sy: input.sy, depth: Math.floor(input.depth / groupSize) };
    return [{ type: 'maxout', sourceIndex: def.index, in: input, out, groupSize }];
  },
  create: (spec) => new MaxoutLayer(spec),
  toJSON: (spec) => ({ ...outJSON(spec), layer_type: 'maxout', group_size: spec.groupSize }),
  fromJSON(reader, prev, base) {
    const groupSize = reader.integer('group_size', 1);
    const depth = Math.floor(prev.depth / groupSize);
    if (depth < 1) reader.fail('group_size', `${groupSize} is larger than the input depth ${prev.depth}`);
    const inDesc = `an input of ${dims(prev)}`;
    reader.expect('out_sx', prev.sx, inDesc);
    reader.expect('out_sy', prev.sy, inDesc);
    reader.expect('out_depth', depth, `group_size ${groupSize} on ${inDesc}`);
    return { ...base, type: 'maxout', in: prev, out: { sx: prev.sx, sy: prev.sy, depth }, groupSize };
  },
  definitionLine: (spec) => ({ fields: [['group_size', spec.groupSize]] }),
});
