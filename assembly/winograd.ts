/**
 * Winograd F(2x2, 5x5) convolution for inference: 5x5 filters, stride 1. Each 2x2
 * block of outputs comes from a 6x6 tile of the padded input as
 *   Y = A^T [ sum over channels of (G g G^T) . (B^T d B) ] A
 * with interpolation points 0, 1, -1, 2, -2 and infinity: 36 multiplies per tile,
 * channel and filter where direct convolution takes 100, at the price of
 * transforming each input tile once and each output tile once. The filter
 * transform runs once per batch, in float64.
 *
 * Matrices (B^T's rows scaled to small integers, the scales moved into G):
 *   B^T = [4 0 -5 0 1 0; 0 4 4 -1 -1 0; 0 -4 4 1 -1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G   = [1/4 0 0 0 0; 1/6 1/6 1/6 1/6 1/6; 1/6 -1/6 1/6 -1/6 1/6;
 *          1/24 1/12 1/6 1/3 2/3; 1/24 -1/12 1/6 -1/3 2/3; 0 0 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
 *
 * Not bit-identical to convForward (the sums are taken in another basis): it agrees
 * within 1e-4 relative (tests/unit/engine/forward-batch.test.ts), and only
 * Net.forwardBatch uses it; training never does.
 *
 * Vectorised over channels in the transforms (depth4 lanes) and over filters in the
 * channel sums (filters4 lanes), tiles two at a time, as convForward blocks positions.
 */
import { dropPaddingLanes, outputRows } from './conv';
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
import { relu4 } from './relu';

const POINTS = 36;

/** G, 6 rows of 5, row-major (static data: the module allocates nothing). */
const G: StaticArray<f64> = [
  0.25, 0, 0, 0, 0,
  1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6,
  1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6,
  1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3,
  1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3,
  0, 0, 0, 0, 1,
];

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
  for (let f = 0; f < nf; f++) {
    for (let c = 0; c < depth; c++) {
      const g = w + (<usize>(f * fanIn + c) << 2);
      for (let py = 0; py < 6; py++) {
        for (let fx = 0; fx < 5; fx++) {
          let sum: f64 = 0;
          for (let fy = 0; fy < 5; fy++) sum += unchecked(G[py * 5 + fy]) * <f64>load<f32>(g + (<usize>((fy * 5 + fx) * depth) << 2));
          store<f64>(gg + (<usize>(py * 5 + fx) << 3), sum);
        }
      }
      for (let py = 0; py < 6; py++) {
        for (let px = 0; px < 6; px++) {
          let sum: f64 = 0;
          for (let fx = 0; fx < 5; fx++) sum += load<f64>(gg + (<usize>(py * 5 + fx) << 3)) * unchecked(G[px * 5 + fx]);
          store<f32>(u + (<usize>(((py * 6 + px) * depth + c) * nf4 + f) << 2), <f32>sum);
        }
      }
    }
  }
  memory.copy(<usize>slot(plan, CONV_BIAS4), b, <usize>nf << 2);
}

/** Copies x into the Winograd padded input (depth4 lanes per pixel); border and spare lanes stay zero. */
function padForWinograd(plan: usize, x: usize): void {
  const inSx = slot(plan, CONV_IN_SX);
  const inSy = slot(plan, CONV_IN_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const pad = slot(plan, CONV_PAD);
  const depth4 = slot(plan, CONV_WINO_DEPTH4);
  const width = 2 * slot(plan, CONV_WINO_TILES_X) + 4;
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
 * B^T applied to six vectors a0..a5 read at `from` + k * fromStep, written at
 * `to` + k * toStep.
 */
@inline
function transformIn(from: usize, fromStep: usize, to: usize, toStep: usize): void {
  const a0 = v128.load(from);
  const a1 = v128.load(from + fromStep);
  const a2 = v128.load(from + 2 * fromStep);
  const a3 = v128.load(from + 3 * fromStep);
  const a4 = v128.load(from + 4 * fromStep);
  const a5 = v128.load(from + 5 * fromStep);
  const four = f32x4.splat(4);
  const five = f32x4.splat(5);
  const two = f32x4.splat(2);
  const a42 = f32x4.sub(a4, a2);
  v128.store(to, f32x4.add(f32x4.sub(f32x4.mul(four, a0), f32x4.mul(five, a2)), a4));
  v128.store(to + toStep, f32x4.sub(f32x4.mul(four, f32x4.add(a1, a2)), f32x4.add(a3, a4)));
  v128.store(to + 2 * toStep, f32x4.add(f32x4.mul(four, f32x4.sub(a2, a1)), f32x4.sub(a3, a4)));
  v128.store(to + 3 * toStep, f32x4.add(f32x4.mul(two, f32x4.sub(a3, a1)), a42));
  v128.store(to + 4 * toStep, f32x4.add(f32x4.mul(two, f32x4.sub(a1, a3)), a42));
  v128.store(to + 5 * toStep, f32x4.add(f32x4.sub(f32x4.mul(four, a1), f32x4.mul(five, a3)), a5));
}

/**
 * Tiles transformed, summed and transformed back together, so their V and M stay
 * in the first-level cache; src/engine/wasm/layer-kernels.ts sizes V and M for it.
 */
const TILE_BLOCK = 2;

/** V[p][k] = B^T d B for tile `tile` (k-th of its block), every channel vector. */
function transformTile(plan: usize, tile: i32, k: i32): void {
  const depth4 = slot(plan, CONV_WINO_DEPTH4);
  const tilesX = slot(plan, CONV_WINO_TILES_X);
  const padded = <usize>slot(plan, CONV_WINO_PADDED);
  const v = <usize>slot(plan, CONV_WINO_V);
  const scratch = <usize>slot(plan, CONV_WINO_SCRATCH);
  const pixel = <usize>depth4 << 2;
  const row = pixel * <usize>(2 * tilesX + 4);
  const pointStep = <usize>(TILE_BLOCK * depth4) << 2;
  const ty = tile / tilesX;
  const tx = tile - ty * tilesX;
  const corner = padded + <usize>(2 * ty) * row + <usize>(2 * tx) * pixel;
  for (let cv: usize = 0; cv < pixel; cv += 16) {
    // Columns first: scratch[py][ix] = (B^T d)[py][ix].
    for (let ix = 0; ix < 6; ix++) transformIn(corner + <usize>ix * pixel + cv, row, scratch + (<usize>ix << 4), 96);
    // Then rows: V[py][px] = (scratch B)[py][px].
    const out = v + (<usize>(k * depth4) << 2) + cv;
    for (let py = 0; py < 6; py++) transformIn(scratch + <usize>py * 96, 16, out + <usize>(py * 6) * pointStep, pointStep);
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

function sum1x1(v0: usize, u: usize, uRow: usize, m0: usize, depth: i32): void {
  let a = f32x4.splat(0);
  let up = u;
  for (let c: usize = 0; c < <usize>depth << 2; c += 4) {
    a = madd<Fused>(a, v128.load32_splat(v0 + c), v128.load(up));
    up += uRow;
  }
  v128.store(m0, a);
}

/** M[p][k] for the first `tiles` tiles of the block. */
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
    let t = 0;
    for (; t + 2 <= tiles; t += 2) {
      const v0 = vp + <usize>t * vTile;
      const m0 = mp + <usize>t * mTile;
      let f = 0;
      for (; f < blocks; f += 16) {
        const fo = <usize>f << 2;
        sum4x2(v0, v0 + vTile, up + fo, uRow, m0 + fo, m0 + mTile + fo, depth);
      }
      for (; f < nf4; f += 4) {
        const fo = <usize>f << 2;
        sum1x1(v0, up + fo, uRow, m0 + fo, depth);
        sum1x1(v0 + vTile, up + fo, uRow, m0 + mTile + fo, depth);
      }
    }
    if (t < tiles) {
      const v0 = vp + <usize>t * vTile;
      const m0 = mp + <usize>t * mTile;
      for (let f = 0; f < nf4; f += 4) sum1x1(v0, up + (<usize>f << 2), uRow, m0 + (<usize>f << 2), depth);
    }
  }
}

/** A^T applied to six vectors at `from` + k * step: [a0+a1+a2+a3+a4, (a1-a2) + 2(a3-a4) + a5] into `to`, `to` + 16. */
@inline
function transformOut(from: usize, step: usize, to: usize): void {
  const a0 = v128.load(from);
  const a1 = v128.load(from + step);
  const a2 = v128.load(from + 2 * step);
  const a3 = v128.load(from + 3 * step);
  const a4 = v128.load(from + 4 * step);
  const a5 = v128.load(from + 5 * step);
  v128.store(to, f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), a4));
  v128.store(to, f32x4.add(f32x4.add(f32x4.sub(a1, a2), f32x4.mul(f32x4.splat(2), f32x4.sub(a3, a4))), a5), 16);
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
  const oy = 2 * ty;
  const ox = 2 * (tile - ty * tilesX);
  const right = ox + 1 < outSx;
  const below = oy + 1 < outSy;
  const o00 = o + <usize>(oy * outSx + ox) * oStep;
  for (let fo: usize = 0; fo < oStep; fo += 16) {
    const mt = m + <usize>k * oStep + fo;
    // Columns: scratch[px] holds (A^T M)[0][px] and (A^T M)[1][px].
    for (let px = 0; px < 6; px++) transformOut(mt + <usize>px * pointStep, 6 * pointStep, scratch + (<usize>px << 5));
    // Rows: out[r][c] = (scratch A)[r][c], r = 0, 1.
    transformOut(scratch, 32, scratch + 192);
    transformOut(scratch + 16, 32, scratch + 224);
    const bias = v128.load(bias4 + fo);
    v128.store(o00 + fo, finish(f32x4.add(bias, v128.load(scratch + 192)), relu));
    if (right) v128.store(o00 + oStep + fo, finish(f32x4.add(bias, v128.load(scratch + 208)), relu));
    if (below) {
      const o10 = o00 + <usize>outSx * oStep;
      v128.store(o10 + fo, finish(f32x4.add(bias, v128.load(scratch + 224)), relu));
      if (right) v128.store(o10 + oStep + fo, finish(f32x4.add(bias, v128.load(scratch + 240)), relu));
    }
  }
}

@inline
function finish(v: v128, relu: bool): v128 {
  return relu ? relu4(v) : v;
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
  for (let t0 = 0; t0 < tiles; t0 += TILE_BLOCK) {
    const n = min(TILE_BLOCK, tiles - t0);
    for (let k = 0; k < n; k++) transformTile(plan, t0 + k, k);
    channelSums(plan, n);
    for (let k = 0; k < n; k++) outputTile(plan, t0 + k, k, o, relu);
  }
  dropPaddingLanes(plan, out);
}
