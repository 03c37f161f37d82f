/**
 * What one layer module tells the rest of the engine about its layer type: the spec it
 * resolves to, the fields a user may write, how ConvNetJS desugars a definition of it,
 * how to build it, how it reads and writes ConvNetJS snapshot JSON, and how it is
 * written back as definition text. spec.ts, snapshot.ts and definition-text.ts hold
 * only the shared machinery and look each type up in the registry (registry.ts), so
 * adding a layer type is one module plus one registry line.
 */
import { floatField, intField, type LayerFieldSchema } from '../fields';
import type { Kernels } from '../kernels/contract';
import type { Rng } from '../rng';
import type { SnapshotLayerReader } from '../snapshot-reader';
import type { Layer, ParamArena, ParamGroup } from './layer';
import type { ResolvedLayer } from './registry';

export interface Shape {
  sx: number;
  sy: number;
  depth: number;
}

export function shapeSize(s: Shape): number {
  return s.sx * s.sy * s.depth;
}

export function formatShape(s: Shape): string {
  return `${s.sx}x${s.sy}x${s.depth}`;
}

/** What the first layer is built on: nothing (an input layer takes its shape from its own fields). */
export const NO_INPUT: Readonly<Shape> = Object.freeze({ sx: 0, sy: 0, depth: 0 });

/** What every resolved layer has: its place in the net and its input and output shapes. */
export interface ResolvedBase {
  /** Position in the desugared layer list. */
  index: number;
  /** Position of the user's definition this layer came from (desugaring adds layers). */
  sourceIndex: number;
  in: Shape;
  out: Shape;
}

/** A resolved layer before the net numbers it. */
export type Unindexed<T> = T extends ResolvedBase ? Omit<T, 'index'> : never;

/** A user definition whose fields each passed their schema, under their canonical names. */
export interface CheckedDef {
  index: number;
  type: string;
  values: Record<string, number | string>;
}

/** Where a layer module reports a problem with the definition being expanded or checked. */
export interface DefinitionProblems {
  report(field: string | undefined, text: string): void;
}

/** The size fields every layer of a ConvNetJS snapshot carries. */
export interface LayerJSONBase {
  out_sx: number;
  out_sy: number;
  out_depth: number;
}

/** One field of a definition text line: `name:value`. */
export type DefinitionField = [name: string, value: string | number];

export interface DefinitionLine {
  fields: DefinitionField[];
  /** The next layer was written into this line (an `activation` field) and gets none of its own. */
  foldsNext?: boolean;
}

/** One ConvNetJS Vol as JSON. `w` is written as an array; on import an index-keyed object is accepted too. */
export interface VolJSON {
  sx: number;
  sy: number;
  depth: number;
  w: number[];
}

/** The weights of a conv or fc layer as ConvNetJS stores them: `count` volumes of `filter`. */
export interface WeightShape {
  filter: Shape;
  count: number;
}

export interface LayerDescriptor<S extends ResolvedBase & { type: string }, J extends LayerJSONBase & { layer_type: string }> {
  /** The ConvNetJS type names this module builds (one, or a family sharing a spec). */
  readonly types: readonly S['type'][];
  /** Every field each type accepts in a definition, besides `type`. */
  readonly fields: Readonly<Record<S['type'], readonly LayerFieldSchema[]>>;
  /** Loss layers end a net; ConvNetJS puts an fc before them, which definition text leaves implied. */
  readonly isLoss?: boolean;
  /** Checks between fields, after each field passed its own range; false after reporting. */
  checkValues?(def: CheckedDef, problems: DefinitionProblems): boolean;
  /**
   * The concrete layers ConvNetJS builds for one definition on `input` (NO_INPUT for the
   * first layer), shapes computed and defaults filled; null after reporting why not.
   * The `activation` and `drop_prob` sugar is added by the shared machinery.
   */
  expand(def: CheckedDef, input: Shape, problems: DefinitionProblems): Unindexed<ResolvedLayer>[] | null;
  create(spec: S, arena: ParamArena, rng: Rng, kernels: Kernels): Layer;
  /** Trainable values (weights plus biases); none when absent. */
  paramCount?(spec: S): number;
  /** Values the layer keeps besides its output (a conv layer's padded input). */
  workspaceValues?(spec: S): number;
  /** Shape of the weights in a snapshot, for layers that have them. */
  weightShape?(spec: S): WeightShape;
  /** The snapshot object of this layer, as ConvNetJS's toJSON writes it (weights from `params`). */
  toJSON(spec: S, params: readonly ParamGroup[]): J;
  /** Reads a snapshot layer after `prev` (NO_INPUT for the first); every failure goes through the reader. */
  fromJSON(reader: SnapshotLayerReader, prev: Shape, base: { index: number; sourceIndex: number }): S;
  /** The definition-text line of this layer; `next` is the layer after it, if any. */
  definitionLine(spec: S, next: ResolvedLayer | undefined): DefinitionLine;
}

/** Defines a descriptor with its spec and JSON types checked against each other. */
export function layerDescriptor<S extends ResolvedBase & { type: string }, J extends LayerJSONBase & { layer_type: string }>(
  descriptor: LayerDescriptor<S, J>,
): LayerDescriptor<S, J> {
  return descriptor;
}

/** The snapshot size fields of a spec. */
export function outJSON(spec: ResolvedBase): LayerJSONBase {
  return { out_depth: spec.out.depth, out_sx: spec.out.sx, out_sy: spec.out.sy };
}

/** A checked number field's value, or `fallback` when the user left it out. */
export function num(def: CheckedDef, name: string, fallback: number): number {
  const v = def.values[name];
  return typeof v === 'number' ? v : fallback;
}

// ---------------------------------------------------------------------------
// Fields several layer types share

export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'maxout'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Fields ConvNetJS's desugaring reads on any non-loss layer: they append layers after it. */
export const APPENDED_LAYER_FIELDS: readonly LayerFieldSchema[] = [
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

export const DECAY_MUL_FIELDS: readonly LayerFieldSchema[] = [
  floatField('bias_pref', 'initial bias; default 0.1 with relu activation, else 0'),
  floatField('l1_decay_mul', 'multiplier of the trainer l1_decay for the weights; default 0', { min: 0 }),
  floatField('l2_decay_mul', 'multiplier of the trainer l2_decay for the weights; default 1', { min: 0 }),
];

export const WINDOW_FIELDS: readonly LayerFieldSchema[] = [
  intField('sx', 1, 'window width', true),
  intField('sy', 1, 'window height; default sx'),
  intField('pad', 0, 'zero padding on each side; default 0'),
];

// ---------------------------------------------------------------------------
// Pieces of the weighted layers (conv, fc)

/** The filters and biases groups of a conv or fc layer. */
export function weightGroups(params: readonly ParamGroup[], index: number): { filters: ParamGroup; biases: ParamGroup } {
  const filters = params.find((g) => g.kind === 'filters');
  const biases = params.find((g) => g.kind === 'biases');
  if (!filters || !biases) throw new Error(`layer ${index} has no filters/biases parameter groups`);
  return { filters, biases };
}

/** A weighted layer's `filters` (one volume per filter or neuron) and `biases`, as ConvNetJS writes them. */
export function weightsJSON(params: readonly ParamGroup[], index: number, shape: WeightShape): { filters: VolJSON[]; biases: VolJSON } {
  const { filters, biases } = weightGroups(params, index);
  const size = shapeSize(shape.filter);
  const vols: VolJSON[] = [];
  for (let f = 0; f < shape.count; f++) vols.push(volJSON(shape.filter, filters.w.subarray(f * size, (f + 1) * size)));
  return { filters: vols, biases: volJSON({ sx: 1, sy: 1, depth: shape.count }, biases.w) };
}

function volJSON(shape: Shape, w: Float32Array): VolJSON {
  // Array.from keeps each float32 exactly (as a double); JSON then round-trips it bit for bit.
  return { sx: shape.sx, sy: shape.sy, depth: shape.depth, w: Array.from(w) };
}

/** The spec fields a weighted layer takes from its definition. */
export function weightDefaults(def: CheckedDef): { biasPref: number; l1DecayMul: number; l2DecayMul: number } {
  return {
    biasPref: num(def, 'bias_pref', def.values.activation === 'relu' ? 0.1 : 0),
    l1DecayMul: num(def, 'l1_decay_mul', 0),
    l2DecayMul: num(def, 'l2_decay_mul', 1),
  };
}

/**
 * The definition fields that follow a conv or fc layer's own: the activation right after
 * it folded into an `activation` field, then whatever differs from the defaults that
 * activation implies.
 */
export function weightedLayerTail(
  spec: { biasPref: number; l1DecayMul: number; l2DecayMul: number },
  next: ResolvedLayer | undefined,
): DefinitionLine {
  const fields: DefinitionField[] = [];
  const activation = next && (ACTIVATIONS as readonly string[]).includes(next.type) ? next : null;
  if (activation) {
    fields.push(['activation', activation.type]);
    if (activation.type === 'maxout' && activation.groupSize !== 2) fields.push(['group_size', activation.groupSize]);
  }
  const impliedBias = activation?.type === 'relu' ? 0.1 : 0;
  if (spec.biasPref !== impliedBias) fields.push(['bias_pref', spec.biasPref]);
  if (spec.l1DecayMul !== 0) fields.push(['l1_decay_mul', spec.l1DecayMul]);
  if (spec.l2DecayMul !== 1) fields.push(['l2_decay_mul', spec.l2DecayMul]);
  return { fields, foldsNext: activation !== null };
}

/** Snapshot fields of a weighted layer: ConvNetJS's fromJSON defaults missing multipliers to 1. */
export function readDecayMuls(reader: SnapshotLayerReader): { l1DecayMul: number; l2DecayMul: number } {
  return { l1DecayMul: reader.atLeast('l1_decay_mul', 0, false, 1), l2DecayMul: reader.atLeast('l2_decay_mul', 0, false, 1) };
}

// ---------------------------------------------------------------------------
// Sliding windows (conv, pool)

/** Output extent of a sliding window; ConvNetJS floors, trimming windows that overhang. */
export function windowOutput(inSize: number, size: number, pad: number, stride: number): number {
  return Math.floor((inSize + 2 * pad - size) / stride + 1);
}

/**
 * Checks that a sliding window fits the padded input along both axes and returns the
 * output width and height, or null after reporting why it does not fit.
 */
export function windowOutputShape(
  def: CheckedDef,
  input: Shape,
  window: { sx: number; sy: number; pad: number; stride: number },
  problems: DefinitionProblems,
): { sx: number; sy: number } | null {
  const { sx, sy, pad, stride } = window;
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
      problems.report(
        axis.field,
        `${axis.field} ${axis.size}${defaulted} is ${axis.word} than the padded input (${axis.dim} ${axis.extent} + 2*pad ${pad} = ${padded}), ` +
          `so there would be no output; use ${axis.field} at most ${padded} or pad at least ${padNeeded}`,
      );
    }
  }
  if (!ok) return null;
  return { sx: windowOutput(input.sx, sx, pad, stride), sy: windowOutput(input.sy, sy, pad, stride) };
}

/** The window fields of a conv or pool definition, sy defaulting to sx. */
export function windowOf(def: CheckedDef, defaultStride: number): { sx: number; sy: number; pad: number; stride: number } {
  const sx = num(def, 'sx', 0);
  return { sx, sy: num(def, 'sy', sx), pad: num(def, 'pad', 0), stride: num(def, 'stride', defaultStride) };
}

/** Definition fields of a square-or-not window: sy only when it differs from sx. */
export function windowSizeFields(spec: { sx: number; sy: number }): DefinitionField[] {
  return spec.sy !== spec.sx ? [['sx', spec.sx], ['sy', spec.sy]] : [['sx', spec.sx]];
}

/** Reads a conv or pool window from a snapshot and checks its input depth. */
export function readWindow(reader: SnapshotLayerReader, prev: Shape): { sx: number; sy: number; stride: number; pad: number } {
  const sx = reader.integer('sx', 1);
  const sy = reader.integer('sy', 1);
  const stride = reader.integer('stride', 1);
  const pad = reader.integer('pad', 0, 0);
  reader.expect('in_depth', prev.depth, 'the previous layer');
  return { sx, sy, stride, pad };
}

/** The output width and height a snapshot states for a window, checked against its input. */
export function readWindowOutput(
  reader: SnapshotLayerReader,
  prev: Shape,
  w: { sx: number; sy: number; stride: number; pad: number },
): { sx: number; sy: number } {
  return {
    sx: reader.outSize('out_sx', prev.sx, w.sx, w.stride, w.pad),
    sy: reader.outSize('out_sy', prev.sy, w.sy, w.stride, w.pad),
  };
}
