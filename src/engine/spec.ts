/**
 * Network specifications: the shared machinery that turns a user's layer definitions
 * into resolved layers. Each layer type's own part (its fields, desugaring, spec type)
 * lives in its module in layers/ and is found through the registry; the trainer options
 * are in trainer-spec.ts. Re-exported here, so this stays the one place to import specs from.
 *
 * Two forms of a layer exist:
 * - `LayerDef`: what a user writes, ConvNetJS field names (snake_case), before desugaring;
 * - `ResolvedLayer`: one concrete layer after desugaring and validation, with its input and
 *   output shapes computed and every default filled in (camelCase, internal).
 *
 * Every error names the layer index and type, the field, what was wrong and, where
 * possible, what would fit.
 */
import {
  choiceProblem,
  describeRange,
  describeValue,
  formatNumber,
  IssueList,
  isPlainObject,
  numberProblem,
  type LayerFieldSchema,
} from './fields';
import {
  formatShape,
  NO_INPUT,
  shapeSize,
  type CheckedDef,
  type DefinitionProblems,
  type Shape,
  type Unindexed,
} from './layers/descriptor';
import { descriptorOf, isLayerType, LAYER_DESCRIPTORS, LAYER_TYPES, type LayerType, type ResolvedLayer } from './layers/registry';
import type { LossType } from './layers/losses';
import { LIMITS } from './limits';
import { closestName, listNames, shortName, suggestion } from './suggest';

export type { DropoutLayerSpec } from './layers/dropout';
export type { LossType } from './layers/losses';
export type { LrnLayerSpec } from './layers/lrn';
export type { MaxoutLayerSpec } from './layers/maxout';
export { shapeSize, type Shape } from './layers/descriptor';
export { LAYER_TYPES, type LayerType, type ResolvedLayer } from './layers/registry';
export {
  describeRange,
  numberProblem,
  SpecError,
  type LayerFieldSchema,
  type NumberFieldSchema,
  type SpecIssue,
} from './fields';
export { LIMITS } from './limits';
export * from './trainer-spec';

/** A layer as a user writes it (ConvNetJS `layer_defs.push({...})`), not yet checked. */
export interface LayerDef {
  type: string;
  [field: string]: unknown;
}

/** Every field each layer type accepts, besides `type`, gathered from the layer modules. */
export const LAYER_FIELDS: Readonly<Record<LayerType, readonly LayerFieldSchema[]>> = Object.assign(
  {},
  ...LAYER_DESCRIPTORS.map((d) => d.fields),
) as Record<LayerType, readonly LayerFieldSchema[]>;

export function isLossType(type: string): type is LossType {
  return isLayerType(type) && descriptorOf(type).isLoss === true;
}

/** Number of trainable values a layer owns (weights plus biases). */
export function paramCount(layer: ResolvedLayer): number {
  return descriptorOf(layer.type).paramCount?.(layer) ?? 0;
}

/** Total trainable values of a resolved network. */
export function totalParamCount(layers: readonly ResolvedLayer[]): number {
  let total = 0;
  for (const layer of layers) total += paramCount(layer);
  return total;
}

/** Activation values a layer holds (output, plus what it keeps besides, e.g. a conv layer's padded input). */
export function layerActivationCount(layer: ResolvedLayer | Unindexed<ResolvedLayer>): number {
  const extra = descriptorOf(layer.type).workspaceValues?.(layer as ResolvedLayer) ?? 0;
  return shapeSize(layer.out) + extra;
}

// ---------------------------------------------------------------------------
// Layers: check each definition, then desugar and compute shapes

/** Reports problems of one definition under its index and type. */
function problemsOf(def: { index: number; type: string }, issues: IssueList): DefinitionProblems {
  return { report: (field, text) => issues.layer(def.index, def.type, field, text) };
}

/** Checks one user definition's type and fields; returns null if it cannot be resolved. */
function checkLayerDef(def: unknown, index: number, issues: IssueList): (CheckedDef & { type: LayerType }) | null {
  if (!isPlainObject(def)) {
    issues.layer(index, undefined, undefined, `expected an object like {type:'conv', ...}, got ${describeValue(def)}`);
    return null;
  }
  const type = def.type;
  if (type === undefined) {
    const hint =
      def.layer_type !== undefined
        ? "; this looks like a layer of a ConvNetJS snapshot (layer_type), which is loaded with snapshot import, not as a definition"
        : `; use one of ${listNames(LAYER_TYPES)}`;
    issues.layer(index, undefined, 'type', `type is missing${hint}`);
    return null;
  }
  if (typeof type !== 'string') {
    issues.layer(index, undefined, 'type', `type is ${describeValue(type)}; use one of ${listNames(LAYER_TYPES)}`);
    return null;
  }
  if (!isLayerType(type)) {
    // ConvNetJS has a quadtransform layer, but it is undocumented and not part of this engine.
    const what = type === 'quadtransform' ? 'is not supported here' : 'is not a layer type';
    issues.layer(index, undefined, 'type', `type '${shortName(type)}' ${what}; ${suggestion(type, LAYER_TYPES)}`);
    return null;
  }
  const layerType = type as LayerType;
  const schema = LAYER_FIELDS[layerType];
  const names = schema.map((f) => f.name);
  const values: CheckedDef['values'] = {};
  // Fields an unknown key was taken to be a typo of: not reported missing a second time.
  const suggested = new Set<string>();
  let ok = true;

  for (const key of Object.keys(def)) {
    if (key === 'type') continue;
    const field = schema.find((f) => f.name === key);
    if (field === undefined) {
      ok = false;
      const near = closestName(key, names);
      let text: string;
      if (near !== undefined) {
        suggested.add(near);
        text = `unknown field '${shortName(key)}'; did you mean '${near}'?`;
      } else if (isLossType(layerType) && (key === 'activation' || key === 'drop_prob')) {
        text = `${key} cannot follow a loss layer, which must stay last; put it on the layer before`;
      } else {
        text = `unknown field '${shortName(key)}'; ${layerType} layers take ${names.length > 0 ? listNames(names, 'and') : 'no fields besides type'}`;
      }
      issues.layer(index, layerType, key, text);
      continue;
    }
    const value = def[key];
    // ConvNetJS treats an explicit undefined as absent.
    if (value === undefined) continue;
    const problem =
      field.kind === 'choice' ? choiceProblem(field, value, 'a supported activation') : numberProblem(field, value);
    if (problem !== null) {
      ok = false;
      issues.layer(index, layerType, key, problem);
      continue;
    }
    const canonical = field.aliasOf ?? field.name;
    const existing = values[canonical];
    if (existing !== undefined && existing !== value) {
      ok = false;
      issues.layer(
        index,
        layerType,
        key,
        `${key} ${String(value)} and ${canonical} ${String(existing)} name the same setting with different values; keep one`,
      );
      continue;
    }
    values[canonical] = value as number | string;
  }

  const given = (name: string): boolean => def[name] !== undefined;
  for (const field of schema) {
    const alias = schema.find((f) => f.aliasOf === field.name);
    if (field.required && !given(field.name) && !(alias !== undefined && given(alias.name)) && !suggested.has(field.name)) {
      ok = false;
      const also = alias ? ` (or ${alias.name})` : '';
      const fits = field.kind === 'choice' ? `use ${listNames(field.options)}` : `use ${describeRange(field)}`;
      issues.layer(index, layerType, field.name, `${field.name}${also} is missing; ${fits} (${field.help})`);
    }
  }

  if (values.group_size !== undefined && layerType !== 'maxout' && values.activation !== 'maxout') {
    ok = false;
    issues.layer(
      index,
      layerType,
      'group_size',
      "group_size only applies with activation 'maxout'; add activation:'maxout' or remove group_size",
    );
  }
  const checkValues = descriptorOf(layerType).checkValues;
  if (checkValues !== undefined && !checkValues({ index, type: layerType, values }, problemsOf({ index, type: layerType }, issues))) {
    ok = false;
  }
  return ok ? { index, type: layerType, values } : null;
}

/**
 * Expands one checked definition into the concrete layers ConvNetJS would build (the
 * layer module's own expansion, then the `activation` and `drop_prob` sugar: extra
 * layers after it) and computes their shapes. Returns null, after reporting why, if the
 * layers cannot be built on `input`.
 */
function expandDef(def: CheckedDef & { type: LayerType }, input: Shape | null, issues: IssueList): Unindexed<ResolvedLayer>[] | null {
  if (def.type !== 'input' && input === null) return null;
  const problems = problemsOf(def, issues);
  const out = descriptorOf(def.type).expand(def, input ?? NO_INPUT, problems);
  if (out === null) return null;
  const v = def.values;
  const appended: { type: LayerType; values: CheckedDef['values'] }[] = [];
  if (typeof v.activation === 'string') {
    const values: CheckedDef['values'] = v.group_size !== undefined ? { group_size: v.group_size } : {};
    appended.push({ type: v.activation as LayerType, values });
  }
  if (def.type !== 'dropout' && typeof v.drop_prob === 'number') appended.push({ type: 'dropout', values: { drop_prob: v.drop_prob } });
  for (const sugar of appended) {
    const shape = out[out.length - 1]!.out;
    const layers = descriptorOf(sugar.type).expand({ index: def.index, type: sugar.type, values: sugar.values }, shape, problems);
    if (layers === null) return null;
    out.push(...layers);
  }
  return out;
}

/** Reports layers whose output volume is over the activation cap. */
function checkActivationCap(def: CheckedDef, layers: readonly Unindexed<ResolvedLayer>[], issues: IssueList): boolean {
  for (const layer of layers) {
    const size = shapeSize(layer.out);
    if (size > LIMITS.maxLayerActivations) {
      issues.layer(
        def.index,
        def.type,
        undefined,
        `${layer.type === 'input' ? 'the input' : `the ${layer.type} output`} ${formatShape(layer.out)} holds ${formatNumber(size)} values, more than the limit of ` +
          `${formatNumber(LIMITS.maxLayerActivations)} per layer; use smaller sizes or fewer filters`,
      );
      return false;
    }
  }
  return true;
}


/** Structural rules: input first and only first, a loss last and only last. */
function checkOrder(defs: readonly unknown[], issues: IssueList): void {
  // Only known types take part: an unknown one was already reported with a suggestion.
  const typeAt = (i: number): LayerType | undefined => {
    const d = defs[i];
    return isPlainObject(d) && isLayerType(d.type) ? d.type : undefined;
  };
  const last = defs.length - 1;
  const firstType = typeAt(0);
  if (firstType !== undefined && firstType !== 'input') {
    issues.layer(
      0,
      firstType,
      'type',
      "the first layer must be an input layer, e.g. {type:'input', out_sx:24, out_sy:24, out_depth:1}",
    );
  }
  for (let i = 1; i < defs.length; i++) {
    if (typeAt(i) === 'input') {
      issues.layer(i, 'input', 'type', 'an input layer can only be the first layer');
    }
  }
  for (let i = 0; i < last; i++) {
    const type = typeAt(i);
    if (type !== undefined && isLossType(type)) {
      const after = last - i;
      issues.layer(
        i,
        type,
        'type',
        `a loss layer must be the last layer, but ${after} layer${after === 1 ? '' : 's'} follow${after === 1 ? 's' : ''} it; move it to the end`,
      );
    }
  }
  const lastType = typeAt(last);
  if (lastType !== undefined && last > 0 && !isLossType(lastType)) {
    issues.layer(
      last,
      lastType,
      'type',
      "the last layer must be a loss layer (softmax, svm or regression), e.g. {type:'softmax', num_classes:10}",
    );
  }
}

/**
 * Turns a user's layer definitions (ConvNetJS `layer_defs`) into concrete layers:
 * every field checked, ConvNetJS's desugaring applied, defaults filled, shapes computed.
 * Throws SpecError listing every problem found; a rejected definition builds nothing.
 */
export function resolveLayers(defs: unknown): ResolvedLayer[] {
  const issues = new IssueList();
  if (!Array.isArray(defs)) {
    issues.general(
      `the layer definitions must be an array like [{type:'input', ...}, ..., {type:'softmax', num_classes:10}]; got ${describeValue(defs)}`,
    );
    issues.throwIfAny();
    return [];
  }
  if (defs.length > LIMITS.maxLayers) {
    issues.general(`the network has ${defs.length} layer definitions, more than the limit of ${LIMITS.maxLayers}`);
    issues.throwIfAny();
  }
  if (defs.length < 2) {
    issues.general(
      "a network needs at least an input layer and a loss layer, e.g. {type:'input', out_sx:24, out_sy:24, out_depth:1} and {type:'softmax', num_classes:10}",
    );
  }

  // Array.from, not defs.map: map would construct its result through defs.constructor,
  // which an array from outside can have redefined.
  const checked = Array.from(defs as unknown[], (def, i) => checkLayerDef(def, i, issues));
  checkOrder(defs, issues);

  // Shapes chain from the input, so stop computing them at the first layer that cannot be
  // built: later shape complaints would only echo that one.
  const resolved: Unindexed<ResolvedLayer>[] = [];
  let shape: Shape | null = null;
  let largest: { def: CheckedDef; params: number } | null = null;
  let activations = 0;
  for (const def of checked) {
    if (def === null) break;
    if (def.type !== 'input' && shape === null) break;
    const layers = expandDef(def, shape, issues);
    if (layers === null || !checkActivationCap(def, layers, issues)) break;
    for (const layer of layers) {
      const params = paramCount(layer as ResolvedLayer);
      if (largest === null || params > largest.params) largest = { def, params };
      activations += layerActivationCount(layer);
    }
    if (activations > LIMITS.maxTotalActivations) {
      issues.layer(
        def.index,
        def.type,
        undefined,
        `the layers up to this one hold ${formatNumber(activations)} activation values, more than the limit of ` +
          `${formatNumber(LIMITS.maxTotalActivations)} for the whole network; use a smaller input, fewer filters or pool earlier`,
      );
      break;
    }
    resolved.push(...layers);
    shape = layers[layers.length - 1]!.out;
  }

  const withIndex = resolved.map((layer, index) => ({ ...layer, index }) as ResolvedLayer);
  const total = totalParamCount(withIndex);
  if (total > LIMITS.maxParams && largest !== null) {
    issues.layer(
      largest.def.index,
      largest.def.type,
      undefined,
      `the network has ${formatNumber(total)} parameters, more than the limit of ${formatNumber(LIMITS.maxParams)}; ` +
        `this layer alone has ${formatNumber(largest.params)}, so make it smaller (fewer filters or neurons, or pool before it)`,
    );
  }
  if (withIndex.length > LIMITS.maxLayers) {
    issues.general(
      `the network expands to ${withIndex.length} layers (activation, dropout and loss layers included), more than the limit of ${LIMITS.maxLayers}`,
    );
  }
  issues.throwIfAny();
  return withIndex;
}
