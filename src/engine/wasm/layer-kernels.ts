/**
 * The WebAssembly SIMD kernels of the layers (assembly/conv.ts, conv-backward.ts, fc.ts,
 * pool.ts, relu.ts) on one net's memory: each takes its workspace from that memory once,
 * and a call passes byte offsets of arrays that already live there.
 */
import type { ConvShape, DenseKernel, PoolKernel, PoolShape, ReluKernel } from '../kernels/contract';
import type { NetMemory } from './memory';
import { CONV, POOL } from './plans';

/** One buffer a kernel takes from the net's memory. */
export interface Workspace {
  kind: 'f32' | 'i32' | 'f64';
  length: number;
}

export const bytesPer = { f32: 4, i32: 4, f64: 8 } as const;

/** Filters rounded up to whole f32x4 vectors. */
function filters4(filters: number): number {
  return Math.ceil(filters / 4) * 4;
}

/** Tiles per block of the Winograd route: TILE_BLOCK in assembly/winograd.ts. */
const WINOGRAD_TILE_BLOCK = 3;

/** A Winograd workspace larger than this many floats is not made (the direct path serves). */
const WINOGRAD_MAX_FLOATS = 1 << 22;

/** Winograd F(4x4, 5x5) (assembly/winograd.ts): outputs per tile side, and points per tile (an 8x8 input tile). */
const WINOGRAD_STEP = 4;
const WINOGRAD_POINTS = 64;

/** Output tiles of Winograd F(4x4, 5x5) across and down, or null where it does not apply (not 5x5 stride 1, or too large). */
export function winogradTiles(s: ConvShape): { x: number; y: number } | null {
  if (s.sx !== 5 || s.sy !== 5 || s.stride !== 1) return null;
  const tiles = { x: Math.ceil(s.outSx / WINOGRAD_STEP), y: Math.ceil(s.outSy / WINOGRAD_STEP) };
  const floats = WINOGRAD_POINTS * s.inDepth * filters4(s.filters) + winogradPaddedPixels(tiles) * filters4(s.inDepth);
  return floats <= WINOGRAD_MAX_FLOATS ? tiles : null;
}

/**
 * Whether Net.forwardBatch takes the Winograd route on this layer: where it
 * applies and the input has channels enough to fill its vectors (the transforms run
 * over channels, 4 to a vector; at depth 1 they cost what they save).
 */
export function winogradPays(s: ConvShape): boolean {
  return winogradTiles(s) !== null && s.inDepth >= 4;
}

/** Output rows the rows route sums at a time: ROWS in assembly/winograd-rows.ts. */
const ROWS_GROUP = 8;

/**
 * Runs of 4 outputs across a row, and rows of the padded input (8 per group of 8
 * output rows, and 4 more), for Winograd F(4, 5) along rows (assembly/winograd-rows.ts),
 * or null where it does not apply (filters not 5x5, stride not 1, or too large).
 */
export function winogradRowsLayout(s: ConvShape): { tiles: number; height4: number } | null {
  if (s.sx !== 5 || s.sy !== 5 || s.stride !== 1) return null;
  const layout = { tiles: Math.ceil(s.outSx / WINOGRAD_STEP), height4: ROWS_GROUP * Math.ceil(s.outSy / ROWS_GROUP) + 4 };
  const floats = rowsPaddedFloats(s, layout) + rowsTransformedFloats(s, layout) + rowsFilterFloats(s);
  return floats <= WINOGRAD_MAX_FLOATS ? layout : null;
}

/** Whether Net.forwardBatch takes the rows route: where the 2D route does not pay (depth 1 to 3; measured faster than direct there). */
export function winogradRowsPays(s: ConvShape): boolean {
  return !winogradPays(s) && winogradRowsLayout(s) !== null;
}

/**
 * The share of an input off its background up to which the sparse route
 * (assembly/conv-sparse.ts) runs instead of a dense one. Measured on the seed net's conv 1
 * over MNIST test crops grouped by that share (CPU time per crop, against the rows route):
 * 0.74x at 20-25% (the median crop has 26%), 0.97x at 30-35%, 1.06x at 35-40%.
 */
export const SPARSE_MAX_SHARE = 1 / 3;

/**
 * Whether Net.forwardBatch tries the sparse route first on this layer: stride 1, a pad
 * inside the filter, an input of 1 to 3 channels (an image: grey or colour; a hidden
 * layer's input has more, and 2D Winograd or direct sums serve it), and a workspace
 * within the cap.
 */
export function sparsePays(s: ConvShape): boolean {
  if (s.stride !== 1 || s.pad > s.sx - 1 || s.pad > s.sy - 1 || s.inDepth > 3) return false;
  const floats = Object.values(sparseBuffers(s)).reduce((sum, w) => sum + w.length, 0);
  return floats <= WINOGRAD_MAX_FLOATS;
}

/** Words per listed input value, and per element of an input row's table: ENTRY and COLUMN (bytes) / 4 in assembly/conv-sparse.ts. */
const SPARSE_ENTRY_WORDS = 5;
const SPARSE_COLUMN_WORDS = 3;

/** Classes of output rows by which filter rows reach inside the input: the first and last `pad` each, and the interior (edgeClasses in assembly/conv-sparse.ts). */
function sparseEdgeClasses(outputs: number, pad: number): number {
  return Math.min(outputs, 2 * pad + 1);
}

/** The sparse route's buffers (see the CONV_SPARSE_* slots in assembly/plan.ts). */
function sparseBuffers(s: ConvShape): Record<string, Workspace> {
  const rowClasses = sparseEdgeClasses(s.outSy, s.pad);
  const nf4 = filters4(s.filters);
  return {
    sparseResponse: { kind: 'f32', length: rowClasses * s.outSx * nf4 },
    sparseW: { kind: 'f32', length: s.sx * s.sy * s.inDepth * nf4 },
    sparseList: { kind: 'i32', length: SPARSE_ENTRY_WORDS * s.inSx * s.inSy * s.inDepth },
    sparseColumns: { kind: 'i32', length: SPARSE_COLUMN_WORDS * s.inSx * s.inDepth },
    sparseEdge: { kind: 'f32', length: rowClasses * s.outSx * s.inDepth * nf4 },
    sparseBackground: { kind: 'f32', length: s.inSx * s.inDepth },
  };
}

/** sparseBuffers where the route pays, else the same names with no length. */
function sparseWorkspace(s: ConvShape): Record<string, Workspace> {
  const buffers = sparseBuffers(s);
  if (sparsePays(s)) return buffers;
  return Object.fromEntries(Object.entries(buffers).map(([name, w]) => [name, { ...w, length: 0 }]));
}

/** The most input values off the background the sparse route takes (SPARSE_MAX_SHARE of them). */
export function sparseLimit(s: ConvShape): number {
  return Math.floor(SPARSE_MAX_SHARE * s.inSx * s.inSy * s.inDepth);
}

function rowsPaddedFloats(s: ConvShape, layout: { tiles: number; height4: number }): number {
  return s.inDepth * (WINOGRAD_STEP * layout.tiles + 4) * layout.height4;
}

/** U: 8 points of each of a filter's 5 rows per channel, filters4 lanes. */
function rowsFilterFloats(s: ConvShape): number {
  return s.inDepth * 5 * 8 * filters4(s.filters);
}

function rowsTransformedFloats(s: ConvShape, layout: { tiles: number; height4: number }): number {
  return s.inDepth * layout.tiles * 8 * layout.height4;
}

/**
 * What a convolution keeps in memory, in allocation order (see WasmConvKernel and
 * the slot comments in assembly/plan.ts).
 */
export function convWorkspace(s: ConvShape): Record<string, Workspace> {
  const padded = (s.inSx + 2 * s.pad) * (s.inSy + 2 * s.pad) * s.inDepth;
  const positions = s.outSx * s.outSy;
  const nf4 = filters4(s.filters);
  return {
    plan: { kind: 'i32', length: CONV.SLOTS },
    paddedIn: { kind: 'f32', length: padded },
    paddedGrad: { kind: 'f32', length: padded },
    weightsT: { kind: 'f32', length: s.sx * s.sy * s.inDepth * nf4 },
    outScratch: { kind: 'f32', length: nf4 === s.filters ? 0 : positions * nf4 },
    nzWindow: { kind: 'i32', length: s.filters * positions },
    nzGrad: { kind: 'f32', length: s.filters * positions },
    nzCount: { kind: 'i32', length: s.filters },
    activeW: { kind: 'i32', length: s.filters },
    activeG: { kind: 'f32', length: s.filters },
    biasSum: { kind: 'f64', length: s.filters },
    bias4: { kind: 'f32', length: nf4 },
    // The weights and biases the inference routes were last set up from (PreparedWeights).
    keptWeights: { kind: 'i32', length: s.filters * s.sx * s.sy * s.inDepth },
    keptBiases: { kind: 'i32', length: s.filters },
    ...winogradWorkspace(s),
    ...winogradRowsWorkspace(s),
    ...sparseWorkspace(s),
  };
}

/** The rows route's buffers (see the CONV_ROWS_* slots in assembly/plan.ts), empty where it does not apply. */
function winogradRowsWorkspace(s: ConvShape): Record<string, Workspace> {
  const layout = winogradRowsLayout(s);
  return {
    rowsPadded: { kind: 'f32', length: layout ? rowsPaddedFloats(s, layout) : 0 },
    rowsU: { kind: 'f32', length: layout ? rowsFilterFloats(s) : 0 },
    rowsV: { kind: 'f32', length: layout ? rowsTransformedFloats(s, layout) : 0 },
    // One vector per point (8) and output row of a group.
    rowsScratch: { kind: 'f32', length: layout ? 8 * ROWS_GROUP * 4 : 0 },
  };
}

/** Pixels of the Winograd route's padded input: whole tiles, each reading 4 pixels past its outputs. */
function winogradPaddedPixels(tiles: { x: number; y: number }): number {
  return (WINOGRAD_STEP * tiles.x + 4) * (WINOGRAD_STEP * tiles.y + 4);
}

/** Winograd's buffers (see the CONV_WINO_* slots in assembly/plan.ts), empty where it does not apply. */
function winogradWorkspace(s: ConvShape): Record<string, Workspace> {
  const tiles = winogradTiles(s);
  // V and M hold one block of tiles (TILE_BLOCK in assembly/winograd.ts).
  const block = tiles ? WINOGRAD_TILE_BLOCK : 0;
  const depth4 = filters4(s.inDepth);
  return {
    winoPadded: { kind: 'f32', length: tiles ? winogradPaddedPixels(tiles) * depth4 : 0 },
    winoU: { kind: 'f32', length: tiles ? WINOGRAD_POINTS * s.inDepth * filters4(s.filters) : 0 },
    winoV: { kind: 'f32', length: WINOGRAD_POINTS * block * depth4 },
    winoM: { kind: 'f32', length: WINOGRAD_POINTS * block * filters4(s.filters) },
    // The input transform's 8x8 vectors; G g in float64 (8x5) and the output transform's 8x4 + 4 vectors fit inside.
    winoScratch: { kind: 'f32', length: tiles ? WINOGRAD_POINTS * 4 : 0 },
  };
}

export function poolWorkspace(s: PoolShape): Record<string, Workspace> {
  return {
    plan: { kind: 'i32', length: POOL.SLOTS },
    switches: { kind: 'i32', length: s.outSx * s.outSy * s.depth },
  };
}

/** Takes a kernel's workspace from the net memory, in declaration order. */
function takeAll<T extends Record<string, Workspace>>(memory: NetMemory, ws: T): { [K in keyof T]: number } {
  const out = {} as { [K in keyof T]: number };
  for (const key of Object.keys(ws) as (keyof T)[]) {
    const w = ws[key];
    if (w.length === 0) {
      out[key] = 0;
      continue;
    }
    const array = w.kind === 'f32' ? memory.f32(w.length) : w.kind === 'i32' ? memory.i32(w.length) : memory.f64(w.length);
    out[key] = array.byteOffset;
  }
  return out;
}

/**
 * Fills a kernel's plan: every slot of `layout` (plans.ts, mirroring assembly/plan.ts)
 * but SLOTS must be given, so a slot added there cannot be left unset here.
 */
function writePlan<L extends { SLOTS: number }>(memory: NetMemory, offset: number, layout: L, values: Record<Exclude<keyof L, 'SLOTS'>, number>): void {
  const slots = new Int32Array(memory.buffer, offset, layout.SLOTS);
  for (const name of Object.keys(values) as Exclude<keyof L, 'SLOTS'>[]) slots[layout[name] as number] = values[name];
}

/** An inference forward from prepared weights (see DenseKernel.forwardPrepared). */
type PreparedForward = (x: Float32Array, out: Float32Array, relu?: boolean) => void;

type RouteName = 'direct' | 'winograd' | 'winogradRows' | 'sparse';

/** An inference route of the conv kernel: its forward, and what sets its weights up (plan, w, b byte offsets). */
interface PreparedRoute {
  run: PreparedForward;
  prepare: (plan: number, w: number, b: number) => void;
}

/**
 * The WASM conv kernel, with its inference routes open to tests: `direct` (convForward's
 * sums, bit for bit), `winograd`, `winogradRows` and `sparse` (null where they do not
 * apply); forwardPrepared is one of them, or `sparse` with the layer's dense route for
 * the inputs too busy for it. A route other than forwardPrepared's sets itself up from
 * the weights of the last prepareInference when first called after it.
 */
export interface WasmConvKernel extends DenseKernel {
  prepareInference(w: Float32Array, b: Float32Array): void;
  forwardPrepared: PreparedForward;
  readonly routes: {
    direct: PreparedForward;
    winograd: PreparedForward | null;
    winogradRows: PreparedForward | null;
    /** The scatter alone: false (nothing written) where the input is too busy for it; forwardPrepared then takes the dense route. */
    sparse: ((x: Float32Array, out: Float32Array, relu?: boolean) => boolean) | null;
  };
}

/**
 * A copy of the weights and biases a kernel was last prepared from, in the net's
 * memory, compared bit for bit (NaN and -0 included) by the module's sameWords.
 */
class PreparedWeights {
  private valid = false;

  constructor(
    private readonly memory: NetMemory,
    private readonly keptW: Int32Array,
    private readonly keptB: Int32Array,
  ) {}

  matches(w: Float32Array, b: Float32Array): boolean {
    const { exports } = this.memory;
    return (
      this.valid &&
      w.length === this.keptW.length &&
      b.length === this.keptB.length &&
      exports.sameWords(this.keptW.byteOffset, this.memory.at(w), w.length) === 1 &&
      exports.sameWords(this.keptB.byteOffset, this.memory.at(b), b.length) === 1
    );
  }

  remember(w: Float32Array, b: Float32Array): void {
    this.keptW.set(bitsOf(w));
    this.keptB.set(bitsOf(b));
    this.valid = true;
  }

  /** The prepared buffers were overwritten (a training forward transposes into them too). */
  forget(): void {
    this.valid = false;
  }
}

function bitsOf(values: Float32Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * The byte offset of the array last asked for, kept: a layer's kernel is handed the same
 * volumes call after call, and checking an array's buffer and offset each time was ~2%
 * of a batched forward. (A typed array never moves to another buffer or offset.)
 */
class OffsetOf {
  private last: Float32Array | null = null;
  private offset = 0;

  constructor(private readonly memory: NetMemory) {}

  of(array: Float32Array): number {
    if (array !== this.last) {
      this.offset = this.memory.at(array);
      this.last = array;
    }
    return this.offset;
  }

  /** `of`, or 0 (no array) for null. */
  orZero(array: Float32Array | null): number {
    return array ? this.of(array) : 0;
  }
}

/** One OffsetOf per argument of a kernel call. */
function offsetsOf(memory: NetMemory, count: number): OffsetOf[] {
  return Array.from({ length: count }, () => new OffsetOf(memory));
}

export function wasmConv(memory: NetMemory, s: ConvShape): WasmConvKernel {
  const at = takeAll(memory, convWorkspace(s));
  const tiles = winogradTiles(s);
  const rows = winogradRowsLayout(s);
  writePlan(memory, at.plan, CONV, {
    IN_SX: s.inSx, IN_SY: s.inSy, IN_DEPTH: s.inDepth, OUT_SX: s.outSx, OUT_SY: s.outSy, FILTERS: s.filters,
    SX: s.sx, SY: s.sy, STRIDE: s.stride, PAD: s.pad, PAD_SX: s.inSx + 2 * s.pad, PAD_SY: s.inSy + 2 * s.pad,
    FILTERS4: filters4(s.filters), FAN_IN: s.sx * s.sy * s.inDepth,
    PADDED_IN: at.paddedIn, PADDED_GRAD: at.paddedGrad, WEIGHTS_T: at.weightsT, OUT_SCRATCH: at.outScratch,
    NZ_WINDOW: at.nzWindow, NZ_GRAD: at.nzGrad, NZ_COUNT: at.nzCount, ACTIVE_W: at.activeW, ACTIVE_G: at.activeG,
    BIAS_SUM: at.biasSum, BIAS4: at.bias4,
    WINO_PADDED: at.winoPadded, WINO_U: at.winoU, WINO_V: at.winoV, WINO_M: at.winoM, WINO_SCRATCH: at.winoScratch,
    WINO_TILES_X: tiles?.x ?? 0, WINO_TILES_Y: tiles?.y ?? 0, WINO_DEPTH4: filters4(s.inDepth),
    ROWS_PADDED: at.rowsPadded, ROWS_U: at.rowsU, ROWS_V: at.rowsV, ROWS_TILES: rows?.tiles ?? 0, ROWS_HEIGHT4: rows?.height4 ?? 0, ROWS_SCRATCH: at.rowsScratch,
    SPARSE_RESPONSE: at.sparseResponse, SPARSE_W: at.sparseW, SPARSE_LIST: at.sparseList, SPARSE_COLUMNS: at.sparseColumns, SPARSE_LIMIT: sparseLimit(s),
    SPARSE_EDGE: at.sparseEdge, SPARSE_BACKGROUND: at.sparseBackground,
  });
  const { exports } = memory;
  // Its workspace was made (convWorkspace) exactly where the sparse route pays.
  const sparse = sparsePays(s);
  if (sparse) exports.sparseLayout(at.plan);
  const call = <R>(run: (plan: number, x: number, out: number, relu: number) => R) => {
    const [x0, out0] = offsetsOf(memory, 2);
    return (x: Float32Array, out: Float32Array, relu = false): R => run(at.plan, x0.of(x), out0.of(out), relu ? 1 : 0);
  };
  const dense: RouteName = winogradPays(s) ? 'winograd' : winogradRowsPays(s) ? 'winogradRows' : 'direct';
  const scatter = call(exports.sparseForward);
  const routes: Record<RouteName, PreparedRoute | null> = {
    direct: { run: call(exports.convForwardPrepared), prepare: exports.convPrepare },
    winograd: tiles ? { run: call(exports.winogradForward), prepare: exports.winogradPrepare } : null,
    winogradRows: rows ? { run: call(exports.winogradRowsForward), prepare: exports.winogradRowsPrepare } : null,
    // An input denser than the route's limit goes the dense way (set up only when one first does).
    sparse: sparse
      ? { run: (x, out, relu) => void (scatter(x, out, relu) || prepare(dense).run(x, out, relu)), prepare: exports.sparsePrepare }
      : null,
  };
  const chosen: RouteName = routes.sparse ? 'sparse' : dense;
  // The weights and biases the routes were last set up from, bit for bit: batches on
  // unchanged weights (an evaluation runs hundreds) skip the set-up. Only the route in use
  // is set up (the others when a test calls them): a validation example during training
  // is one small batch on new weights every time, and there setting up every route cost
  // more than the batch's forward (seed net: 122 us against 88 us for its 4 windows).
  // Training's forward transposes the same weights into the direct route's buffer, so a
  // training step in between changes nothing unless it changes the weights.
  const preparedFrom = new PreparedWeights(
    memory,
    new Int32Array(memory.buffer, at.keptWeights, s.filters * s.sx * s.sy * s.inDepth),
    new Int32Array(memory.buffer, at.keptBiases, s.filters),
  );
  const ready = new Set<RouteName>();
  // Byte offsets of the weights and biases of the last prepareInference (-1: none yet).
  let fromW = -1;
  let fromB = -1;
  const prepare = (name: RouteName): PreparedRoute => {
    const route = routes[name];
    if (!route || fromW < 0) throw new Error(`conv: the ${name} route ${route ? 'runs after prepareInference' : 'does not apply to this layer'}`);
    if (!ready.has(name)) {
      route.prepare(at.plan, fromW, fromB);
      ready.add(name);
    }
    return route;
  };
  const onDemand = (name: RouteName): PreparedForward | null =>
    routes[name] ? (x, out, relu) => prepare(name).run(x, out, relu) : null;
  const [x1, w1, b1, out1] = offsetsOf(memory, 4);
  const [w2, dOut2, dx2, dw2, db2] = offsetsOf(memory, 5);
  return {
    forward: (x, w, b, out) => {
      // convForward transposes its weights into the buffer the direct route reads: a
      // net that trains between two batches of inference (a replica evaluating a frozen
      // copy between training jobs) must prepare again, whatever weights it then has.
      preparedFrom.forget();
      exports.convForward(at.plan, x1.of(x), w1.of(w), b1.of(b), out1.of(out));
    },
    prepareInference: (w, b) => {
      fromW = memory.at(w);
      fromB = memory.at(b);
      if (!preparedFrom.matches(w, b)) {
        ready.clear();
        preparedFrom.remember(w, b);
      }
      prepare(chosen);
    },
    forwardPrepared: routes[chosen]!.run,
    routes: {
      direct: onDemand('direct') as PreparedForward,
      winograd: onDemand('winograd'),
      winogradRows: onDemand('winogradRows'),
      sparse: routes.sparse ? (x, out, relu) => (prepare('sparse'), scatter(x, out, relu) === 1) : null,
    },
    // The padded input kept by forward is the x these gradients belong to.
    backward: (_x, w, dOut, dx, dw, db) =>
      exports.convBackward(at.plan, w2.of(w), dOut2.of(dOut), dx2.orZero(dx), dw2.of(dw), db2.of(db), dx !== null),
  };
}

export function wasmFc(memory: NetMemory, numInputs: number, numOutputs: number): DenseKernel {
  const { exports } = memory;
  const [x1, w1, b1, out1] = offsetsOf(memory, 4);
  const [x2, w2, dOut2, dx2, dw2, db2] = offsetsOf(memory, 6);
  const [x3, out3] = offsetsOf(memory, 2);
  // The inference forward reads the weights where they are: setting up is noting which.
  let preparedW = -1;
  let preparedB = -1;
  return {
    prepareInference: (w, b) => {
      preparedW = memory.at(w);
      preparedB = memory.at(b);
    },
    forwardPrepared: (x, out, relu = false) => {
      if (preparedW < 0) throw new Error('fc: forwardPrepared runs after prepareInference');
      exports.fcForwardPrepared(numInputs, numOutputs, x3.of(x), preparedW, preparedB, out3.of(out), relu ? 1 : 0);
    },
    forward: (x, w, b, out) => exports.fcForward(numInputs, numOutputs, x1.of(x), w1.of(w), b1.of(b), out1.of(out)),
    backward: (x, w, dOut, dx, dw, db) =>
      exports.fcBackward(numInputs, numOutputs, x2.of(x), w2.of(w), dOut2.of(dOut), dx2.orZero(dx), dw2.of(dw), db2.of(db), dx !== null),
  };
}

export function wasmPool(memory: NetMemory, s: PoolShape): PoolKernel {
  const at = takeAll(memory, poolWorkspace(s));
  const switches = new Int32Array(memory.buffer, at.switches, s.outSx * s.outSy * s.depth);
  const inSize = s.inSx * s.inSy * s.depth;
  writePlan(memory, at.plan, POOL, {
    IN_SX: s.inSx, IN_SY: s.inSy, DEPTH: s.depth, OUT_SX: s.outSx, OUT_SY: s.outSy,
    SX: s.sx, SY: s.sy, STRIDE: s.stride, PAD: s.pad,
  });
  const { exports } = memory;
  const [x1, out1, x2, out2, dOut3, dx3] = offsetsOf(memory, 6);
  return {
    switches,
    forward: (x, out) => exports.poolForward(at.plan, x1.of(x), out1.of(out), switches.byteOffset),
    forwardValues: (x, out) => exports.poolForwardValues(at.plan, x2.of(x), out2.of(out)),
    backward: (dOut, dx) => exports.poolBackward(dOut3.of(dOut), switches.byteOffset, switches.length, dx3.of(dx), inSize),
  };
}

export function wasmRelu(memory: NetMemory, length: number): ReluKernel {
  const { exports } = memory;
  const [x1, y1, y2, dy2, dx2] = offsetsOf(memory, 5);
  return {
    forward: (x, y) => exports.reluForward(x1.of(x), y1.of(y), length),
    backward: (y, dy, dx) => exports.reluBackward(y2.of(y), dy2.of(dy), dx2.of(dx), length),
  };
}
