import { intField } from '../fields';
import type { Kernels } from '../kernels/contract';
import { jsKernels } from '../kernels/js-blocked';
import type { Rng } from '../rng';
import { dims } from '../snapshot-reader';
import {
  APPENDED_LAYER_FIELDS,
  DECAY_MUL_FIELDS,
  layerDescriptor,
  num,
  outJSON,
  readDecayMuls,
  shapeSize,
  weightDefaults,
  weightsJSON,
  weightedLayerTail,
  type LayerJSONBase,
  type ResolvedBase,
  type VolJSON,
  type WeightShape,
} from './descriptor';
import { DenseLayer } from './dense';
import type { ParamArena } from './layer';

export interface FcLayerSpec extends ResolvedBase {
  type: 'fc';
  numNeurons: number;
  biasPref: number;
  l1DecayMul: number;
  l2DecayMul: number;
}
export interface FcLayerJSON extends LayerJSONBase {
  layer_type: 'fc';
  num_inputs: number;
  l1_decay_mul: number;
  l2_decay_mul: number;
  filters: VolJSON[];
  biases: VolJSON;
}

/**
 * Fully connected: each of numNeurons outputs is a dot product of the whole input
 * volume (read flat, in HWC order) with that neuron's weights, plus its bias.
 */
export class FcLayer extends DenseLayer<FcLayerSpec> {
  /** Neuron i's weights are at i * numInputs of `filters`. */
  readonly numInputs: number;

  constructor(spec: FcLayerSpec, arena: ParamArena, rng: Rng, kernels: Kernels = jsKernels) {
    const numInputs = shapeSize(spec.in);
    super(spec, arena, rng, { fanIn: numInputs, count: spec.numNeurons }, () => kernels.fc(numInputs, spec.numNeurons));
    this.numInputs = numInputs;
  }
}

function fcWeightShape(spec: FcLayerSpec): WeightShape {
  return ({ filter: { sx: 1, sy: 1, depth: shapeSize(spec.in) }, count: spec.numNeurons });
}

export const fcLayer = layerDescriptor<FcLayerSpec, FcLayerJSON>({
  types: ['fc'],
  fields: {
    fc: [
      intField('num_neurons', 1, 'number of neurons', true),
      { ...intField('filters', 1, 'same as num_neurons'), aliasOf: 'num_neurons' },
      ...DECAY_MUL_FIELDS,
      ...APPENDED_LAYER_FIELDS,
    ],
  },
  expand(def, input) {
    const numNeurons = num(def, 'num_neurons', 0);
    const out = { sx: 1, sy: 1, depth: numNeurons };
    return [{ type: 'fc', sourceIndex: def.index, in: input, out, numNeurons, ...weightDefaults(def) }];
  },
  create: (spec, arena, rng, kernels) => new FcLayer(spec, arena, rng, kernels),
  paramCount: (spec) => spec.numNeurons * shapeSize(spec.in) + spec.numNeurons,
  weightShape: fcWeightShape,
  toJSON: (spec, params) => ({
    ...outJSON(spec),
    layer_type: 'fc',
    num_inputs: shapeSize(spec.in),
    l1_decay_mul: spec.l1DecayMul,
    l2_decay_mul: spec.l2DecayMul,
    ...weightsJSON(params, spec.index, fcWeightShape(spec)),
  }),
  fromJSON(reader, prev, base) {
    reader.expect('num_inputs', shapeSize(prev), `the previous layer's output ${dims(prev)}`);
    const numNeurons = reader.integer('out_depth', 1);
    reader.expect('out_sx', 1, 'a fully connected layer');
    reader.expect('out_sy', 1, 'a fully connected layer');
    const decay = readDecayMuls(reader);
    const out = { sx: 1, sy: 1, depth: numNeurons };
    return { ...base, type: 'fc', in: prev, out, numNeurons, biasPref: 0, ...decay };
  },
  definitionLine(spec, next) {
    const tail = weightedLayerTail(spec, next);
    return { fields: [['num_neurons', spec.numNeurons], ...tail.fields], foldsNext: tail.foldsNext };
  },
});
