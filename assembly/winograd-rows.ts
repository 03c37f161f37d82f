/**
 * Winograd F(4, 5) along rows, for inference on 5x5 convolutions of few channels,
 * stride 1. Each run of 4 outputs along a row comes from 8 inputs as
 *   y = A^T [ sum over filter rows and channels of (G g) . (B^T d) ]
 * with winograd.ts's matrices, in one dimension only: 8 multiply-adds per filter row,
 * channel and filter where direct convolution takes 20, and one output transform per
 * 4 outputs. Within 1.5e-6 relative of forward on every tested shape.
 *
 * Why a second route: winograd.ts's 2D F(4x4, 5x5) runs its transforms over channels,
 * so at depth 1 (the seed net's conv 1) three lanes of four idle and it is slower than
 * direct. Here the sums run over filters (4 to a vector, as convForward's blocks), the
 * output transform yields vectors ready to store in the output's layout, and the input
 * transform runs 4 rows to a vector on a transposed copy of the input. Measured on
 * conv 1 alone (CPU time): 0.6x direct's on the exact build, 0.8x on the relaxed one;
 * on 32x32x3 (ConvNetJS's CIFAR-10 conv 1) 0.6x and 0.75x, and 0.9x of the 2D route's.
 * From depth 4 the 2D route is faster (layer-kernels.ts picks).
 *
 * Not bit-identical to convForward (tests/unit/engine/forward-batch.test.ts holds it to
 * 1e-4); only Net.forwardBatch uses it.
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
  CONV_ROWS_HEIGHT4,
  CONV_ROWS_PADDED,
  CONV_ROWS_SCRATCH,
  CONV_ROWS_TILES,
  CONV_ROWS_U,
  CONV_ROWS_V,
  slot,
} from './plan';
import { Fused, madd } from './madd';
import { reluIf } from './relu';
import { filterPoints, transformIn } from './winograd';
import { transpose4x4 } from './transpose';

/** Points per run (inputs read), outputs per run, filter width and height. */
const POINTS = 8;
const STEP = 4;
const WIDTH = 5;
/** Output rows summed together: each transformed input row is splatted once for all four. */
const ROWS = 8;

/**
 * U[c][fv][p][ky][lane] = (G g)[p] for filter 4 fv + lane's row ky of channel c
 * (winograd.ts's filterPoints, in float64); lanes past `filters` stay zero (never written). A point's five filter rows
 * are adjacent, so pointSums loads them at fixed offsets. Also copies the biases to
 * filters4 lanes.
 */
export function winogradRowsPrepare(plan: usize, w: usize, b: usize): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const nf = slot(plan, CONV_FILTERS);
  const vectors = slot(plan, CONV_FILTERS4) >> 2;
  const fanIn = slot(plan, CONV_FAN_IN);
  const u = <usize>slot(plan, CONV_ROWS_U);
  const tap = <usize>depth << 2;
  for (let f = 0; f < nf; f++) {
    for (let c = 0; c < depth; c++) {
      const points = u + (<usize>((c * vectors + (f >> 2)) * POINTS * WIDTH) << 4) + (<usize>(f & 3) << 2);
      for (let ky = 0; ky < WIDTH; ky++) {
        const g = w + (<usize>(f * fanIn + ky * WIDTH * depth + c) << 2);
        filterPoints(
          <f64>load<f32>(g), <f64>load<f32>(g + tap), <f64>load<f32>(g + 2 * tap), <f64>load<f32>(g + 3 * tap), <f64>load<f32>(g + 4 * tap),
          points + (<usize>ky << 4), WIDTH << 4, false,
        );
      }
    }
  }
  setBiases4(plan, b);
}

/**
 * The padded input transposed, one plane per channel: PT[c][px][py] for padded column
 * px and row py; the border and the rows past the input stay zero.
 */
function padTransposed(plan: usize, x: usize): void {
  const inSx = slot(plan, CONV_IN_SX);
  const inSy = slot(plan, CONV_IN_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const pad = slot(plan, CONV_PAD);
  const height4 = slot(plan, CONV_ROWS_HEIGHT4);
  const width = STEP * slot(plan, CONV_ROWS_TILES) + 4;
  const planeBytes = <usize>(width * height4) << 2;
  const column = <usize>height4 << 2;
  const padded = <usize>slot(plan, CONV_ROWS_PADDED) + (<usize>(pad * height4 + pad) << 2);
  if (depth == 1 && (inSx & 3) == 0 && (inSy & 3) == 0) {
    // Blocks of 4x4 pixels transposed in registers (the seed net's 24x24 crops): a
    // quarter of the loads and stores of the pixel-by-pixel loop below.
    const row = <usize>inSx << 2;
    for (let y = 0; y < inSy; y += 4) {
      for (let xx = 0; xx < inSx; xx += 4) {
        transpose4x4(x + <usize>y * row + (<usize>xx << 2), row, padded + <usize>xx * column + (<usize>y << 2), column);
      }
    }
    return;
  }
  let src = x;
  for (let y = 0; y < inSy; y++) {
    let dst = padded + (<usize>y << 2);
    for (let xx = 0; xx < inSx; xx++) {
      let plane = dst;
      for (let c = 0; c < depth; c++) {
        store<f32>(plane, load<f32>(src));
        src += 4;
        plane += planeBytes;
      }
      dst += column;
    }
  }
}

/** V[c][t][p][py] = (B^T d)[p] for the 8 inputs of run t in padded row py: four rows to a vector. */
function transformRuns(plan: usize): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const tiles = slot(plan, CONV_ROWS_TILES);
  const column = <usize>slot(plan, CONV_ROWS_HEIGHT4) << 2;
  const width = STEP * tiles + 4;
  const padded = <usize>slot(plan, CONV_ROWS_PADDED);
  const v = <usize>slot(plan, CONV_ROWS_V);
  for (let c = 0; c < depth; c++) {
    for (let t = 0; t < tiles; t++) {
      const from = padded + <usize>(c * width + STEP * t) * column;
      const to = v + <usize>((c * tiles + t) * POINTS) * column;
      for (let y: usize = 0; y < column; y += 16) transformIn(from + y, column, to + y, column);
    }
  }
}

/**
 * Point p's sums for output rows oy..oy+7 (ROWS) of run t and filter vector fv, over
 * the filter rows and channels, into `to` (a vector per row). Each filter row's weights
 * are loaded once and each input row splatted once for the eight output rows: 17 loads
 * per 40 multiply-adds. One output row at a time took 16 loads per 8 and was no faster
 * than direct convolution, bound by its loads. Unrolled by hand (the lines repeat in
 * shape on purpose): each input row meets the filter rows of every output row it falls
 * in, in registers.
 */
@inline
function pointSums(plan: usize, oy: i32, t: i32, fv: i32, p: i32, to: usize): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const tiles = slot(plan, CONV_ROWS_TILES);
  const vectors = slot(plan, CONV_FILTERS4) >> 2;
  const column = <usize>slot(plan, CONV_ROWS_HEIGHT4) << 2;
  const channelU = <usize>(vectors * POINTS * WIDTH) << 4;
  const channelV = <usize>(tiles * POINTS) * column;
  let up = <usize>slot(plan, CONV_ROWS_U) + (<usize>((fv * POINTS + p) * WIDTH) << 4);
  let vp = <usize>slot(plan, CONV_ROWS_V) + <usize>(t * POINTS + p) * column + (<usize>oy << 2);
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let a4 = a0;
  let a5 = a0;
  let a6 = a0;
  let a7 = a0;
  for (let c = 0; c < depth; c++) {
    const u0 = v128.load(up);
    const u1 = v128.load(up, 16);
    const u2 = v128.load(up, 32);
    const u3 = v128.load(up, 48);
    const u4 = v128.load(up, 64);
    // Input row oy + k meets filter row k - r of output row oy + r.
    let s = v128.load32_splat(vp);
    a0 = madd<Fused>(a0, s, u0);
    s = v128.load32_splat(vp, 4);
    a0 = madd<Fused>(a0, s, u1);
    a1 = madd<Fused>(a1, s, u0);
    s = v128.load32_splat(vp, 8);
    a0 = madd<Fused>(a0, s, u2);
    a1 = madd<Fused>(a1, s, u1);
    a2 = madd<Fused>(a2, s, u0);
    s = v128.load32_splat(vp, 12);
    a0 = madd<Fused>(a0, s, u3);
    a1 = madd<Fused>(a1, s, u2);
    a2 = madd<Fused>(a2, s, u1);
    a3 = madd<Fused>(a3, s, u0);
    s = v128.load32_splat(vp, 16);
    a0 = madd<Fused>(a0, s, u4);
    a1 = madd<Fused>(a1, s, u3);
    a2 = madd<Fused>(a2, s, u2);
    a3 = madd<Fused>(a3, s, u1);
    a4 = madd<Fused>(a4, s, u0);
    s = v128.load32_splat(vp, 20);
    a1 = madd<Fused>(a1, s, u4);
    a2 = madd<Fused>(a2, s, u3);
    a3 = madd<Fused>(a3, s, u2);
    a4 = madd<Fused>(a4, s, u1);
    a5 = madd<Fused>(a5, s, u0);
    s = v128.load32_splat(vp, 24);
    a2 = madd<Fused>(a2, s, u4);
    a3 = madd<Fused>(a3, s, u3);
    a4 = madd<Fused>(a4, s, u2);
    a5 = madd<Fused>(a5, s, u1);
    a6 = madd<Fused>(a6, s, u0);
    s = v128.load32_splat(vp, 28);
    a3 = madd<Fused>(a3, s, u4);
    a4 = madd<Fused>(a4, s, u3);
    a5 = madd<Fused>(a5, s, u2);
    a6 = madd<Fused>(a6, s, u1);
    a7 = madd<Fused>(a7, s, u0);
    s = v128.load32_splat(vp, 32);
    a4 = madd<Fused>(a4, s, u4);
    a5 = madd<Fused>(a5, s, u3);
    a6 = madd<Fused>(a6, s, u2);
    a7 = madd<Fused>(a7, s, u1);
    s = v128.load32_splat(vp, 36);
    a5 = madd<Fused>(a5, s, u4);
    a6 = madd<Fused>(a6, s, u3);
    a7 = madd<Fused>(a7, s, u2);
    s = v128.load32_splat(vp, 40);
    a6 = madd<Fused>(a6, s, u4);
    a7 = madd<Fused>(a7, s, u3);
    s = v128.load32_splat(vp, 44);
    a7 = madd<Fused>(a7, s, u4);
    up += channelU;
    vp += channelV;
  }
  v128.store(to, a0);
  v128.store(to, a1, 16);
  v128.store(to, a2, 32);
  v128.store(to, a3, 48);
  v128.store(to, a4, 64);
  v128.store(to, a5, 80);
  v128.store(to, a6, 96);
  v128.store(to, a7, 112);
}

/**
 * One output row's run for the filter vector at byte `fo`, from its 8 point sums at
 * `from` (128 bytes apart): A^T, the biases, ReLU where `relu` is set; outputs past the
 * row's end (`columns` < 4) are not stored. A^T is winograd.ts's transformOut on
 * registers: calling it through a scratch, as its outputTile does, made this route
 * 12-15% slower on conv 1 (measured), the transform being a third of the route's work.
 */
@inline
function outputRun(plan: usize, from: usize, fo: usize, orow: usize, columns: i32, relu: bool): void {
  const oStep = <usize>slot(plan, CONV_FILTERS4) << 2;
  const a1 = v128.load(from, 128);
  const a2 = v128.load(from, 256);
  const a3 = v128.load(from, 384);
  const a4 = v128.load(from, 512);
  const a5 = v128.load(from, 640);
  const a6 = v128.load(from, 768);
  const s1 = f32x4.add(a1, a2);
  const s3 = f32x4.add(a3, a4);
  const s5 = f32x4.add(a5, a6);
  const d1 = f32x4.sub(a1, a2);
  const d3 = f32x4.sub(a3, a4);
  const d5 = f32x4.sub(a5, a6);
  const bias = v128.load(<usize>slot(plan, CONV_BIAS4) + fo);
  const o = orow + fo;
  v128.store(o, reluIf(f32x4.add(bias, f32x4.add(f32x4.add(v128.load(from), s1), f32x4.add(s3, s5))), relu));
  if (columns < 2) return;
  const o1 = f32x4.add(f32x4.add(d1, f32x4.mul(f32x4.splat(0.5), d3)), f32x4.mul(f32x4.splat(2), d5));
  v128.store(o + oStep, reluIf(f32x4.add(bias, o1), relu));
  if (columns < 3) return;
  const o2 = f32x4.add(f32x4.add(s1, f32x4.mul(f32x4.splat(0.25), s3)), f32x4.mul(f32x4.splat(4), s5));
  v128.store(o + 2 * oStep, reluIf(f32x4.add(bias, o2), relu));
  if (columns < 4) return;
  const last = f32x4.add(f32x4.mul(f32x4.splat(0.125), d3), f32x4.mul(f32x4.splat(8), d5));
  v128.store(o + 3 * oStep, reluIf(f32x4.add(bias, f32x4.add(f32x4.add(d1, last), v128.load(from, 896))), relu));
}

/**
 * out = b + convolution of x, with the filters of the last winogradRowsPrepare, then
 * ReLU where `relu` is set: ROWS output rows at a time (rows past the output's end are
 * summed, from zero padding, and not stored).
 */
export function winogradRowsForward(plan: usize, x: usize, out: usize, relu: bool): void {
  const outSx = slot(plan, CONV_OUT_SX);
  const outSy = slot(plan, CONV_OUT_SY);
  const tiles = slot(plan, CONV_ROWS_TILES);
  const vectors = slot(plan, CONV_FILTERS4) >> 2;
  const oStep = <usize>slot(plan, CONV_FILTERS4) << 2;
  const scratch = <usize>slot(plan, CONV_ROWS_SCRATCH);
  padTransposed(plan, x);
  transformRuns(plan);
  const o = outputRows(plan, out);
  for (let oy = 0; oy < outSy; oy += ROWS) {
    const rows = min(ROWS, outSy - oy);
    for (let t = 0; t < tiles; t++) {
      const columns = min(STEP, outSx - STEP * t);
      for (let fv = 0; fv < vectors; fv++) {
        for (let p = 0; p < POINTS; p++) pointSums(plan, oy, t, fv, p, scratch + (<usize>p * ROWS << 4));
        const fo = <usize>fv << 4;
        for (let r = 0; r < rows; r++) {
          outputRun(plan, scratch + (<usize>r << 4), fo, o + <usize>((oy + r) * outSx + STEP * t) * oStep, columns, relu);
        }
      }
    }
  }
  dropPaddingLanes(plan, out);
}
