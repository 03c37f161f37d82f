/**
 * Convolution by scattering the inputs that differ from the background, for inference
 * (Net.forwardBatch) on stride-1 layers whose input is mostly one value: an MNIST crop
 * is ~75% blank (-0.5 after normalising), so the seed net's conv 1 has a quarter of a
 * dense route's multiplies to do.
 *
 * With b_c the input's first pixel (taken as each channel's background) and d = x - b:
 *   conv(x) = bias + sum over c of b_c * E_c + conv(d)
 * where E_c sums the taps of channel c that fall inside the input (zero padding keeps
 * the others out); E depends on the weights only and is made by sparsePrepare. Each
 * output row starts as the first two terms, then every nonzero d at (iy, ix, c) adds d
 * times filter row ky, channel c into the run of outputs it reaches in row
 * iy + pad - ky: up to sx neighbouring outputs of filters4 floats, contiguous, and with
 * the row's taps stored in reverse its weights are contiguous too.
 *
 * The nonzero d are listed first (branch-free; whole vectors of background skipped),
 * each with its rows and run clipped to the output. Past the plan's limit (or, row by
 * row, twice its share) the input is too busy to pay: nothing is written and the caller
 * takes a dense route. Sums run in another order than convForward's, so outputs differ
 * from it by rounding only (tests/unit/engine/conv-sparse.test.ts holds them to 1e-4).
 */
import { dropPaddingLanes, outputRows, setBiases4 } from './conv';
import {
  CONV_BIAS4,
  CONV_FAN_IN,
  CONV_FILTERS,
  CONV_FILTERS4,
  CONV_IN_DEPTH,
  CONV_IN_SX,
  CONV_IN_SY,
  CONV_OUT_SX,
  CONV_OUT_SY,
  CONV_PAD,
  CONV_SPARSE_BACKGROUND,
  CONV_SPARSE_COLUMNS,
  CONV_SPARSE_EDGE,
  CONV_SPARSE_LIMIT,
  CONV_SPARSE_LIST,
  CONV_SPARSE_RESPONSE,
  CONV_SPARSE_W,
  CONV_SX,
  CONV_SY,
  slot,
} from './plan';
import { Fused, madd } from './madd';
import { reluForward } from './relu';

/**
 * Bytes per listed d: the output byte offset of its first row's run, the weights' byte
 * offset there, the run's bytes, its rows, d.
 */
const ENTRY = 20; // SPARSE_ENTRY_WORDS * 4 in src/engine/wasm/layer-kernels.ts

/** Bytes per element of an input row in CONV_SPARSE_COLUMNS: its run's output offset, weight offset, bytes. */
const COLUMN = 12; // SPARSE_COLUMN_WORDS * 4 in src/engine/wasm/layer-kernels.ts

/**
 * Outputs along one side fall in classes by which taps reach inside the input: the
 * first `pad` each their own, then the interior (all taps), then the last `pad` each
 * their own; a side of at most 2 pad + 1 outputs has one class per output
 * (sparseEdgeClasses in src/engine/wasm/layer-kernels.ts sizes the buffers by it).
 */
function edgeClasses(outputs: i32, pad: i32): i32 {
  return min(outputs, 2 * pad + 1);
}

/** The class of output i of `outputs` along a side (see edgeClasses). */
@inline
function edgeClass(i: i32, outputs: i32, pad: i32): i32 {
  if (outputs <= 2 * pad + 1 || i <= pad) return i;
  return i >= outputs - pad ? i - (outputs - 2 * pad - 1) : pad;
}

/** The first output of a class along a side (see edgeClasses). */
function edgeFirst(cls: i32, outputs: i32, pad: i32): i32 {
  return cls <= pad || outputs <= 2 * pad + 1 ? cls : cls + (outputs - 2 * pad - 1);
}

/**
 * Sets the route up from weights w and biases b: the filter rows with their taps
 * reversed, Wr[ky][c][j][f] = w[f][ky][sx - 1 - j][c] (filters4 lanes; those past
 * `filters` stay zero from allocation), the biases, and E.
 */
export function sparsePrepare(plan: usize, w: usize, b: usize): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const nf = slot(plan, CONV_FILTERS);
  const nf4 = slot(plan, CONV_FILTERS4);
  const sx = slot(plan, CONV_SX);
  const sy = slot(plan, CONV_SY);
  const fanIn = slot(plan, CONV_FAN_IN);
  const wr = <usize>slot(plan, CONV_SPARSE_W);
  for (let f = 0; f < nf; f++) {
    for (let ky = 0; ky < sy; ky++) {
      for (let kx = 0; kx < sx; kx++) {
        for (let c = 0; c < depth; c++) {
          const to = wr + (<usize>(((ky * depth + c) * sx + sx - 1 - kx) * nf4 + f) << 2);
          store<f32>(to, load<f32>(w + (<usize>(f * fanIn + (ky * sx + kx) * depth + c) << 2)));
        }
      }
    }
  }
  setBiases4(plan, b);
  prepareEdges(plan, w);
}

/**
 * E[rowClass][ox][c][f]: filter f's taps on channel c that land inside the input for
 * outputs of that row class and column ox, summed (in float64) at the first column of
 * each column class and copied to the rest, so startOutputs reads E in order. Lanes past
 * `filters` stay zero from allocation.
 */
function prepareEdges(plan: usize, w: usize): void {
  const inSx = slot(plan, CONV_IN_SX);
  const inSy = slot(plan, CONV_IN_SY);
  const outSx = slot(plan, CONV_OUT_SX);
  const outSy = slot(plan, CONV_OUT_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const nf = slot(plan, CONV_FILTERS);
  const nf4 = slot(plan, CONV_FILTERS4);
  const sx = slot(plan, CONV_SX);
  const sy = slot(plan, CONV_SY);
  const pad = slot(plan, CONV_PAD);
  const fanIn = slot(plan, CONV_FAN_IN);
  const edge = <usize>slot(plan, CONV_SPARSE_EDGE);
  const pixel = <usize>(depth * nf4) << 2;
  for (let rc = 0; rc < edgeClasses(outSy, pad); rc++) {
    const oy = edgeFirst(rc, outSy, pad);
    const ky0 = max(0, pad - oy);
    const ky1 = min(sy, inSy + pad - oy);
    for (let ox = 0; ox < outSx; ox++) {
      const at = edge + <usize>(rc * outSx + ox) * pixel;
      const first = edgeFirst(edgeClass(ox, outSx, pad), outSx, pad);
      if (first != ox) {
        // Whole vectors (filters4 lanes), a few per pixel: a call to memory.copy cost more.
        const from = edge + <usize>(rc * outSx + first) * pixel;
        for (let b: usize = 0; b < pixel; b += 16) v128.store(at + b, v128.load(from + b));
        continue;
      }
      const kx0 = max(0, pad - ox);
      const kx1 = min(sx, inSx + pad - ox);
      for (let c = 0; c < depth; c++) {
        for (let f = 0; f < nf; f++) {
          let sum: f64 = 0;
          for (let ky = ky0; ky < ky1; ky++) {
            for (let kx = kx0; kx < kx1; kx++) sum += <f64>load<f32>(w + (<usize>(f * fanIn + (ky * sx + kx) * depth + c) << 2));
          }
          store<f32>(at + (<usize>(c * nf4 + f) << 2), <f32>sum);
        }
      }
    }
  }
}

/**
 * Shape only, once per layer: per element k = ix * depth + c of an input row, three
 * i32: the byte offset in an output row where its run starts, that of its weights
 * within a filter row, and the run's bytes. Reversed taps j = sx - 1 - kx reach output
 * ix + pad - sx + 1 + j; the run keeps the j that land inside the row.
 */
export function sparseLayout(plan: usize): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const outSx = slot(plan, CONV_OUT_SX);
  const nf4 = slot(plan, CONV_FILTERS4);
  const sx = slot(plan, CONV_SX);
  const pad = slot(plan, CONV_PAD);
  const columns = <usize>slot(plan, CONV_SPARSE_COLUMNS);
  const rowLength = slot(plan, CONV_IN_SX) * depth;
  for (let k = 0; k < rowLength; k++) {
    const ix = k / depth;
    const c = k - ix * depth;
    const shift = ix + pad - sx + 1;
    const j0 = max(0, -shift);
    const j1 = min(sx, outSx - shift);
    const at = columns + <usize>k * COLUMN;
    store<i32>(at, ((shift + j0) * nf4) << 2);
    store<i32>(at, ((c * sx + j0) * nf4) << 2, 4);
    store<i32>(at, (max(0, j1 - j0) * nf4) << 2, 8);
  }
}

/**
 * The layer's forward on x where at most the plan's limit of its values differ from
 * the background (returns true), else nothing written (returns false). With `relu`,
 * the ReLU layer after it is applied too.
 */
export function sparseForward(plan: usize, x: usize, out: usize, relu: bool): bool {
  const count = listForeground(plan, x);
  if (count < 0) return false;
  const o = outputRows(plan, out);
  startOutputs(plan, x, o);
  scatter(plan, count, o);
  if (relu) reluForward(o, o, slot(plan, CONV_OUT_SX) * slot(plan, CONV_OUT_SY) * slot(plan, CONV_FILTERS4));
  dropPaddingLanes(plan, out);
  return true;
}

/**
 * Lists the values of x off the background (d = x - b nonzero, NaN included) in memory
 * order as ENTRY-byte records; returns how many, or -1 once there are more than the
 * plan's limit or the background is not finite.
 */
function listForeground(plan: usize, x: usize): i32 {
  const inSy = slot(plan, CONV_IN_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const outSy = slot(plan, CONV_OUT_SY);
  const sy = slot(plan, CONV_SY);
  const pad = slot(plan, CONV_PAD);
  const rowLength = slot(plan, CONV_IN_SX) * depth;
  const outRow = (slot(plan, CONV_OUT_SX) * slot(plan, CONV_FILTERS4)) << 2;
  const filterRow = (depth * slot(plan, CONV_SX) * slot(plan, CONV_FILTERS4)) << 2;
  const limit = <usize>slot(plan, CONV_SPARSE_LIMIT) * ENTRY;
  const columns = <usize>slot(plan, CONV_SPARSE_COLUMNS);
  const list = <usize>slot(plan, CONV_SPARSE_LIST);
  const background = <usize>slot(plan, CONV_SPARSE_BACKGROUND);
  for (let c = 0; c < depth; c++) {
    const b = load<f32>(x + (<usize>c << 2));
    if (!isFinite(b)) return -1;
    for (let k = c; k < rowLength; k += depth) store<f32>(background + (<usize>k << 2), b);
  }
  const vectorEnd = rowLength & ~3;
  let entry = list;
  let src = x;
  for (let iy = 0; iy < inSy; iy++) {
    // Filter rows ky reach output row iy + pad - ky; the first is the lowest such row inside the output.
    const ky0 = max(0, iy + pad - outSy + 1);
    const rows = min(sy, iy + pad + 1) - ky0;
    if (rows > 0) {
      const rowOutput = (iy + pad - ky0) * outRow;
      const rowWeights = ky0 * filterRow;
      let k = 0;
      for (; k < vectorEnd; k += 4) {
        const at = <usize>k << 2;
        if (!v128.any_true(f32x4.ne(v128.load(src + at), v128.load(background + at)))) continue;
        for (let e = k; e < k + 4; e++) entry = listOne(entry, src, background, e, rowOutput, rowWeights, rows, columns);
      }
      for (; k < rowLength; k++) entry = listOne(entry, src, background, k, rowOutput, rowWeights, rows, columns);
      // Past the limit, or rows so far twice as busy as it allows on average: a photo is
      // declined after its first row, not after a third of it.
      if (entry - list > min(limit, (2 * limit * <usize>(iy + 1)) / <usize>inSy)) return -1;
    }
    src += <usize>rowLength << 2;
  }
  return <i32>((entry - list) / ENTRY);
}

/**
 * Writes element k's record at `entry` (its input row's entries start at output offset
 * rowOutput and weight offset rowWeights, and span `rows` output rows); the next record
 * goes after it only if its d is nonzero.
 */
@inline
function listOne(entry: usize, src: usize, background: usize, k: i32, rowOutput: i32, rowWeights: i32, rows: i32, columns: usize): usize {
  const d = load<f32>(src + (<usize>k << 2)) - load<f32>(background + (<usize>k << 2));
  const column = columns + <usize>k * COLUMN;
  store<i32>(entry, rowOutput + load<i32>(column));
  store<i32>(entry, rowWeights + load<i32>(column, 4), 4);
  store<i32>(entry, load<i32>(column, 8), 8);
  store<i32>(entry, rows, 12);
  store<f32>(entry, d, 16);
  return entry + select<usize>(ENTRY, 0, d != 0);
}

/**
 * Each output row starts as bias + sum over c of b_c * E_c, from its row class: the
 * class's rows are made once (CONV_SPARSE_RESPONSE) and copied.
 */
function startOutputs(plan: usize, x: usize, o: usize): void {
  const outSx = slot(plan, CONV_OUT_SX);
  const outSy = slot(plan, CONV_OUT_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const pad = slot(plan, CONV_PAD);
  const vectorBytes = <usize>slot(plan, CONV_FILTERS4) << 2;
  const bias4 = <usize>slot(plan, CONV_BIAS4);
  const rowBytes = <usize>outSx * vectorBytes;
  const response = <usize>slot(plan, CONV_SPARSE_RESPONSE);
  let e = <usize>slot(plan, CONV_SPARSE_EDGE);
  let r = response;
  for (let i = 0; i < edgeClasses(outSy, pad) * outSx; i++) {
    for (let j: usize = 0; j < vectorBytes; j += 16) {
      let v = v128.load(bias4 + j);
      for (let c = 0; c < depth; c++) v = madd<Fused>(v, v128.load32_splat(x + (<usize>c << 2)), v128.load(e + <usize>c * vectorBytes + j));
      v128.store(r + j, v);
    }
    e += <usize>depth * vectorBytes;
    r += vectorBytes;
  }
  for (let oy = 0; oy < outSy; oy++) memory.copy(o + <usize>oy * rowBytes, response + <usize>edgeClass(oy, outSy, pad) * rowBytes, rowBytes);
}

/** Adds every listed d times its filter rows into the outputs. */
function scatter(plan: usize, count: i32, o: usize): void {
  const outRow = <usize>(slot(plan, CONV_OUT_SX) * slot(plan, CONV_FILTERS4)) << 2;
  const filterRow = <usize>(slot(plan, CONV_IN_DEPTH) * slot(plan, CONV_SX) * slot(plan, CONV_FILTERS4)) << 2;
  const wr = <usize>slot(plan, CONV_SPARSE_W);
  let entry = <usize>slot(plan, CONV_SPARSE_LIST);
  const end = entry + <usize>count * ENTRY;
  for (; entry < end; entry += ENTRY) {
    let a = o + <usize>load<i32>(entry);
    let w = wr + <usize>load<i32>(entry, 4);
    const run = <usize>load<i32>(entry, 8);
    const rows = load<i32>(entry, 12);
    const v = v128.load32_splat(entry, 16);
    if (run == 160) {
      // A whole run of the seed net's conv 1 (5 taps of 8 filters): straight-line.
      if (rows == 5) {
        run10(a, w, v);
        run10(a - outRow, w + filterRow, v);
        run10(a - 2 * outRow, w + 2 * filterRow, v);
        run10(a - 3 * outRow, w + 3 * filterRow, v);
        run10(a - 4 * outRow, w + 4 * filterRow, v);
        continue;
      }
      for (let r = 0; r < rows; r++) {
        run10(a, w, v);
        a -= outRow;
        w += filterRow;
      }
      continue;
    }
    for (let r = 0; r < rows; r++) {
      const aEnd = a + run;
      let ap = a;
      let wp = w;
      // Runs are whole vectors (filters4 lanes); two at a time, then the odd one.
      for (; ap + 32 <= aEnd; ap += 32) {
        v128.store(ap, madd<Fused>(v128.load(ap), v, v128.load(wp)));
        v128.store(ap, madd<Fused>(v128.load(ap, 16), v, v128.load(wp, 16)), 16);
        wp += 32;
      }
      if (ap < aEnd) v128.store(ap, madd<Fused>(v128.load(ap), v, v128.load(wp)));
      a -= outRow;
      w += filterRow;
    }
  }
}

@inline
function run10(a: usize, w: usize, v: v128): void {
  v128.store(a, madd<Fused>(v128.load(a), v, v128.load(w)));
  v128.store(a, madd<Fused>(v128.load(a, 16), v, v128.load(w, 16)), 16);
  v128.store(a, madd<Fused>(v128.load(a, 32), v, v128.load(w, 32)), 32);
  v128.store(a, madd<Fused>(v128.load(a, 48), v, v128.load(w, 48)), 48);
  v128.store(a, madd<Fused>(v128.load(a, 64), v, v128.load(w, 64)), 64);
  v128.store(a, madd<Fused>(v128.load(a, 80), v, v128.load(w, 80)), 80);
  v128.store(a, madd<Fused>(v128.load(a, 96), v, v128.load(w, 96)), 96);
  v128.store(a, madd<Fused>(v128.load(a, 112), v, v128.load(w, 112)), 112);
  v128.store(a, madd<Fused>(v128.load(a, 128), v, v128.load(w, 128)), 128);
  v128.store(a, madd<Fused>(v128.load(a, 144), v, v128.load(w, 144)), 144);
}
