/**
 * Network and trainer specifications.
 *
 * Three forms exist:
 * - `LayerDef`: what a user writes, ConvNetJS field names (snake_case), before desugaring;
 * - `ResolvedLayer`: one concrete layer after desugaring and validation, with its input and
 *   output shapes computed and every default filled in (camelCase, internal);
 * - `TrainerSpec`: the trainer options, ConvNetJS names, every field filled in.
 *
 * Validation lives here too: every error names the layer index and type, the field,
 * what was wrong and, where possible, what would fit.
 */

import { closestName, listNames, shortName, suggestion } from './suggest';

export const LAYER_TYPES = [
  'input',
  'conv',
  'fc',
  'pool',
  'relu',
  'sigmoid',
  'tanh',
  'maxout',
  'dropout',
  'lrn',
  'softmax',
  'svm',
  'regression',
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];
export type LossType = 'softmax' | 'svm' | 'regression';

export const TRAINER_METHODS = ['sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta', 'nesterov'] as const;
export type TrainerMethod = (typeof TRAINER_METHODS)[number];

/** A layer as a user writes it (ConvNetJS `layer_defs.push({...})`), not yet checked. */
export interface LayerDef {
  type: string;
  [field: string]: unknown;
}

export interface Shape {
  sx: number;
  sy: number;
  depth: number;
}

interface ResolvedBase {
  /** Position in the desugared layer list. */
  index: number;
  /** Position of the user's definition this layer came from (desugaring adds layers). */
  sourceIndex: number;
  in: Shape;
  out: Shape;
}

export interface InputLayerSpec extends ResolvedBase {
  type: 'input';
}
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
export interface FcLayerSpec extends ResolvedBase {
  type: 'fc';
  numNeurons: number;
  biasPref: number;
  l1DecayMul: number;
  l2DecayMul: number;
}
export interface PoolLayerSpec extends ResolvedBase {
  type: 'pool';
  sx: number;
  sy: number;
  stride: number;
  pad: number;
}
export interface ActivationLayerSpec extends ResolvedBase {
  type: 'relu' | 'sigmoid' | 'tanh';
}
export interface MaxoutLayerSpec extends ResolvedBase {
  type: 'maxout';
  groupSize: number;
}
export interface DropoutLayerSpec extends ResolvedBase {
  type: 'dropout';
  dropProb: number;
}
export interface LrnLayerSpec extends ResolvedBase {
  type: 'lrn';
  k: number;
  n: number;
  alpha: number;
  beta: number;
}
export interface ClassifierLossSpec extends ResolvedBase {
  type: 'softmax' | 'svm';
  numClasses: number;
}
export interface RegressionLossSpec extends ResolvedBase {
  type: 'regression';
  numNeurons: number;
}

export type ResolvedLayer =
  | InputLayerSpec
  | ConvLayerSpec
  | FcLayerSpec
  | PoolLayerSpec
  | ActivationLayerSpec
  | MaxoutLayerSpec
  | DropoutLayerSpec
  | LrnLayerSpec
  | ClassifierLossSpec
  | RegressionLossSpec;

/** Trainer options with ConvNetJS's names; a validated spec has every field set. */
export interface TrainerSpec {
  method: TrainerMethod;
  learning_rate: number;
  momentum: number;
  batch_size: number;
  l1_decay: number;
  l2_decay: number;
  /** Adadelta / windowgrad decay rate. */
  ro: number;
  /** Numerical guard in adaptive methods. */
  eps: number;
  /** Adam moment decay rates. */
  beta1: number;
  beta2: number;
}

/** Number of trainable values a layer owns (weights plus biases). */
export function paramCount(layer: ResolvedLayer): number {
  switch (layer.type) {
    case 'conv':
      return layer.filters * layer.sx * layer.sy * layer.in.depth + layer.filters;
    case 'fc':
      return layer.numNeurons * layer.in.sx * layer.in.sy * layer.in.depth + layer.numNeurons;
    default:
      return 0;
  }
}

export function shapeSize(s: Shape): number {
  return s.sx * s.sy * s.depth;
}

/** Total trainable values of a resolved network. */
export function totalParamCount(layers: readonly ResolvedLayer[]): number {
  let total = 0;
  for (const layer of layers) total += paramCount(layer);
  return total;
}

// ---------------------------------------------------------------------------
// Errors

/** One problem found in a definition; `message` is a full sentence a user can act on. */
export interface SpecIssue {
  message: string;
  /** Index in the user's layer_defs (before desugaring), 0-based. */
  layerIndex?: number;
  layerType?: string;
  field?: string;
  /** 1-based position in the definition text, when the problem came from parsed text. */
  line?: number;
  column?: number;
}

/** A rejected network or trainer definition; `message` is the first issue. */
export class SpecError extends Error {
  readonly issues: SpecIssue[];

  constructor(issues: SpecIssue[]) {
    super(issues[0]?.message ?? 'the definition is not valid');
    this.name = 'SpecError';
    this.issues = issues;
  }
}

/**
 * Caps that keep a pasted definition from exhausting memory. A network over a cap is
 * rejected, never truncated.
 */
export const LIMITS = {
  maxParams: 20_000_000,
  /** Values in one layer's output volume (and in a conv layer's zero-padded input). */
  maxLayerActivations: 50_000_000,
  /**
   * Values in all layer outputs and padded conv inputs together. A net keeps each with
   * its gradient, so this bounds its activation memory (8 bytes a value) where the
   * per-layer cap alone would allow 200 layers of 50 million.
   */
  maxTotalActivations: 100_000_000,
  /** Layers after desugaring (and user definitions before it). */
  maxLayers: 200,
  /**
   * Size of a definition text, in UTF-8 bytes. 200 layers take about 20 kB; the cap keeps
   * the worst text to parse (JSON5 on dense tokens, about 1 ms per kB) well within a second.
   */
  maxDefinitionBytes: 100_000,
  /** Length of a snapshot's JSON text, checked before JSON.parse (about 50 MB of ASCII JSON). */
  maxSnapshotChars: 50_000_000,
} as const;

// ---------------------------------------------------------------------------
// Field schemas: one typed description per user-settable field. Validation messages and
// editor forms both read these, so the list of fields exists once.

export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'maxout'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface NumberFieldSchema<Name extends string = string> {
  name: Name;
  kind: 'int' | 'float';
  min: number;
  minInclusive: boolean;
  max: number;
  maxInclusive: boolean;
  help: string;
}

export interface ChoiceFieldSchema<Name extends string = string, Option extends string = string> {
  name: Name;
  kind: 'choice';
  options: readonly Option[];
  help: string;
}

export type LayerFieldSchema = (NumberFieldSchema | ChoiceFieldSchema) & {
  /** The layer cannot be built without this field (or its alias). */
  required?: boolean;
  /** ConvNetJS also accepts this name for another field (fc `filters` = `num_neurons`). */
  aliasOf?: string;
};

function intField(name: string, min: number, help: string, required = false): LayerFieldSchema {
  return { name, kind: 'int', min, minInclusive: true, max: Infinity, maxInclusive: true, help, required };
}

function floatField(
  name: string,
  help: string,
  range: Partial<Pick<NumberFieldSchema, 'min' | 'minInclusive' | 'max' | 'maxInclusive'>> = {},
  required = false,
): LayerFieldSchema {
  return {
    name,
    kind: 'float',
    min: range.min ?? -Infinity,
    minInclusive: range.minInclusive ?? true,
    max: range.max ?? Infinity,
    maxInclusive: range.maxInclusive ?? true,
    help,
    required,
  };
}

/** Fields ConvNetJS's desugaring reads on any non-loss layer: they append layers after it. */
const APPENDED_LAYER_FIELDS: readonly LayerFieldSchema[] = [
  {
    name: 'activation',
    kind: 'choice',
    options: ACTIVATIONS,
    help: 'appends an activation layer after this one',
  },
  intField('group_size', 1, "channels per maxout group (with activation 'maxout'); default 2"),
  floatField('drop_prob', 'appends a dropout layer with this drop probability', {
    min: 0,
    max: 1,
    maxInclusive: false,
  }),
];

const DECAY_MUL_FIELDS: readonly LayerFieldSchema[] = [
  floatField('bias_pref', 'initial bias; default 0.1 with relu activation, else 0'),
  floatField('l1_decay_mul', 'multiplier of the trainer l1_decay for the weights; default 0', { min: 0 }),
  floatField('l2_decay_mul', 'multiplier of the trainer l2_decay for the weights; default 1', { min: 0 }),
];

const WINDOW_FIELDS: readonly LayerFieldSchema[] = [
  intField('sx', 1, 'window width', true),
  intField('sy', 1, 'window height; default sx'),
  intField('pad', 0, 'zero padding on each side; default 0'),
];

/** Every field each layer type accepts, besides `type`. */
export const LAYER_FIELDS: Readonly<Record<LayerType, readonly LayerFieldSchema[]>> = {
  input: [
    intField('out_sx', 1, 'input width', true),
    intField('out_sy', 1, 'input height', true),
    intField('out_depth', 1, 'input channels', true),
    { ...intField('in_sx', 1, 'same as out_sx'), aliasOf: 'out_sx' },
    { ...intField('in_sy', 1, 'same as out_sy'), aliasOf: 'out_sy' },
    { ...intField('in_depth', 1, 'same as out_depth'), aliasOf: 'out_depth' },
    ...APPENDED_LAYER_FIELDS,
  ],
  conv: [
    ...WINDOW_FIELDS,
    intField('filters', 1, 'number of filters (output channels)', true),
    intField('stride', 1, 'step between filter positions; default 1'),
    ...DECAY_MUL_FIELDS,
    ...APPENDED_LAYER_FIELDS,
  ],
  fc: [
    intField('num_neurons', 1, 'number of neurons', true),
    { ...intField('filters', 1, 'same as num_neurons'), aliasOf: 'num_neurons' },
    ...DECAY_MUL_FIELDS,
    ...APPENDED_LAYER_FIELDS,
  ],
  pool: [
    ...WINDOW_FIELDS,
    intField('stride', 1, 'step between windows; default 2'),
    ...APPENDED_LAYER_FIELDS,
  ],
  relu: APPENDED_LAYER_FIELDS,
  sigmoid: APPENDED_LAYER_FIELDS,
  tanh: APPENDED_LAYER_FIELDS,
  maxout: APPENDED_LAYER_FIELDS,
  // drop_prob here is the layer's own probability (default 0.5), not an appended dropout.
  dropout: APPENDED_LAYER_FIELDS,
  lrn: [
    floatField('k', 'additive constant of the normaliser', { min: 0, minInclusive: false }, true),
    intField('n', 1, 'channels in the normalisation window (odd)', true),
    floatField('alpha', 'scale of the sum of squares', { min: 0 }, true),
    floatField('beta', 'exponent of the normaliser', {}, true),
    ...APPENDED_LAYER_FIELDS,
  ],
  softmax: [intField('num_classes', 1, 'number of classes', true)],
  svm: [intField('num_classes', 1, 'number of classes', true)],
  regression: [intField('num_neurons', 1, 'number of outputs', true)],
};

const LOSS_TYPES: readonly string[] = ['softmax', 'svm', 'regression'] satisfies LossType[];

export function isLossType(type: string): type is LossType {
  return LOSS_TYPES.includes(type);
}

// ---------------------------------------------------------------------------
// Value checks shared by layer and trainer fields

function formatNumber(n: number): string {
  return Math.abs(n) >= 10_000 && Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string '${value.length > 30 ? `${value.slice(0, 30)}...` : value}'`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** "a whole number, at least 1", "a number, at least 0 and less than 1" */
export function describeRange(field: NumberFieldSchema): string {
  const bounds: string[] = [];
  if (field.min > -Infinity) {
    bounds.push(`${field.minInclusive ? 'at least' : 'greater than'} ${formatNumber(field.min)}`);
  }
  if (field.max < Infinity) {
    bounds.push(`${field.maxInclusive ? 'at most' : 'less than'} ${formatNumber(field.max)}`);
  }
  const noun = field.kind === 'int' ? 'a whole number' : 'a finite number';
  return bounds.length > 0 ? `${noun}, ${bounds.join(' and ')}` : noun;
}

/** What is wrong with `value` for this field, as the end of a sentence, or null if it fits. */
export function numberProblem(field: NumberFieldSchema, value: unknown): string | null {
  const fits = `use ${describeRange(field)}`;
  if (typeof value !== 'number') {
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
      return `${field.name} is ${describeValue(value)}; write the number ${value.trim()} without quotes`;
    }
    return `${field.name} is ${describeValue(value)}; ${fits}`;
  }
  if (!Number.isFinite(value)) return `${field.name} is ${value}; ${fits}`;
  if (field.kind === 'int' && !Number.isInteger(value)) {
    return `${field.name} ${value} is not a whole number; ${fits}`;
  }
  const belowMin = field.minInclusive ? value < field.min : value <= field.min;
  const aboveMax = field.maxInclusive ? value > field.max : value >= field.max;
  if (belowMin || aboveMax) return `${field.name} ${formatNumber(value)} is out of range; ${fits}`;
  return null;
}

function choiceProblem(field: ChoiceFieldSchema, value: unknown, what: string): string | null {
  if (typeof value !== 'string') {
    return `${field.name} is ${describeValue(value)}; use ${listNames(field.options)}`;
  }
  if (field.options.includes(value)) return null;
  return `${field.name} '${shortName(value)}' is not ${what}; ${suggestion(value, field.options)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Layers: check each definition, then desugar and compute shapes

type CheckedValues = Record<string, number | string>;

interface CheckedDef {
  index: number;
  type: LayerType;
  values: CheckedValues;
}

function layerWhere(index: number, type?: string): string {
  return type === undefined ? `layer ${index}` : `layer ${index} (${type})`;
}

class IssueList {
  readonly items: SpecIssue[] = [];

  layer(index: number, type: string | undefined, field: string | undefined, text: string): void {
    const issue: SpecIssue = { message: `${layerWhere(index, type)}: ${text}`, layerIndex: index };
    if (type !== undefined) issue.layerType = type;
    if (field !== undefined) issue.field = field;
    this.items.push(issue);
  }

  general(text: string, field?: string): void {
    this.items.push(field === undefined ? { message: text } : { message: text, field });
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new SpecError(this.items);
  }
}

/** Checks one user definition's type and fields; returns null if it cannot be resolved. */
function checkLayerDef(def: unknown, index: number, issues: IssueList): CheckedDef | null {
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
  if (!(LAYER_TYPES as readonly string[]).includes(type)) {
    // ConvNetJS has a quadtransform layer, but it is undocumented and not part of this engine.
    const what = type === 'quadtransform' ? 'is not supported here' : 'is not a layer type';
    issues.layer(index, undefined, 'type', `type '${shortName(type)}' ${what}; ${suggestion(type, LAYER_TYPES)}`);
    return null;
  }
  const layerType = type as LayerType;
  const schema = LAYER_FIELDS[layerType];
  const names = schema.map((f) => f.name);
  const values: CheckedValues = {};
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
  if (layerType === 'lrn' && typeof values.n === 'number' && values.n % 2 === 0) {
    ok = false;
    issues.layer(
      index,
      layerType,
      'n',
      `n ${values.n} must be odd so the window is centred on each channel; use ${values.n - 1} or ${values.n + 1}`,
    );
  }
  return ok ? { index, type: layerType, values } : null;
}

function num(values: CheckedValues, name: string, fallback: number): number {
  const v = values[name];
  return typeof v === 'number' ? v : fallback;
}

function formatShape(s: Shape): string {
  return `${s.sx}x${s.sy}x${s.depth}`;
}

type Unindexed<T> = T extends ResolvedLayer ? Omit<T, 'index'> : never;

/** Output extent of a sliding window; ConvNetJS floors, trimming windows that overhang. */
function windowOutput(inSize: number, size: number, pad: number, stride: number): number {
  return Math.floor((inSize + 2 * pad - size) / stride + 1);
}

/**
 * Checks that a sliding window fits the padded input along both axes and returns the
 * output width and height, or null after reporting why it does not fit.
 */
function windowOutputShape(
  def: CheckedDef,
  input: Shape,
  sx: number,
  sy: number,
  pad: number,
  stride: number,
  issues: IssueList,
): { sx: number; sy: number } | null {
  let ok = true;
  const axes = [
    { field: 'sx', size: sx, extent: input.sx, word: 'wider', dim: 'width' },
    { field: 'sy', size: sy, extent: input.sy, word: 'taller', dim: 'height' },
  ];
  for (const axis of axes) {
    const padded = axis.extent + 2 * pad;
    // An sy copied from sx that fails the same way would only repeat the sx complaint.
    const echoesSx = axis.field === 'sy' && def.values.sy === undefined && !ok && input.sy === input.sx;
    if (axis.size > padded && !echoesSx) {
      ok = false;
      const defaulted = axis.field === 'sy' && def.values.sy === undefined ? ' (taken from sx)' : '';
      const padNeeded = Math.ceil((axis.size - axis.extent) / 2);
      issues.layer(
        def.index,
        def.type,
        axis.field,
        `${axis.field} ${axis.size}${defaulted} is ${axis.word} than the padded input (${axis.dim} ${axis.extent} + 2*pad ${pad} = ${padded}), ` +
          `so there would be no output; use ${axis.field} at most ${padded} or pad at least ${padNeeded}`,
      );
    }
  }
  if (!ok) return null;
  return { sx: windowOutput(input.sx, sx, pad, stride), sy: windowOutput(input.sy, sy, pad, stride) };
}

/**
 * Expands one checked definition into the concrete layers ConvNetJS would build
 * (loss -> fc + loss; activation and drop_prob -> extra layers after it) and computes
 * their shapes. Returns null, after reporting why, if the layers cannot be built on `input`.
 */
function expandDef(def: CheckedDef, input: Shape | null, issues: IssueList): Unindexed<ResolvedLayer>[] | null {
  const v = def.values;
  const sourceIndex = def.index;
  const out: Unindexed<ResolvedLayer>[] = [];
  let shape: Shape;

  if (def.type === 'input') {
    shape = { sx: num(v, 'out_sx', 0), sy: num(v, 'out_sy', 0), depth: num(v, 'out_depth', 0) };
    out.push({ type: 'input', sourceIndex, in: shape, out: shape });
  } else {
    if (input === null) return null;
    switch (def.type) {
      case 'conv': {
        const sx = num(v, 'sx', 0);
        const sy = num(v, 'sy', sx);
        const pad = num(v, 'pad', 0);
        const stride = num(v, 'stride', 1);
        const size = windowOutputShape(def, input, sx, sy, pad, stride, issues);
        if (size === null) return null;
        // The conv kernels keep a zero-padded copy of the input (and of its gradient).
        const padded = convPaddedInputSize(input, pad);
        if (padded > LIMITS.maxLayerActivations) {
          issues.layer(
            def.index,
            def.type,
            'pad',
            `pad ${formatNumber(pad)} on an input of ${formatShape(input)} makes a padded input of ${formatNumber(padded)} values, ` +
              `more than the limit of ${formatNumber(LIMITS.maxLayerActivations)} per layer; use a smaller pad`,
          );
          return null;
        }
        const filters = num(v, 'filters', 0);
        shape = { sx: size.sx, sy: size.sy, depth: filters };
        out.push({
          type: 'conv',
          sourceIndex,
          in: input,
          out: shape,
          sx,
          sy,
          filters,
          stride,
          pad,
          biasPref: num(v, 'bias_pref', v.activation === 'relu' ? 0.1 : 0),
          l1DecayMul: num(v, 'l1_decay_mul', 0),
          l2DecayMul: num(v, 'l2_decay_mul', 1),
        });
        break;
      }
      case 'pool': {
        const sx = num(v, 'sx', 0);
        const sy = num(v, 'sy', sx);
        const pad = num(v, 'pad', 0);
        const stride = num(v, 'stride', 2);
        if (pad >= Math.min(sx, sy)) {
          // A window lying wholly in the padding has no input to take the max of.
          issues.layer(
            def.index,
            def.type,
            'pad',
            `pad ${pad} is not smaller than the window (${sx}x${sy}), so some windows would cover only padding; use pad at most ${Math.min(sx, sy) - 1}`,
          );
          return null;
        }
        const size = windowOutputShape(def, input, sx, sy, pad, stride, issues);
        if (size === null) return null;
        shape = { sx: size.sx, sy: size.sy, depth: input.depth };
        out.push({ type: 'pool', sourceIndex, in: input, out: shape, sx, sy, stride, pad });
        break;
      }
      case 'fc': {
        const numNeurons = num(v, 'num_neurons', 0);
        shape = { sx: 1, sy: 1, depth: numNeurons };
        out.push({
          type: 'fc',
          sourceIndex,
          in: input,
          out: shape,
          numNeurons,
          biasPref: num(v, 'bias_pref', v.activation === 'relu' ? 0.1 : 0),
          l1DecayMul: num(v, 'l1_decay_mul', 0),
          l2DecayMul: num(v, 'l2_decay_mul', 1),
        });
        break;
      }
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        shape = input;
        out.push({ type: def.type, sourceIndex, in: input, out: shape });
        break;
      case 'maxout': {
        const groupSize = num(v, 'group_size', 2);
        if (!maxoutFits(def, input, groupSize, issues)) return null;
        shape = { sx: input.sx, sy: input.sy, depth: Math.floor(input.depth / groupSize) };
        out.push({ type: 'maxout', sourceIndex, in: input, out: shape, groupSize });
        break;
      }
      case 'dropout':
        shape = input;
        out.push({ type: 'dropout', sourceIndex, in: input, out: shape, dropProb: num(v, 'drop_prob', 0.5) });
        break;
      case 'lrn':
        shape = input;
        out.push({
          type: 'lrn',
          sourceIndex,
          in: input,
          out: shape,
          k: num(v, 'k', 0),
          n: num(v, 'n', 0),
          alpha: num(v, 'alpha', 0),
          beta: num(v, 'beta', 0),
        });
        break;
      case 'softmax':
      case 'svm':
      case 'regression': {
        // ConvNetJS inserts a plain fc layer (no bias preference, default decay) so the loss
        // sees exactly one score per class or output.
        const isRegression = def.type === 'regression';
        const n = num(v, isRegression ? 'num_neurons' : 'num_classes', 0);
        shape = { sx: 1, sy: 1, depth: n };
        out.push({
          type: 'fc',
          sourceIndex,
          in: input,
          out: shape,
          numNeurons: n,
          biasPref: 0,
          l1DecayMul: 0,
          l2DecayMul: 1,
        });
        out.push(
          isRegression
            ? { type: 'regression', sourceIndex, in: shape, out: shape, numNeurons: n }
            : { type: def.type as 'softmax' | 'svm', sourceIndex, in: shape, out: shape, numClasses: n },
        );
        break;
      }
    }
  }

  const activation = v.activation;
  if (typeof activation === 'string') {
    if (activation === 'maxout') {
      const groupSize = num(v, 'group_size', 2);
      if (!maxoutFits(def, shape, groupSize, issues)) return null;
      const next = { sx: shape.sx, sy: shape.sy, depth: Math.floor(shape.depth / groupSize) };
      out.push({ type: 'maxout', sourceIndex, in: shape, out: next, groupSize });
      shape = next;
    } else {
      out.push({ type: activation as 'relu' | 'sigmoid' | 'tanh', sourceIndex, in: shape, out: shape });
    }
  }
  if (def.type !== 'dropout' && typeof v.drop_prob === 'number') {
    out.push({ type: 'dropout', sourceIndex, in: shape, out: shape, dropProb: v.drop_prob });
  }
  return out;
}

function maxoutFits(def: CheckedDef, input: Shape, groupSize: number, issues: IssueList): boolean {
  if (groupSize <= input.depth) return true;
  issues.layer(
    def.index,
    def.type,
    'group_size',
    `group_size ${groupSize} is larger than the input depth ${input.depth}, which would leave no outputs; use group_size at most ${input.depth}`,
  );
  return false;
}

/** Values in the zero-padded copy of its input that a conv layer keeps. */
export function convPaddedInputSize(input: Shape, pad: number): number {
  return (input.sx + 2 * pad) * (input.sy + 2 * pad) * input.depth;
}

/** Activation values a layer holds (output, plus the padded input of a conv layer). */
export function layerActivationCount(layer: Pick<ResolvedLayer, 'type' | 'in' | 'out'> & { pad?: number }): number {
  const padded = layer.type === 'conv' ? convPaddedInputSize(layer.in, layer.pad ?? 0) : 0;
  return shapeSize(layer.out) + padded;
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
    return isPlainObject(d) && (LAYER_TYPES as readonly unknown[]).includes(d.type) ? (d.type as LayerType) : undefined;
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

// ---------------------------------------------------------------------------
// Trainer

export type TrainerNumberField = Exclude<keyof TrainerSpec, 'method'>;

export type TrainerFieldSchema = (
  | ChoiceFieldSchema<'method', TrainerMethod>
  | NumberFieldSchema<TrainerNumberField>
) & {
  label: string;
  /** Methods whose update rule reads this field; the others ignore it. */
  usedBy: readonly TrainerMethod[];
};

const ALL_METHODS = TRAINER_METHODS;

/**
 * Every trainer option with its range. resolveTrainer validates against this list and
 * the controls form is drawn from it.
 */
export const TRAINER_FIELDS: readonly TrainerFieldSchema[] = [
  {
    name: 'method',
    label: 'Method',
    kind: 'choice',
    options: TRAINER_METHODS,
    help: 'update rule: sgd (with momentum), adam, adagrad, windowgrad, adadelta or nesterov',
    usedBy: ALL_METHODS,
  },
  {
    name: 'learning_rate',
    label: 'Learning rate',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'step size; adadelta does not use it',
    usedBy: ['sgd', 'adam', 'adagrad', 'windowgrad', 'nesterov'],
  },
  {
    name: 'momentum',
    label: 'Momentum',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1,
    maxInclusive: false,
    help: 'fraction of the previous step kept (sgd, nesterov); 0 turns it off',
    usedBy: ['sgd', 'nesterov'],
  },
  {
    name: 'batch_size',
    label: 'Batch size',
    kind: 'int',
    min: 1,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'examples whose gradients are summed before each update',
    usedBy: ALL_METHODS,
  },
  {
    name: 'l1_decay',
    label: 'L1 decay',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'L1 weight penalty, scaled per layer by l1_decay_mul',
    usedBy: ALL_METHODS,
  },
  {
    name: 'l2_decay',
    label: 'L2 decay',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'L2 weight penalty, scaled per layer by l2_decay_mul',
    usedBy: ALL_METHODS,
  },
  {
    name: 'ro',
    label: 'Ro',
    kind: 'float',
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: false,
    help: 'decay rate of the running averages (adadelta, windowgrad)',
    usedBy: ['adadelta', 'windowgrad'],
  },
  {
    name: 'eps',
    label: 'Epsilon',
    kind: 'float',
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: true,
    help: 'small constant that keeps adaptive steps finite',
    usedBy: ['adam', 'adagrad', 'windowgrad', 'adadelta'],
  },
  {
    name: 'beta1',
    label: 'Beta 1',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1,
    maxInclusive: false,
    help: 'decay rate of the first moment (adam)',
    usedBy: ['adam'],
  },
  {
    name: 'beta2',
    label: 'Beta 2',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1,
    maxInclusive: false,
    help: 'decay rate of the second moment (adam)',
    usedBy: ['adam'],
  },
];

/** ConvNetJS's eps default differs for adam (1e-8) from the other adaptive methods (1e-6). */
export function defaultEps(method: TrainerMethod): number {
  return method === 'adam' ? 1e-8 : 1e-6;
}

/** ConvNetJS's Trainer defaults. */
export const DEFAULT_TRAINER: Readonly<TrainerSpec> = Object.freeze({
  method: 'sgd',
  learning_rate: 0.01,
  momentum: 0.9,
  batch_size: 1,
  l1_decay: 0,
  l2_decay: 0,
  ro: 0.95,
  eps: 1e-6,
  beta1: 0.9,
  beta2: 0.999,
});

/**
 * Checks trainer options (ConvNetJS names) and fills the missing ones from `base`
 * (ConvNetJS's defaults when absent), so a form can send only what changed. Unknown
 * methods and fields are errors, not silent fallbacks. Throws SpecError.
 */
export function resolveTrainer(def: unknown, base: Readonly<TrainerSpec> = DEFAULT_TRAINER): TrainerSpec {
  const issues = new IssueList();
  const options = def ?? {};
  if (!isPlainObject(options)) {
    issues.general(
      `trainer: the options must be an object like {method:'adadelta', batch_size:20}; got ${describeValue(options)}`,
    );
    issues.throwIfAny();
    return { ...base };
  }
  const names = TRAINER_FIELDS.map((f) => f.name);
  const result: TrainerSpec = { ...base };
  const set = result as unknown as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (value === undefined) continue;
    const field = TRAINER_FIELDS.find((f) => f.name === key);
    if (field === undefined) {
      issues.general(`trainer: unknown option '${shortName(key)}'; ${suggestion(key, names)}`, key);
      continue;
    }
    const problem =
      field.kind === 'choice' ? choiceProblem(field, value, 'a trainer method') : numberProblem(field, value);
    if (problem !== null) {
      issues.general(`trainer: ${problem}`, key);
      continue;
    }
    set[key] = value;
  }
  issues.throwIfAny();
  // A method switch brings that method's eps default along, unless eps was set by hand
  // (given now, or changed from the base method's default earlier).
  if (options.eps === undefined && base.eps === defaultEps(base.method)) {
    result.eps = defaultEps(result.method);
  }
  return result;
}
