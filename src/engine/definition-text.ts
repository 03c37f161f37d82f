/**
 * Writes resolved layers and a trainer spec back as the ConvNetJS snippet people type
 * into the network box. Used after loading a snapshot, so the editor shows a definition
 * that builds the network now in force.
 *
 * Desugaring is undone where ConvNetJS would redo it: the fc inserted before a loss is
 * folded back into `{type:'softmax', num_classes}`, and an activation directly after a
 * conv or fc becomes its `activation` field. parseNetwork(text) gives the same layers.
 */
import { parseNetwork } from './parse';
import type { DefinitionField } from './layers/descriptor';
import { descriptorOf } from './layers/registry';
import { DEFAULT_TRAINER, defaultEps, isLossType, TRAINER_FIELDS, type ResolvedLayer, type TrainerSpec } from './spec';

type Field = DefinitionField;

export function definitionText(layers: readonly ResolvedLayer[], trainer: TrainerSpec): string {
  const lines = ['layer_defs = [];'];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const next = layers[i + 1];
    // The fc ConvNetJS puts before every loss layer is implied by the loss layer itself.
    if (layer.type === 'fc' && next && isLossType(next.type)) continue;
    const line = descriptorOf(layer.type).definitionLine(layer, next);
    if (line.foldsNext) i++;
    lines.push(`layer_defs.push(${objectLiteral([['type', layer.type], ...line.fields])});`);
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
