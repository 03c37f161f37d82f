/**
 * Network definition text for models that arrive without one (an imported ONNX model,
 * a snapshot file): ConvNetJS `layer_defs.push({...})` lines that parseNetwork reads
 * back into the same layers.
 */
import type { LayerDef, ResolvedLayer } from '../spec';

function decayFields(spec: { l1DecayMul: number; l2DecayMul: number }): Partial<LayerDef> {
  // ConvNetJS's defaults are l1 0 and l2 1; only other values need writing.
  return {
    ...(spec.l1DecayMul !== 0 ? { l1_decay_mul: spec.l1DecayMul } : {}),
    ...(spec.l2DecayMul !== 1 ? { l2_decay_mul: spec.l2DecayMul } : {}),
  };
}

/**
 * The user-level definitions of resolved (desugared) layers. The fc layer that
 * desugaring puts before a loss is left out, since the loss definition brings it back.
 */
export function layerDefsOf(specs: readonly ResolvedLayer[]): LayerDef[] {
  const defs: LayerDef[] = [];
  specs.forEach((spec, i) => {
    const next = specs[i + 1];
    const beforeLoss = next?.type === 'softmax' || next?.type === 'svm' || next?.type === 'regression';
    switch (spec.type) {
      case 'input':
        defs.push({ type: 'input', out_sx: spec.out.sx, out_sy: spec.out.sy, out_depth: spec.out.depth });
        break;
      case 'conv':
        defs.push({ type: 'conv', sx: spec.sx, sy: spec.sy, filters: spec.filters, stride: spec.stride, pad: spec.pad, ...decayFields(spec) });
        break;
      case 'fc':
        if (!beforeLoss) defs.push({ type: 'fc', num_neurons: spec.numNeurons, ...decayFields(spec) });
        break;
      case 'pool':
        defs.push({ type: 'pool', sx: spec.sx, sy: spec.sy, stride: spec.stride, pad: spec.pad });
        break;
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        defs.push({ type: spec.type });
        break;
      case 'maxout':
        defs.push({ type: 'maxout', group_size: spec.groupSize });
        break;
      case 'dropout':
        defs.push({ type: 'dropout', drop_prob: spec.dropProb });
        break;
      case 'lrn':
        defs.push({ type: 'lrn', k: spec.k, n: spec.n, alpha: spec.alpha, beta: spec.beta });
        break;
      case 'softmax':
      case 'svm':
        defs.push({ type: spec.type, num_classes: spec.numClasses });
        break;
      case 'regression':
        defs.push({ type: 'regression', num_neurons: spec.numNeurons });
        break;
    }
  });
  return defs;
}

function formatDef(def: LayerDef): string {
  const fields = Object.entries(def).map(([key, value]) => `${key}:${typeof value === 'string' ? `'${value}'` : String(value)}`);
  return `{${fields.join(', ')}}`;
}

/** A ConvNetJS snippet of `defs` with the demo's trainer (a model file carries no trainer). */
export function definitionTextOf(defs: readonly LayerDef[]): string {
  return [
    'layer_defs = [];',
    ...defs.map((def) => `layer_defs.push(${formatDef(def)});`),
    '',
    'net = new convnetjs.Net();',
    'net.makeLayers(layer_defs);',
    '',
    "trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:20, l2_decay:0.001});",
    '',
  ].join('\n');
}
