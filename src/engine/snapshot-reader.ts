/**
 * Reading one layer of a ConvNetJS snapshot: typed field reads whose every failure is a
 * SnapshotError naming the layer index, its type and the field. The layer modules read
 * their own fields with it (see LayerDescriptor.fromJSON).
 */
import { shapeSize, type Shape } from './layers/descriptor';
import { shortName } from './suggest';

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

export interface LayerWeights {
  /** All filters back to back, filter f at f * filterSize, HWC inside. */
  filters: Float32Array;
  biases: Float32Array;
}

const FLOAT32_MAX = 3.4028234663852886e38;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function dims(s: Shape): string {
  return `${s.sx}x${s.sy}x${s.depth}`;
}

/** Reads one layer object; every failure names the layer index, its type and the field. */
export class SnapshotLayerReader {
  private constructor(
    readonly index: number,
    readonly type: string,
    private readonly obj: Record<string, unknown>,
  ) {}

  /** The reader of layer `index`, once its layer_type is one of `knownTypes`. */
  static of(value: unknown, index: number, knownTypes: readonly string[]): SnapshotLayerReader {
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
    if (!knownTypes.includes(type)) {
      throw new SnapshotError(
        `snapshot layer ${index} (${shortName(type)}): layer_type '${shortName(type)}' is not supported; expected one of ${knownTypes.join(', ')}`,
        { layerIndex: index, layerType: shortName(type), field: 'layer_type' },
      );
    }
    return new SnapshotLayerReader(index, type, value);
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

  /** Checks that an elementwise layer keeps its input shape. */
  expectSameShape(prev: Shape): void {
    const why = `an elementwise layer on an input of ${dims(prev)}`;
    this.expect('out_sx', prev.sx, why);
    this.expect('out_sy', prev.sy, why);
    this.expect('out_depth', prev.depth, why);
  }

  /** Checks a stated conv/pool output size against floor((in + 2*pad - size)/stride + 1). */
  outSize(field: 'out_sx' | 'out_sy', inSize: number, size: number, stride: number, pad: number): number {
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
