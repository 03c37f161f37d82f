/**
 * Save and load networks in ConvNetJS's JSON snapshot format (`net.toJSON()` /
 * `net.fromJSON(json)`), so snapshots move both ways between ConvNetJS and this engine.
 *
 * Format: `{ layers: [...] }`, one object per (desugared) layer with `layer_type`,
 * `out_sx`, `out_sy`, `out_depth` and type-specific fields; conv and fc layers carry
 * `filters` (one volume `{sx, sy, depth, w}` per filter or neuron) and `biases`
 * (`{sx: 1, sy: 1, depth: n, w}`). Weights inside a volume are HWC, as in Volume.
 *
 * Weights load exactly (float32), and a net without dropout predicts as in ConvNetJS
 * 0.3.0. With dropout, outputs agree only up to the first dropout layer: ours is the
 * identity at prediction (inverted dropout, see layers/dropout.ts) where 0.3.0
 * multiplies by drop_prob, so the layers after it see values 1 / drop_prob times
 * larger than in 0.3.0 and a net trained there may predict differently here.
 *
 * Loading checks the whole snapshot before building anything: a rejected snapshot
 * throws a SnapshotError naming the layer, its type and the field, and the caller's
 * current net is untouched.
 */
import { Net } from './net';
import type { ParamGroup } from './layers/layer';
import { Rng } from './rng';
import { shortName } from './suggest';
import {
  LAYER_TYPES,
  LIMITS,
  convPaddedInputSize,
  layerActivationCount,
  paramCount,
  shapeSize,
  type LayerType,
  type ResolvedLayer,
  type Shape,
} from './spec';

/** One ConvNetJS Vol as JSON. `w` is written as an array; on import an index-keyed object is accepted too. */
export interface VolJSON {
  sx: number;
  sy: number;
  depth: number;
  w: number[];
}

interface LayerJSONBase {
  out_sx: number;
  out_sy: number;
  out_depth: number;
}

export interface InputLayerJSON extends LayerJSONBase {
  layer_type: 'input';
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
export interface FcLayerJSON extends LayerJSONBase {
  layer_type: 'fc';
  num_inputs: number;
  l1_decay_mul: number;
  l2_decay_mul: number;
  filters: VolJSON[];
  biases: VolJSON;
}
export interface PoolLayerJSON extends LayerJSONBase {
  layer_type: 'pool';
  sx: number;
  sy: number;
  stride: number;
  in_depth: number;
  pad: number;
}
export interface ActivationLayerJSON extends LayerJSONBase {
  layer_type: 'relu' | 'sigmoid' | 'tanh';
}
export interface MaxoutLayerJSON extends LayerJSONBase {
  layer_type: 'maxout';
  group_size: number;
}
export interface DropoutLayerJSON extends LayerJSONBase {
  layer_type: 'dropout';
  drop_prob: number;
}
export interface LrnLayerJSON extends LayerJSONBase {
  layer_type: 'lrn';
  k: number;
  n: number;
  alpha: number;
  beta: number;
}
export interface LossLayerJSON extends LayerJSONBase {
  layer_type: 'softmax' | 'svm' | 'regression';
  num_inputs: number;
}

export type LayerJSON =
  | InputLayerJSON
  | ConvLayerJSON
  | FcLayerJSON
  | PoolLayerJSON
  | ActivationLayerJSON
  | MaxoutLayerJSON
  | DropoutLayerJSON
  | LrnLayerJSON
  | LossLayerJSON;

export interface ConvNetJSSnapshot {
  layers: LayerJSON[];
}

/** A snapshot that cannot be loaded; the message is a sentence a user can act on. */
export class SnapshotError extends Error {
  readonly layerIndex?: number;
  readonly layerType?: string;
  readonly field?: string;

  constructor(message: string, where: { layerIndex?: number; layerType?: string; field?: string } = {}) {
    super(message);
    this.name = 'SnapshotError';
    this.layerIndex = where.layerIndex;
    this.layerType = where.layerType;
    this.field = where.field;
  }
}

// ---------------------------------------------------------------------------
// Saving

/** The net as ConvNetJS's `Net.toJSON()` would write it; weights as plain number arrays. */
export function netToJSON(net: Net): ConvNetJSSnapshot {
  return { layers: net.layers.map((layer) => layerToJSON(layer.spec, layer.params)) };
}

function layerToJSON(spec: ResolvedLayer, params: readonly ParamGroup[]): LayerJSON {
  const out = { out_depth: spec.out.depth, out_sx: spec.out.sx, out_sy: spec.out.sy };
  switch (spec.type) {
    case 'input':
      return { ...out, layer_type: 'input' };
    case 'conv': {
      const { filters, biases } = weightGroups(params, spec.index);
      return {
        sx: spec.sx,
        sy: spec.sy,
        stride: spec.stride,
        in_depth: spec.in.depth,
        ...out,
        layer_type: 'conv',
        l1_decay_mul: spec.l1DecayMul,
        l2_decay_mul: spec.l2DecayMul,
        pad: spec.pad,
        filters: splitFilters(filters.w, spec.filters, { sx: spec.sx, sy: spec.sy, depth: spec.in.depth }),
        biases: volJSON({ sx: 1, sy: 1, depth: spec.filters }, biases.w),
      };
    }
    case 'fc': {
      const { filters, biases } = weightGroups(params, spec.index);
      const numInputs = shapeSize(spec.in);
      return {
        ...out,
        layer_type: 'fc',
        num_inputs: numInputs,
        l1_decay_mul: spec.l1DecayMul,
        l2_decay_mul: spec.l2DecayMul,
        filters: splitFilters(filters.w, spec.numNeurons, { sx: 1, sy: 1, depth: numInputs }),
        biases: volJSON({ sx: 1, sy: 1, depth: spec.numNeurons }, biases.w),
      };
    }
    case 'pool':
      return {
        sx: spec.sx,
        sy: spec.sy,
        stride: spec.stride,
        in_depth: spec.in.depth,
        ...out,
        layer_type: 'pool',
        pad: spec.pad,
      };
    case 'relu':
    case 'sigmoid':
    case 'tanh':
      return { ...out, layer_type: spec.type };
    case 'maxout':
      return { ...out, layer_type: 'maxout', group_size: spec.groupSize };
    case 'dropout':
      return { ...out, layer_type: 'dropout', drop_prob: spec.dropProb };
    case 'lrn':
      return {
        k: spec.k,
        n: spec.n,
        alpha: spec.alpha,
        beta: spec.beta,
        out_sx: spec.out.sx,
        out_sy: spec.out.sy,
        out_depth: spec.out.depth,
        layer_type: 'lrn',
      };
    case 'softmax':
    case 'svm':
    case 'regression':
      return { ...out, layer_type: spec.type, num_inputs: shapeSize(spec.in) };
  }
}

function weightGroups(params: readonly ParamGroup[], index: number): { filters: ParamGroup; biases: ParamGroup } {
  const filters = params.find((g) => g.kind === 'filters');
  const biases = params.find((g) => g.kind === 'biases');
  if (!filters || !biases) throw new Error(`layer ${index} has no filters/biases parameter groups`);
  return { filters, biases };
}

function splitFilters(w: Float32Array, count: number, shape: Shape): VolJSON[] {
  const size = shapeSize(shape);
  const vols: VolJSON[] = [];
  for (let f = 0; f < count; f++) vols.push(volJSON(shape, w.subarray(f * size, (f + 1) * size)));
  return vols;
}

function volJSON(shape: Shape, w: Float32Array): VolJSON {
  // Array.from keeps each float32 exactly (as a double); JSON then round-trips it bit for bit.
  return { sx: shape.sx, sy: shape.sy, depth: shape.depth, w: Array.from(w) };
}

// ---------------------------------------------------------------------------
// Loading

/**
 * Builds a Net from a ConvNetJS snapshot (the object, or its JSON text). Everything
 * is checked first; on any problem a SnapshotError is thrown and nothing is built.
 * `rng` becomes the net's generator (dropout); weights all come from the snapshot.
 */
export function netFromJSON(json: unknown, rng: Rng = new Rng(0)): Net {
  const { specs, weights } = readSnapshot(json);
  const net = new Net(specs, rng);
  for (const layer of net.layers) {
    const layerWeights = weights.get(layer.spec.index);
    if (!layerWeights) continue;
    const { filters, biases } = weightGroups(layer.params, layer.spec.index);
    filters.w.set(layerWeights.filters);
    biases.w.set(layerWeights.biases);
  }
  return net;
}

/**
 * Builds a Net from the text of a snapshot file. The length is checked before JSON.parse,
 * so an oversized file is refused before it costs parse time and memory; then as netFromJSON.
 */
export function parseSnapshotText(text: string, rng: Rng = new Rng(0)): Net {
  return netFromJSON(parseSnapshotJSON(text), rng);
}

/** JSON.parse behind the size cap, with syntax errors as SnapshotErrors. */
function parseSnapshotJSON(text: string): unknown {
  if (text.length > LIMITS.maxSnapshotChars) {
    const mb = (n: number): string => `${Math.round(n / 1e6).toLocaleString('en-US')} MB`;
    throw new SnapshotError(
      `snapshot: the file is about ${mb(text.length)}, over the limit of ${mb(LIMITS.maxSnapshotChars)}; ` +
        'a snapshot of a network this size is too large to load here',
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`snapshot: not valid JSON (${shortName((e as Error).message, 200)})`);
  }
}

export interface LayerWeights {
  /** All filters back to back, filter f at f * filterSize, HWC inside. */
  filters: Float32Array;
  biases: Float32Array;
}

/** A checked snapshot: the layer specs to build and the weights of each conv/fc layer by index. */
export interface ReadSnapshot {
  specs: ResolvedLayer[];
  weights: Map<number, LayerWeights>;
}

const LOSS_TYPES: readonly string[] = ['softmax', 'svm', 'regression'];
const FLOAT32_MAX = 3.4028234663852886e38;

/** Validates a snapshot completely and returns what netFromJSON builds from it. */
export function readSnapshot(json: unknown): ReadSnapshot {
  const root = typeof json === 'string' ? parseSnapshotJSON(json) : json;
  if (!isRecord(root) || !Array.isArray(root.layers)) {
    throw new SnapshotError("snapshot: expected an object with a 'layers' array, as ConvNetJS's net.toJSON() writes");
  }
  const layers: unknown[] = root.layers;
  if (layers.length > LIMITS.maxLayers) {
    throw new SnapshotError(`snapshot: has ${layers.length} layers, over the limit of ${LIMITS.maxLayers}`);
  }
  if (layers.length < 2) {
    throw new SnapshotError(`snapshot: needs at least an input layer and a loss layer, found ${layers.length} layer(s)`);
  }
  const specs: ResolvedLayer[] = [];
  const weights = new Map<number, LayerWeights>();
  let totalParams = 0;
  let totalActivations = 0;
  let prev: Shape | null = null;
  for (let i = 0; i < layers.length; i++) {
    const reader = LayerReader.of(layers[i], i);
    const spec = reader.readSpec(prev, i === layers.length - 1);
    const activations = shapeSize(spec.out);
    if (activations > LIMITS.maxLayerActivations) {
      reader.failSentence(
        'out_depth',
        `output ${dims(spec.out)} = ${activations} values is over the limit of ${LIMITS.maxLayerActivations} values per layer; ` +
          'reduce out_sx, out_sy or out_depth',
      );
    }
    if (spec.type === 'conv' && convPaddedInputSize(spec.in, spec.pad) > LIMITS.maxLayerActivations) {
      // The conv kernels keep a zero-padded copy of the input and of its gradient.
      reader.failSentence(
        'pad',
        `pad ${spec.pad} on an input of ${dims(spec.in)} makes a padded input of ${convPaddedInputSize(spec.in, spec.pad)} values, ` +
          `over the limit of ${LIMITS.maxLayerActivations} values per layer`,
      );
    }
    totalActivations += layerActivationCount(spec);
    if (totalActivations > LIMITS.maxTotalActivations) {
      reader.failSentence(
        'out_depth',
        `the layers up to this one hold ${totalActivations} activation values, over the limit of ${LIMITS.maxTotalActivations} ` +
          'for the whole network; reduce out_sx, out_sy or out_depth',
      );
    }
    totalParams += paramCount(spec);
    if (totalParams > LIMITS.maxParams) {
      reader.failSentence(
        'filters',
        `its ${paramCount(spec)} parameters bring the total to ${totalParams}, over the limit of ${LIMITS.maxParams} ` +
          '(filters and biases of all conv and fc layers)',
      );
    }
    if (spec.type === 'conv') {
      weights.set(i, reader.readWeights({ sx: spec.sx, sy: spec.sy, depth: spec.in.depth }, spec.filters));
    } else if (spec.type === 'fc') {
      weights.set(i, reader.readWeights({ sx: 1, sy: 1, depth: shapeSize(spec.in) }, spec.numNeurons));
    }
    specs.push(spec);
    prev = spec.out;
  }
  return { specs, weights };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function dims(s: Shape): string {
  return `${s.sx}x${s.sy}x${s.depth}`;
}

/** Reads one layer object; every failure names the layer index, its type and the field. */
class LayerReader {
  private constructor(
    private readonly index: number,
    private readonly type: LayerType,
    private readonly obj: Record<string, unknown>,
  ) {}

  static of(value: unknown, index: number): LayerReader {
    if (!isRecord(value)) {
      throw new SnapshotError(`snapshot layer ${index}: expected an object with a layer_type`, { layerIndex: index });
    }
    const type = value.layer_type;
    if (typeof type !== 'string') {
      throw new SnapshotError(`snapshot layer ${index}: layer_type is missing or not a string`, {
        layerIndex: index,
        field: 'layer_type',
      });
    }
    if (!(LAYER_TYPES as readonly string[]).includes(type)) {
      throw new SnapshotError(
        `snapshot layer ${index} (${shortName(type)}): layer_type '${shortName(type)}' is not supported; expected one of ${LAYER_TYPES.join(', ')}`,
        { layerIndex: index, layerType: shortName(type), field: 'layer_type' },
      );
    }
    return new LayerReader(index, type as LayerType, value);
  }

  /** Throws "snapshot layer i (type): <field> <message>". */
  fail(field: string, message: string): never {
    return this.failSentence(field, `${field} ${message}`);
  }

  /** Throws with a sentence that does not start with the field name. */
  failSentence(field: string, sentence: string): never {
    throw new SnapshotError(`snapshot layer ${this.index} (${this.type}): ${sentence}`, {
      layerIndex: this.index,
      layerType: this.type,
      field,
    });
  }

  /** A finite number; `fallback` is used when absent, as ConvNetJS's fromJSON does for some fields. */
  number(field: string, fallback?: number): number {
    const v = this.obj[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (v === undefined) this.fail(field, 'is missing');
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, `must be a finite number, got ${describe(v)}`);
    return v;
  }

  /** A finite number >= min (> min when `exclusive`). */
  atLeast(field: string, min: number, exclusive = false, fallback?: number): number {
    const v = this.number(field, fallback);
    if (exclusive ? v <= min : v < min) this.fail(field, `must be ${exclusive ? '>' : '>='} ${min}, got ${v}`);
    return v;
  }

  integer(field: string, min: number, fallback?: number): number {
    const v = this.number(field, fallback);
    if (!Number.isInteger(v) || v < min) this.fail(field, `must be an integer >= ${min}, got ${v}`);
    return v;
  }

  /** A stated size that must equal what the layer's inputs imply. */
  expect(field: string, expected: number, why: string): void {
    const stated = this.integer(field, 0);
    if (stated !== expected) this.fail(field, `is ${stated}, but ${why} gives ${expected}`);
  }

  readSpec(prev: Shape | null, isLast: boolean): ResolvedLayer {
    const { index, type } = this;
    if (prev === null) {
      if (type !== 'input') this.fail('layer_type', `must be 'input' for the first layer, got '${type}'`);
    } else if (type === 'input') {
      this.fail('layer_type', "'input' may only be the first layer");
    }
    if (isLast && !LOSS_TYPES.includes(type)) {
      this.fail('layer_type', `'${type}' cannot be the last layer; a snapshot ends with softmax, svm or regression`);
    }
    if (!isLast && LOSS_TYPES.includes(type)) {
      this.fail('layer_type', `'${type}' is a loss layer and may only be the last layer`);
    }
    const base = { index, sourceIndex: index };
    if (prev === null) {
      const out = { sx: this.integer('out_sx', 1), sy: this.integer('out_sy', 1), depth: this.integer('out_depth', 1) };
      return { ...base, type: 'input', in: out, out };
    }
    const inDesc = `an input of ${dims(prev)}`;
    switch (type) {
      case 'conv': {
        const sx = this.integer('sx', 1);
        const sy = this.integer('sy', 1);
        const stride = this.integer('stride', 1);
        const pad = this.integer('pad', 0, 0);
        this.expect('in_depth', prev.depth, 'the previous layer');
        const filters = this.integer('out_depth', 1);
        const out = { sx: this.outSize('out_sx', prev.sx, sx, stride, pad), sy: this.outSize('out_sy', prev.sy, sy, stride, pad), depth: filters };
        // ConvNetJS's fromJSON defaults missing multipliers to 1.
        const l1DecayMul = this.atLeast('l1_decay_mul', 0, false, 1);
        const l2DecayMul = this.atLeast('l2_decay_mul', 0, false, 1);
        return { ...base, type, in: prev, out, sx, sy, filters, stride, pad, biasPref: 0, l1DecayMul, l2DecayMul };
      }
      case 'fc': {
        this.expect('num_inputs', shapeSize(prev), `the previous layer's output ${dims(prev)}`);
        const numNeurons = this.integer('out_depth', 1);
        this.expect('out_sx', 1, 'a fully connected layer');
        this.expect('out_sy', 1, 'a fully connected layer');
        // ConvNetJS's fromJSON defaults missing multipliers to 1.
        const l1DecayMul = this.atLeast('l1_decay_mul', 0, false, 1);
        const l2DecayMul = this.atLeast('l2_decay_mul', 0, false, 1);
        const out = { sx: 1, sy: 1, depth: numNeurons };
        return { ...base, type, in: prev, out, numNeurons, biasPref: 0, l1DecayMul, l2DecayMul };
      }
      case 'pool': {
        const sx = this.integer('sx', 1);
        const sy = this.integer('sy', 1);
        const stride = this.integer('stride', 1);
        const pad = this.integer('pad', 0, 0);
        this.expect('in_depth', prev.depth, 'the previous layer');
        this.expect('out_depth', prev.depth, inDesc);
        const out = { sx: this.outSize('out_sx', prev.sx, sx, stride, pad), sy: this.outSize('out_sy', prev.sy, sy, stride, pad), depth: prev.depth };
        return { ...base, type, in: prev, out, sx, sy, stride, pad };
      }
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        this.expectSameShape(prev);
        return { ...base, type, in: prev, out: prev };
      case 'dropout': {
        this.expectSameShape(prev);
        const dropProb = this.number('drop_prob');
        if (dropProb < 0 || dropProb >= 1) this.fail('drop_prob', `must be in [0, 1), got ${dropProb}`);
        return { ...base, type, in: prev, out: prev, dropProb };
      }
      case 'maxout': {
        const groupSize = this.integer('group_size', 1);
        const depth = Math.floor(prev.depth / groupSize);
        if (depth < 1) this.fail('group_size', `${groupSize} is larger than the input depth ${prev.depth}`);
        this.expect('out_sx', prev.sx, inDesc);
        this.expect('out_sy', prev.sy, inDesc);
        this.expect('out_depth', depth, `group_size ${groupSize} on ${inDesc}`);
        return { ...base, type, in: prev, out: { sx: prev.sx, sy: prev.sy, depth }, groupSize };
      }
      case 'lrn': {
        this.expectSameShape(prev);
        const k = this.atLeast('k', 0, true);
        const n = this.integer('n', 1);
        if (n % 2 === 0) this.fail('n', `${n} must be odd so the window is centred on each channel`);
        const alpha = this.atLeast('alpha', 0);
        const beta = this.atLeast('beta', 0);
        return { ...base, type, in: prev, out: prev, k, n, alpha, beta };
      }
      case 'softmax':
      case 'svm':
      case 'regression': {
        const numInputs = shapeSize(prev);
        this.expect('num_inputs', numInputs, `the previous layer's output ${dims(prev)}`);
        this.expect('out_depth', numInputs, 'num_inputs');
        this.expect('out_sx', 1, 'a loss layer');
        this.expect('out_sy', 1, 'a loss layer');
        const out = { sx: 1, sy: 1, depth: numInputs };
        return type === 'regression'
          ? { ...base, type, in: prev, out, numNeurons: numInputs }
          : { ...base, type, in: prev, out, numClasses: numInputs };
      }
      case 'input':
        // Unreachable: rejected above for any layer after the first.
        return this.fail('layer_type', "'input' may only be the first layer");
    }
  }

  private expectSameShape(prev: Shape): void {
    const why = `an elementwise layer on an input of ${dims(prev)}`;
    this.expect('out_sx', prev.sx, why);
    this.expect('out_sy', prev.sy, why);
    this.expect('out_depth', prev.depth, why);
  }

  /** Checks a stated conv/pool output size against floor((in + 2*pad - size)/stride + 1). */
  private outSize(field: 'out_sx' | 'out_sy', inSize: number, size: number, stride: number, pad: number): number {
    const sizeField = field === 'out_sx' ? 'sx' : 'sy';
    const out = Math.floor((inSize + 2 * pad - size) / stride + 1);
    if (out < 1) {
      this.fail(sizeField, `${size} is larger than the padded input (${inSize} + 2*${pad} = ${inSize + 2 * pad})`);
    }
    this.expect(field, out, `${sizeField} ${size}, stride ${stride} and pad ${pad} on an input ${inSize} ${field === 'out_sx' ? 'wide' : 'high'}`);
    return out;
  }

  /** Reads `filters` (count volumes of `shape`) and `biases` (1x1xcount) into flat float32 arrays. */
  readWeights(shape: Shape, count: number): LayerWeights {
    const list = this.obj.filters;
    if (!Array.isArray(list)) this.fail('filters', 'must be an array of volumes {sx, sy, depth, w}');
    if (list.length !== count) this.fail('filters', `has ${list.length} volumes; expected ${count} (out_depth)`);
    const size = shapeSize(shape);
    const filters = new Float32Array(count * size);
    for (let f = 0; f < count; f++) this.readVol(`filters[${f}]`, list[f], shape, filters, f * size);
    const biases = new Float32Array(count);
    this.readVol('biases', this.obj.biases, { sx: 1, sy: 1, depth: count }, biases, 0);
    return { filters, biases };
  }

  private readVol(field: string, vol: unknown, shape: Shape, into: Float32Array, offset: number): void {
    if (!isRecord(vol)) this.fail(field, 'must be a volume object {sx, sy, depth, w}');
    const stated = { sx: vol.sx, sy: vol.sy, depth: vol.depth };
    if (stated.sx !== shape.sx || stated.sy !== shape.sy || stated.depth !== shape.depth) {
      this.fail(
        field,
        `is ${dim(stated.sx)}x${dim(stated.sy)}x${dim(stated.depth)} (sx x sy x depth); expected ${dims(shape)}`,
      );
    }
    const w = vol.w;
    const size = shapeSize(shape);
    const count = valueCount(w);
    if (count === null) this.fail(`${field}.w`, 'must be an array of numbers or an index-keyed object {"0": .., "1": ..}');
    if (count !== size) this.fail(`${field}.w`, `has ${count} values; expected ${size} (${dims(shape)})`);
    const values = w as Record<number, unknown>;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.fail(`${field}.w[${i}]`, `is ${describe(v)}; weights must be finite numbers`);
      }
      if (Math.abs(v) > FLOAT32_MAX) this.fail(`${field}.w[${i}]`, `is ${v}, outside the float32 range`);
      into[offset + i] = v;
    }
  }
}

/** One stated dimension of a volume for a message: '?' when absent. */
function dim(v: unknown): string {
  return v === undefined ? '?' : describe(v);
}

/**
 * A short description of a bad value. Containers are named, not printed: printing one
 * could echo megabytes, or overflow the stack on deep nesting.
 */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  // JSON.stringify turns NaN and Infinity into null, so say which one it is.
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(shortName(v));
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** Number of values in `w`: an array, a typed array, or the object JSON.stringify makes of a typed array. */
function valueCount(w: unknown): number | null {
  if (Array.isArray(w)) return w.length;
  if (ArrayBuffer.isView(w) && 'length' in w) return (w as unknown as ArrayLike<number>).length;
  if (isRecord(w)) return Object.keys(w).length;
  return null;
}
