import { formatNumber, intField } from '../fields';
import { convShapeOf, type Kernels } from '../kernels/contract';
import { jsKernels } from '../kernels/js-blocked';
import { LIMITS } from '../limits';
import type { Rng } from '../rng';
import { dims } from '../snapshot-reader';
import {
  APPENDED_LAYER_FIELDS,
  DECAY_MUL_FIELDS,
  WINDOW_FIELDS,
  formatShape,
  layerDescriptor,
  num,
  outJSON,
  readDecayMuls,
  readWindow,
  readWindowOutput,
  weightDefaults,
  weightsJSON,
  weightedLayerTail,
  windowOf,
  windowOutputShape,
  windowSizeFields,
  type LayerJSONBase,
  type ResolvedBase,
  type Shape,
  type VolJSON,
  type WeightShape,
} from './descriptor';
import { DenseLayer } from './dense';
import type { ParamArena } from './layer';

export interface ConvLayerSpec extends ResolvedBase {
  type: 'conv';
  sx: number;
  sy: number;
  filters: number;
  stride: number;
  pad: number;
  biasPref: number;
  l1DecayMul: number;
  l2DecayMul: number;
}
export interface ConvLayerJSON extends LayerJSONBase {
  layer_type: 'conv';
  sx: number;
  sy: number;
  stride: number;
  in_depth: number;
  l1_decay_mul: number;
  l2_decay_mul: number;
  pad: number;
  filters: VolJSON[];
  biases: VolJSON;
}

/** Values in the zero-padded copy of its input that a conv layer keeps. */
export function convPaddedInputSize(input: Shape, pad: number): number {
  return (input.sx + 2 * pad) * (input.sy + 2 * pad) * input.depth;
}

/**
 * 2-D convolution: `filters` kernels of sx x sy x inDepth slide over the zero-padded
 * input with the given stride; output depth d is filter d's response plus its bias.
 */
export class ConvLayer extends DenseLayer<ConvLayerSpec> {
  constructor(spec: ConvLayerSpec, arena: ParamArena, rng: Rng, kernels: Kernels = jsKernels) {
    const fanIn = spec.sx * spec.sy * spec.in.depth;
    super(spec, arena, rng, { fanIn, count: spec.filters }, () => kernels.conv(convShapeOf(spec)));
  }
}

function convWeightShape(spec: ConvLayerSpec): WeightShape {
  return ({ filter: { sx: spec.sx, sy: spec.sy, depth: spec.in.depth }, count: spec.filters });
}

export const convLayer = layerDescriptor<ConvLayerSpec, ConvLayerJSON>({
  types: ['conv'],
  fields: {
    conv: [
      ...WINDOW_FIELDS,
      intField('filters', 1, 'number of filters (output channels)', true),
      intField('stride', 1, 'step between filter positions; default 1'),
      ...DECAY_MUL_FIELDS,
      ...APPENDED_LAYER_FIELDS,
    ],
  },
  expand(def, input, problems) {
    const window = windowOf(def, 1);
    const size = windowOutputShape(def, input, window, problems);
    if (size === null) return null;
    // The conv kernels keep a zero-padded copy of the input (and of its gradient).
    const padded = convPaddedInputSize(input, window.pad);
    if (padded > LIMITS.maxLayerActivations) {
      problems.report(
        'pad',
        `pad ${formatNumber(window.pad)} on an input of ${formatShape(input)} makes a padded input of ${formatNumber(padded)} values, ` +
          `more than the limit of ${formatNumber(LIMITS.maxLayerActivations)} per layer; use a smaller pad`,
      );
      return null;
    }
    const filters = num(def, 'filters', 0);
    const out = { sx: size.sx, sy: size.sy, depth: filters };
    const { sx, sy, stride, pad } = window;
    return [{ type: 'conv', sourceIndex: def.index, in: input, out, sx, sy, filters, stride, pad, ...weightDefaults(def) }];
  },
  create: (spec, arena, rng, kernels) => new ConvLayer(spec, arena, rng, kernels),
  paramCount: (spec) => spec.filters * spec.sx * spec.sy * spec.in.depth + spec.filters,
  workspaceValues: (spec) => convPaddedInputSize(spec.in, spec.pad),
  weightShape: convWeightShape,
  toJSON: (spec, params) => ({
    sx: spec.sx,
    sy: spec.sy,
    stride: spec.stride,
    in_depth: spec.in.depth,
    ...outJSON(spec),
    layer_type: 'conv',
    l1_decay_mul: spec.l1DecayMul,
    l2_decay_mul: spec.l2DecayMul,
    pad: spec.pad,
    ...weightsJSON(params, spec.index, convWeightShape(spec)),
  }),
  fromJSON(reader, prev, base) {
    const window = readWindow(reader, prev);
    const filters = reader.integer('out_depth', 1);
    const size = readWindowOutput(reader, prev, window);
    const out = { sx: size.sx, sy: size.sy, depth: filters };
    const decay = readDecayMuls(reader);
    const padded = convPaddedInputSize(prev, window.pad);
    if (padded > LIMITS.maxLayerActivations) {
      // The conv kernels keep a zero-padded copy of the input and of its gradient.
      reader.failSentence(
        'pad',
        `pad ${window.pad} on an input of ${dims(prev)} makes a padded input of ${padded} values, ` +
          `over the limit of ${LIMITS.maxLayerActivations} values per layer`,
      );
    }
    return { ...base, type: 'conv', in: prev, out, ...window, filters, biasPref: 0, ...decay };
  },
  definitionLine(spec, next) {
    const tail = weightedLayerTail(spec, next);
    return {
      fields: [...windowSizeFields(spec), ['filters', spec.filters], ['stride', spec.stride], ['pad', spec.pad], ...tail.fields],
      foldsNext: tail.foldsNext,
    };
  },
});
