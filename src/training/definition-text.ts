/**
 * Writes resolved layers and a trainer spec back as the ConvNetJS snippet people type
 * into the network box. Used after loading a snapshot, so the editor shows a definition
 * that builds the network now in force.
 *
 * Desugaring is undone where ConvNetJS would redo it: the fc inserted before a loss is
 * folded back into `{type:'softmax', num_classes}`, and an activation directly after a
 * conv or fc becomes its `activation` field. parseNetwork(text) gives the same layers.
 */
import { parseNetwork } from '../engine/parse';
import { DEFAULT_TRAINER, defaultEps, TRAINER_FIELDS, type ResolvedLayer, type TrainerSpec } from '../engine/spec';

type Field = [name: string, value: string | number];

export function definitionText(layers: readonly ResolvedLayer[], trainer: TrainerSpec): string {
  const lines = ['layer_defs = [];'];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const next = layers[i + 1];
    // The fc ConvNetJS puts before every loss layer is implied by the loss layer itself.
    if (layer.type === 'fc' && next && (next.type === 'softmax' || next.type === 'svm' || next.type === 'regression')) {
      continue;
    }
    const fields: Field[] = [['type', layer.type]];
    switch (layer.type) {
      case 'input':
        fields.push(['out_sx', layer.out.sx], ['out_sy', layer.out.sy], ['out_depth', layer.out.depth]);
        break;
      case 'conv':
      case 'fc': {
        if (layer.type === 'conv') {
          fields.push(['sx', layer.sx]);
          if (layer.sy !== layer.sx) fields.push(['sy', layer.sy]);
          fields.push(['filters', layer.filters], ['stride', layer.stride], ['pad', layer.pad]);
        } else {
          fields.push(['num_neurons', layer.numNeurons]);
        }
        const activation = next && isFoldableActivation(next) ? next : null;
        if (activation) {
          fields.push(['activation', activation.type]);
          if (activation.type === 'maxout' && activation.groupSize !== 2) fields.push(['group_size', activation.groupSize]);
          i++;
        }
        const impliedBias = activation?.type === 'relu' ? 0.1 : 0;
        if (layer.biasPref !== impliedBias) fields.push(['bias_pref', layer.biasPref]);
        if (layer.l1DecayMul !== 0) fields.push(['l1_decay_mul', layer.l1DecayMul]);
        if (layer.l2DecayMul !== 1) fields.push(['l2_decay_mul', layer.l2DecayMul]);
        break;
      }
      case 'pool':
        fields.push(['sx', layer.sx]);
        if (layer.sy !== layer.sx) fields.push(['sy', layer.sy]);
        fields.push(['stride', layer.stride]);
        if (layer.pad !== 0) fields.push(['pad', layer.pad]);
        break;
      case 'maxout':
        fields.push(['group_size', layer.groupSize]);
        break;
      case 'dropout':
        fields.push(['drop_prob', layer.dropProb]);
        break;
      case 'lrn':
        fields.push(['k', layer.k], ['n', layer.n], ['alpha', layer.alpha], ['beta', layer.beta]);
        break;
      case 'softmax':
      case 'svm':
        fields.push(['num_classes', layer.numClasses]);
        break;
      case 'regression':
        fields.push(['num_neurons', layer.numNeurons]);
        break;
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        break;
    }
    lines.push(`layer_defs.push(${objectLiteral(fields)});`);
  }
  lines.push('', 'net = new convnetjs.Net();', 'net.makeLayers(layer_defs);', '');
  lines.push(`trainer = new convnetjs.SGDTrainer(net, ${objectLiteral(trainerFields(trainer))});`);
  return lines.join('\n') + '\n';
}

/**
 * The definition text with `trainer` in force: where the text declares its trainer once
 * (`new convnetjs.SGDTrainer(net, {...})`, or `"trainer": {...}` in JSON) only that
 * object is rewritten, so the layer lines and comments stay as the person wrote them;
 * otherwise the whole definition is written afresh. parseNetwork(result) gives `layers`
 * and `trainer` either way, so a link or a reload rebuilds the run in force.
 */
export function definitionWithTrainer(text: string, layers: readonly ResolvedLayer[], trainer: TrainerSpec): string {
  const fields = trainerFields(trainer);
  const json = JSON.stringify(Object.fromEntries(fields));
  const patterns: [RegExp, (prefix: string) => string][] = [
    [/(new\s+convnetjs\.(?:SGD)?Trainer\s*\(\s*[A-Za-z_$][\w$]*\s*,\s*)\{[^{}]*\}/g, (prefix) => prefix + objectLiteral(fields)],
    [/("trainer"\s*:\s*)\{[^{}]*\}/g, (prefix) => prefix + json],
  ];
  for (const [pattern, replace] of patterns) {
    const matches = [...text.matchAll(pattern)];
    if (matches.length !== 1) continue;
    const match = matches[0];
    const candidate = text.slice(0, match.index) + replace(match[1]) + text.slice(match.index + match[0].length);
    if (buildsTheSame(candidate, layers, trainer)) return candidate;
  }
  return definitionText(layers, trainer);
}

function buildsTheSame(text: string, layers: readonly ResolvedLayer[], trainer: TrainerSpec): boolean {
  try {
    const parsed = parseNetwork(text);
    return JSON.stringify(parsed.layers) === JSON.stringify(layers) && JSON.stringify(parsed.trainer) === JSON.stringify(trainer);
  } catch {
    return false;
  }
}

function isFoldableActivation(layer: ResolvedLayer): boolean {
  return layer.type === 'relu' || layer.type === 'sigmoid' || layer.type === 'tanh' || layer.type === 'maxout';
}

/** The trainer options that differ from ConvNetJS's defaults, method first. */
function trainerFields(trainer: TrainerSpec): Field[] {
  const fields: Field[] = [['method', trainer.method]];
  for (const field of TRAINER_FIELDS) {
    if (field.name === 'method') continue;
    const value = trainer[field.name];
    const fallback = field.name === 'eps' ? defaultEps(trainer.method) : DEFAULT_TRAINER[field.name];
    if (value !== fallback) fields.push([field.name, value]);
  }
  return fields;
}

function objectLiteral(fields: readonly Field[]): string {
  const parts = fields.map(([name, value]) => `${name}:${typeof value === 'string' ? `'${value}'` : String(value)}`);
  return `{${parts.join(', ')}}`;
}
