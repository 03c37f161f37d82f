/**
 * Winograd F(4x4, 5x5) convolution for inference: 5x5 filters, stride 1. Each 4x4
 * block of outputs comes from an 8x8 tile of the padded input as
 *   Y = A^T [ sum over channels of (G g G^T) . (B^T d B) ] A
 * with interpolation points 0, 1, -1, 1/2, -1/2, 2, -2 and infinity: 64 multiplies
 * per tile, channel and filter where direct convolution takes 400 (F(2x2, 5x5), the
 * route before, took 144 for the same 16 outputs), at the price of transforming each
 * input tile once and each output tile once. The filter transform runs once per
 * batch, in float64. Points at +-1/2 beside +-2 keep the transforms' entries small
 * (at most 8): the error stays within ~5e-6 normwise relative on every preset shape.
 *
 * Matrices (from Toom-Cook on those points):
 *   B^T = [1 0 -21/4 0 21/4 0 -1 0;
 *          0 1 1 -17/4 -17/4 1 1 0;   0 -1 1 17/4 -17/4 -1 1 0;
 *          0 2 4 -5/2 -5 1/2 1 0;     0 -2 4 5/2 -5 -1/2 1 0;
 *          0 1/2 1/4 -5/2 -5/4 2 1 0; 0 -1/2 1/4 5/2 -5/4 -2 1 0;
 *          0 -1 0 21/4 0 -21/4 0 1]
 *   G   = rows [1 0 0 0 0]; -2/9 [1 1 1 1 1]; -2/9 [1 -1 1 -1 1];
 *         1/90 [64 32 16 8 4]; 1/90 [64 -32 16 -8 4]; 1/90 [1 2 4 8 16]; 1/90 [1 -2 4 -8 16]; [0 0 0 0 1]
 *   A^T = [1 1 1 1 1 1 1 0; 0 1 -1 1/2 -1/2 2 -2 0; 0 1 1 1/4 1/4 4 4 0; 0 1 -1 1/8 -1/8 8 -8 1]
 *
 * Not bit-identical to convForward (the sums are taken in another basis): it agrees
 * within 1e-4 relative (tests/unit/engine/forward-batch.test.ts), and only
 * Net.forwardBatch uses it; training never does.
 *
 * Vectorised over channels in the transforms (depth4 lanes) and over filters in the
 * channel sums (filters4 lanes), tiles two at a time, as convForward blocks positions.
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
  CONV_WINO_DEPTH4,
  CONV_WINO_M,
  CONV_WINO_PADDED,
  CONV_WINO_SCRATCH,
  CONV_WINO_TILES_X,
  CONV_WINO_TILES_Y,
  CONV_WINO_U,
  CONV_WINO_V,
  slot,
} from './plan';
import { Fused, madd } from './madd';
import { reluIf } from './relu';

/** Input tile side (points per dimension) and output tile side. */
const SIDE = 8;
const STEP = 4;
const POINTS = SIDE * SIDE;

/**
 * G (above) applied to five filter taps a0..a4, in float64: the 8 values at `to` + k *
 * step, as f64 (`wide`) or f32. G's rows 1-2, 3-4 and 5-6 are an even part plus and
 * minus an odd part, so this takes 20 operations where the matrix product took 40
 * multiply-adds: setting the filters up runs again for every batch on new weights (a
 * validation example during training), and there it had cost more than the batch's forward.
 */
@inline
export function filterPoints(a0: f64, a1: f64, a2: f64, a3: f64, a4: f64, to: usize, step: usize, wide: bool): void {
  const even1 = a0 + a2 + a4;
  const odd1 = a1 + a3;
  const even2 = 64 * a0 + 16 * a2 + 4 * a4;
  const odd2 = 32 * a1 + 8 * a3;
  const even3 = a0 + 4 * a2 + 16 * a4;
  const odd3 = 2 * a1 + 8 * a3;
  storePoint(to, a0, wide);
  storePoint(to + step, (-2.0 / 9) * (even1 + odd1), wide);
  storePoint(to + 2 * step, (-2.0 / 9) * (even1 - odd1), wide);
  storePoint(to + 3 * step, (even2 + odd2) / 90, wide);
  storePoint(to + 4 * step, (even2 - odd2) / 90, wide);
  storePoint(to + 5 * step, (even3 + odd3) / 90, wide);
  storePoint(to + 6 * step, (even3 - odd3) / 90, wide);
  storePoint(to + 7 * step, a4, wide);
}

@inline
function storePoint(at: usize, value: f64, wide: bool): void {
  if (wide) store<f64>(at, value);
  else store<f32>(at, <f32>value);
}

/**
 * U[p][c][f] = (G g G^T)[p] for filter f's channel c, in float64 (G g first, kept
 * in the scratch); lanes past `filters` stay zero. Also copies the biases to
 * filters4 lanes.
 */
export function winogradPrepare(plan: usize, w: usize, b: usize): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const nf = slot(plan, CONV_FILTERS);
  const nf4 = slot(plan, CONV_FILTERS4);
  const fanIn = slot(plan, CONV_FAN_IN);
  const u = <usize>slot(plan, CONV_WINO_U);
  const gg = <usize>slot(plan, CONV_WINO_SCRATCH);
  const tap = <usize>depth << 2;
  const tapRow = 5 * tap;
  const pointStep = <usize>(depth * nf4) << 2;
  for (let f = 0; f < nf; f++) {
    for (let c = 0; c < depth; c++) {
      const g = w + (<usize>(f * fanIn + c) << 2);
      // Down each filter column: gg[py][fx] = (G g)[py][fx], 5 f64 to a row.
      for (let fx: usize = 0; fx < 5; fx++) {
        const col = g + fx * tap;
        filterPoints(
          <f64>load<f32>(col), <f64>load<f32>(col + tapRow), <f64>load<f32>(col + 2 * tapRow),
          <f64>load<f32>(col + 3 * tapRow), <f64>load<f32>(col + 4 * tapRow),
          gg + (fx << 3), 40, true,
        );
      }
      // Along each row of it: U[py][px] = (gg G^T)[py][px].
      for (let py = 0; py < SIDE; py++) {
        const row = gg + <usize>py * 40;
        filterPoints(
          load<f64>(row), load<f64>(row, 8), load<f64>(row, 16), load<f64>(row, 24), load<f64>(row, 32),
          u + (<usize>((py * SIDE * depth + c) * nf4 + f) << 2), pointStep, false,
        );
      }
    }
  }
  setBiases4(plan, b);
}

/** Copies x into the Winograd padded input (depth4 lanes per pixel); border and spare lanes stay zero. */
function padForWinograd(plan: usize, x: usize): void {
  const inSx = slot(plan, CONV_IN_SX);
  const inSy = slot(plan, CONV_IN_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const pad = slot(plan, CONV_PAD);
  const depth4 = slot(plan, CONV_WINO_DEPTH4);
  const width = STEP * slot(plan, CONV_WINO_TILES_X) + 4;
  const padded = <usize>slot(plan, CONV_WINO_PADDED);
  const pixel = <usize>depth << 2;
  const pixel4 = <usize>depth4 << 2;
  let src = x;
  for (let y = 0; y < inSy; y++) {
    let dst = padded + (<usize>(((y + pad) * width + pad) * depth4) << 2);
    if (depth == depth4) {
      memory.copy(dst, src, pixel * <usize>inSx);
      src += pixel * <usize>inSx;
      continue;
    }
    for (let xx = 0; xx < inSx; xx++) {
      memory.copy(dst, src, pixel);
      dst += pixel4;
      src += pixel;
    }
  }
}

/**
 * B^T applied to eight vectors a0..a7 read at `from` + k * fromStep, written at
 * `to` + k * toStep; rows 1-2, 3-4 and 5-6 share their even and odd parts.
 */
@inline
export function transformIn(from: usize, fromStep: usize, to: usize, toStep: usize): void {
  const a0 = v128.load(from);
  const a1 = v128.load(from + fromStep);
  const a2 = v128.load(from + 2 * fromStep);
  const a3 = v128.load(from + 3 * fromStep);
  const a4 = v128.load(from + 4 * fromStep);
  const a5 = v128.load(from + 5 * fromStep);
  const a6 = v128.load(from + 6 * fromStep);
  const a7 = v128.load(from + 7 * fromStep);
  const k21 = f32x4.splat(5.25);
  const k17 = f32x4.splat(4.25);
  const k5 = f32x4.splat(5);
  const k25 = f32x4.splat(2.5);
  const k125 = f32x4.splat(1.25);
  const k4 = f32x4.splat(4);
  const k2 = f32x4.splat(2);
  const half = f32x4.splat(0.5);
  const quarter = f32x4.splat(0.25);
  v128.store(to, f32x4.add(f32x4.sub(a0, a6), f32x4.mul(k21, f32x4.sub(a4, a2))));
  v128.store(to + 7 * toStep, f32x4.add(f32x4.sub(a7, a1), f32x4.mul(k21, f32x4.sub(a3, a5))));
  const even1 = f32x4.sub(f32x4.add(a2, a6), f32x4.mul(k17, a4));
  const odd1 = f32x4.sub(f32x4.add(a1, a5), f32x4.mul(k17, a3));
  v128.store(to + toStep, f32x4.add(even1, odd1));
  v128.store(to + 2 * toStep, f32x4.sub(even1, odd1));
  const even2 = f32x4.add(f32x4.sub(f32x4.mul(k4, a2), f32x4.mul(k5, a4)), a6);
  const odd2 = f32x4.add(f32x4.sub(f32x4.mul(k2, a1), f32x4.mul(k25, a3)), f32x4.mul(half, a5));
  v128.store(to + 3 * toStep, f32x4.add(even2, odd2));
  v128.store(to + 4 * toStep, f32x4.sub(even2, odd2));
  const even3 = f32x4.add(f32x4.sub(f32x4.mul(quarter, a2), f32x4.mul(k125, a4)), a6);
  const odd3 = f32x4.add(f32x4.sub(f32x4.mul(half, a1), f32x4.mul(k25, a3)), f32x4.mul(k2, a5));
  v128.store(to + 5 * toStep, f32x4.add(even3, odd3));
  v128.store(to + 6 * toStep, f32x4.sub(even3, odd3));
}

/**
 * The most tiles transformed, summed and transformed back together (three, or a pair),
 * so their V and M stay in the first-level cache; src/engine/wasm/layer-kernels.ts sizes
 * V and M for it.
 */
const TILE_BLOCK = 3;

/** V[p][k] = B^T d B for tile `tile` (k-th of its block), every channel vector. */
function transformTile(plan: usize, tile: i32, k: i32): void {
  const depth4 = slot(plan, CONV_WINO_DEPTH4);
  const tilesX = slot(plan, CONV_WINO_TILES_X);
  const padded = <usize>slot(plan, CONV_WINO_PADDED);
  const v = <usize>slot(plan, CONV_WINO_V);
  const scratch = <usize>slot(plan, CONV_WINO_SCRATCH);
  const pixel = <usize>depth4 << 2;
  const row = pixel * <usize>(STEP * tilesX + 4);
  const pointStep = <usize>(TILE_BLOCK * depth4) << 2;
  const scratchRow: usize = SIDE << 4;
  const ty = tile / tilesX;
  const tx = tile - ty * tilesX;
  const corner = padded + <usize>(STEP * ty) * row + <usize>(STEP * tx) * pixel;
  for (let cv: usize = 0; cv < pixel; cv += 16) {
    // Columns first: scratch[py][ix] = (B^T d)[py][ix].
    for (let ix = 0; ix < SIDE; ix++) transformIn(corner + <usize>ix * pixel + cv, row, scratch + (<usize>ix << 4), scratchRow);
    // Then rows: V[py][px] = (scratch B)[py][px].
    const out = v + (<usize>(k * depth4) << 2) + cv;
    for (let py = 0; py < SIDE; py++) transformIn(scratch + <usize>py * scratchRow, 16, out + <usize>(py * SIDE) * pointStep, pointStep);
  }
}

// Channel sums M[p][tile][f] = sum over c of V[p][tile][c] * U[p][c][f], per point:
// a splatted V value times a row of U, filters4 lanes, as convForward's blocks. Not
// convForward's fwd4x2 with one row and a zero bias, though it computes the same: its
// bias store and flush pass around a loop of only `depth` taps made the whole
// Winograd layer 1.3x slower (measured side by side), so the loop is kept bare here.

function sum4x2(v0: usize, v1: usize, u: usize, uRow: usize, m0: usize, m1: usize, depth: i32): void {
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let c0 = a0;
  let c1 = a0;
  let c2 = a0;
  let c3 = a0;
  let up = u;
  for (let c: usize = 0; c < <usize>depth << 2; c += 4) {
    const w0 = v128.load(up);
    const w1 = v128.load(up, 16);
    const w2 = v128.load(up, 32);
    const w3 = v128.load(up, 48);
    const s = v128.load32_splat(v0 + c);
    const t = v128.load32_splat(v1 + c);
    a0 = madd<Fused>(a0, s, w0);
    a1 = madd<Fused>(a1, s, w1);
    a2 = madd<Fused>(a2, s, w2);
    a3 = madd<Fused>(a3, s, w3);
    c0 = madd<Fused>(c0, t, w0);
    c1 = madd<Fused>(c1, t, w1);
    c2 = madd<Fused>(c2, t, w2);
    c3 = madd<Fused>(c3, t, w3);
    up += uRow;
  }
  v128.store(m0, a0);
  v128.store(m0, a1, 16);
  v128.store(m0, a2, 32);
  v128.store(m0, a3, 48);
  v128.store(m1, c0);
  v128.store(m1, c1, 16);
  v128.store(m1, c2, 32);
  v128.store(m1, c3, 48);
}

/** Two filter vectors for three tiles: six chains (two calls cover 16 filters). */
function sum2x3(v0: usize, v1: usize, v2: usize, u: usize, uRow: usize, m0: usize, m1: usize, m2: usize, depth: i32): void {
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let b0 = a0;
  let b1 = a0;
  let c0 = a0;
  let c1 = a0;
  let up = u;
  for (let c: usize = 0; c < <usize>depth << 2; c += 4) {
    const w0 = v128.load(up);
    const w1 = v128.load(up, 16);
    let s = v128.load32_splat(v0 + c);
    a0 = madd<Fused>(a0, s, w0);
    a1 = madd<Fused>(a1, s, w1);
    s = v128.load32_splat(v1 + c);
    b0 = madd<Fused>(b0, s, w0);
    b1 = madd<Fused>(b1, s, w1);
    s = v128.load32_splat(v2 + c);
    c0 = madd<Fused>(c0, s, w0);
    c1 = madd<Fused>(c1, s, w1);
    up += uRow;
  }
  v128.store(m0, a0);
  v128.store(m0, a1, 16);
  v128.store(m1, b0);
  v128.store(m1, b1, 16);
  v128.store(m2, c0);
  v128.store(m2, c1, 16);
}

function sum1x1(v0: usize, u: usize, uRow: usize, m0: usize, depth: i32): void {
  let a = f32x4.splat(0);
  let up = u;
  for (let c: usize = 0; c < <usize>depth << 2; c += 4) {
    a = madd<Fused>(a, v128.load32_splat(v0 + c), v128.load(up));
    up += uRow;
  }
  v128.store(m0, a);
}

/**
 * M[p][k] for the first `tiles` (1, 2 or 3) tiles of the block. Three tiles go together
 * (sum2x3: measured 1-2% faster than pairs on the exact build, and no wasted twin for an
 * odd count); a lone tile (one in all) is summed as a pair with itself, its twin's result
 * landing in the block's unused second slot: the pair's two independent chains run
 * about as fast as one, where sum1x1's single dependent chain made a lone tile cost
 * four pairs.
 */
function channelSums(plan: usize, tiles: i32): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const depth4 = slot(plan, CONV_WINO_DEPTH4);
  const nf4 = slot(plan, CONV_FILTERS4);
  const u = <usize>slot(plan, CONV_WINO_U);
  const v = <usize>slot(plan, CONV_WINO_V);
  const m = <usize>slot(plan, CONV_WINO_M);
  const uRow = <usize>nf4 << 2;
  const vTile = <usize>depth4 << 2;
  const mTile = <usize>nf4 << 2;
  const blocks = nf4 & ~15;
  for (let p = 0; p < POINTS; p++) {
    const up = u + <usize>(p * depth) * uRow;
    const vp = v + <usize>(p * TILE_BLOCK) * vTile;
    const mp = m + <usize>(p * TILE_BLOCK) * mTile;
    if (tiles == 3) {
      let f = 0;
      for (; f + 8 <= nf4; f += 8) {
        const fo = <usize>f << 2;
        sum2x3(vp, vp + vTile, vp + 2 * vTile, up + fo, uRow, mp + fo, mp + mTile + fo, mp + 2 * mTile + fo, depth);
      }
      if (f < nf4) {
        const fo = <usize>f << 2;
        for (let k = 0; k < 3; k++) sum1x1(vp + <usize>k * vTile, up + fo, uRow, mp + <usize>k * mTile + fo, depth);
      }
      continue;
    }
    for (let t = 0; t < tiles; t += 2) {
      const v0 = vp + <usize>t * vTile;
      const m0 = mp + <usize>t * mTile;
      const second = t + 1 < tiles;
      const v1 = second ? v0 + vTile : v0;
      let f = 0;
      for (; f < blocks; f += 16) {
        const fo = <usize>f << 2;
        sum4x2(v0, v1, up + fo, uRow, m0 + fo, m0 + mTile + fo, depth);
      }
      for (; f < nf4; f += 4) {
        const fo = <usize>f << 2;
        sum1x1(v0, up + fo, uRow, m0 + fo, depth);
        if (second) sum1x1(v1, up + fo, uRow, m0 + mTile + fo, depth);
      }
    }
  }
}

/**
 * A^T applied to eight vectors at `from` + k * step, the four results at `to` + 16 r:
 * with s_k = a_k + a_k+1 and d_k = a_k - a_k+1 for the pairs (1,2), (3,4), (5,6),
 *   [a0 + s1 + s3 + s5, d1 + d3/2 + 2 d5, s1 + s3/4 + 4 s5, d1 + d3/8 + 8 d5 + a7].
 */
@inline
function transformOut(from: usize, step: usize, to: usize): void {
  const a1 = v128.load(from + step);
  const a2 = v128.load(from + 2 * step);
  const a3 = v128.load(from + 3 * step);
  const a4 = v128.load(from + 4 * step);
  const a5 = v128.load(from + 5 * step);
  const a6 = v128.load(from + 6 * step);
  const s1 = f32x4.add(a1, a2);
  const s3 = f32x4.add(a3, a4);
  const s5 = f32x4.add(a5, a6);
  const d1 = f32x4.sub(a1, a2);
  const d3 = f32x4.sub(a3, a4);
  const d5 = f32x4.sub(a5, a6);
  v128.store(to, f32x4.add(f32x4.add(v128.load(from), s1), f32x4.add(s3, s5)));
  v128.store(to, f32x4.add(f32x4.add(d1, f32x4.mul(f32x4.splat(0.5), d3)), f32x4.mul(f32x4.splat(2), d5)), 16);
  v128.store(to, f32x4.add(f32x4.add(s1, f32x4.mul(f32x4.splat(0.25), s3)), f32x4.mul(f32x4.splat(4), s5)), 32);
  const last = f32x4.add(f32x4.mul(f32x4.splat(0.125), d3), f32x4.mul(f32x4.splat(8), d5));
  v128.store(to, f32x4.add(f32x4.add(d1, last), v128.load(from + 7 * step)), 48);
}

/**
 * Output tile `tile` (k-th of its block) from M: A^T M A plus the biases, where it
 * lies inside the output; then ReLU (relu.ts's) where `relu` is set.
 */
@inline
function outputTile(plan: usize, tile: i32, k: i32, o: usize, relu: bool): void {
  const outSx = slot(plan, CONV_OUT_SX);
  const outSy = slot(plan, CONV_OUT_SY);
  const nf4 = slot(plan, CONV_FILTERS4);
  const tilesX = slot(plan, CONV_WINO_TILES_X);
  const m = <usize>slot(plan, CONV_WINO_M);
  const bias4 = <usize>slot(plan, CONV_BIAS4);
  const scratch = <usize>slot(plan, CONV_WINO_SCRATCH);
  const oStep = <usize>nf4 << 2;
  const pointStep = <usize>TILE_BLOCK * oStep;
  const ty = tile / tilesX;
  const oy = STEP * ty;
  const ox = STEP * (tile - ty * tilesX);
  const columns = min(STEP, outSx - ox);
  const rows = min(STEP, outSy - oy);
  const o00 = o + <usize>(oy * outSx + ox) * oStep;
  const rowsAt = scratch + (<usize>(SIDE * STEP) << 4);
  for (let fo: usize = 0; fo < oStep; fo += 16) {
    const mt = m + <usize>k * oStep + fo;
    // Columns: scratch[px] holds (A^T M)[r][px] for r = 0..3.
    for (let px = 0; px < SIDE; px++) transformOut(mt + <usize>px * pointStep, <usize>SIDE * pointStep, scratch + (<usize>px << 6));
    const bias = v128.load(bias4 + fo);
    for (let r = 0; r < rows; r++) {
      // Row r: out[r][c] = (scratch A)[r][c].
      transformOut(scratch + (<usize>r << 4), 64, rowsAt);
      const orow = o00 + <usize>(r * outSx) * oStep + fo;
      for (let c = 0; c < columns; c++) v128.store(orow + <usize>c * oStep, reluIf(f32x4.add(bias, v128.load(rowsAt + (<usize>c << 4))), relu));
    }
  }
}

/**
 * out = b + convolution of x, with the filters of the last winogradPrepare, a block
 * of tiles at a time, then ReLU where `relu` is set. Output tiles that hang past the
 * output's edge are computed and not stored.
 */
export function winogradForward(plan: usize, x: usize, out: usize, relu: bool): void {
  const tiles = slot(plan, CONV_WINO_TILES_X) * slot(plan, CONV_WINO_TILES_Y);
  padForWinograd(plan, x);
  const o = outputRows(plan, out);
  for (let t0 = 0; t0 < tiles; ) {
    // Threes, then a pair or two: no tile summed with a wasted twin unless there is only one.
    const left = tiles - t0;
    const n = left == 4 ? 2 : min(3, left);
    for (let k = 0; k < n; k++) transformTile(plan, t0 + k, k);
    channelSums(plan, n);
    for (let k = 0; k < n; k++) outputTile(plan, t0 + k, k, o, relu);
    t0 += n;
  }
  dropPaddingLanes(plan, out);
}
