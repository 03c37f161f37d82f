/**
 * Convolution on HWC volumes with 128-bit SIMD.
 *
 * Forward vectorises over filters: the weights are transposed once per call to
 * [fanIn][filters4], so one tap of the window (one input value, splatted) times one
 * row of 4 filters' weights is one f32x4 multiply-add, and the result lands in HWC
 * order as it is (out[position][filter]). Register blocking: up to 4 filter vectors
 * times 2-4 neighbouring output positions, at most 8 accumulators, so accumulators,
 * weights and the splatted inputs fit the 16 SIMD registers of x86-64.
 *
 * The backward pass is in conv-backward.ts; it reads the padded input this file's
 * forward keeps in the plan.
 */
import {
  CONV_BIAS4,
  CONV_FAN_IN,
  CONV_FILTERS,
  CONV_FILTERS4,
  CONV_IN_DEPTH,
  CONV_IN_SX,
  CONV_IN_SY,
  CONV_OUT_SCRATCH,
  CONV_OUT_SX,
  CONV_OUT_SY,
  CONV_PAD,
  CONV_PAD_SX,
  CONV_PADDED_IN,
  CONV_STRIDE,
  CONV_SX,
  CONV_SY,
  CONV_WEIGHTS_T,
  slot,
} from './plan';
import { Exact, Fused, fusedIn, madd } from './madd';
import { reluForward } from './relu';
import { transpose4x4 } from './transpose';

/** Taps summed in registers between two additions into the output (see convForward). */
const FLUSH_TAPS = 12;

// Forward blocks. Arguments: x0 = first window's top-left value in the padded
// input, xStep = bytes between neighbouring windows, wt = transposed weights at
// this filter group, wRow = bytes per transposed row, bias = biases of the group,
// o0 = first output, oStep = bytes between neighbouring outputs, taps = sy rows of
// `run` values, summed `flush` rows at a time, xRow = bytes per padded input row.

function fwd4x2<M>(x0: usize, xStep: usize, wt: usize, wRow: usize, bias: usize, o0: usize, oStep: usize, sy: i32, flush: i32, run: i32, xRow: usize): void {
  const o1 = o0 + oStep;
  const b0 = v128.load(bias);
  const b1 = v128.load(bias, 16);
  const b2 = v128.load(bias, 32);
  const b3 = v128.load(bias, 48);
  v128.store(o0, b0);
  v128.store(o0, b1, 16);
  v128.store(o0, b2, 32);
  v128.store(o0, b3, 48);
  v128.store(o1, b0);
  v128.store(o1, b1, 16);
  v128.store(o1, b2, 32);
  v128.store(o1, b3, 48);
  let wp = wt;
  const runBytes = <usize>run << 2;
  for (let fy0 = 0; fy0 < sy; fy0 += flush) {
    const fy1 = min(fy0 + flush, sy);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let c0 = a0;
    let c1 = a0;
    let c2 = a0;
    let c3 = a0;
    for (let fy = fy0; fy < fy1; fy++) {
      let xp = x0 + <usize>fy * xRow;
      const end = xp + runBytes;
      while (xp < end) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        const w2 = v128.load(wp, 32);
        const w3 = v128.load(wp, 48);
        const u = v128.load32_splat(xp);
        const v = v128.load32_splat(xp + xStep);
        a0 = madd<M>(a0, u, w0);
        a1 = madd<M>(a1, u, w1);
        a2 = madd<M>(a2, u, w2);
        a3 = madd<M>(a3, u, w3);
        c0 = madd<M>(c0, v, w0);
        c1 = madd<M>(c1, v, w1);
        c2 = madd<M>(c2, v, w2);
        c3 = madd<M>(c3, v, w3);
        xp += 4;
        wp += wRow;
      }
    }
    v128.store(o0, f32x4.add(v128.load(o0), a0));
    v128.store(o0, f32x4.add(v128.load(o0, 16), a1), 16);
    v128.store(o0, f32x4.add(v128.load(o0, 32), a2), 32);
    v128.store(o0, f32x4.add(v128.load(o0, 48), a3), 48);
    v128.store(o1, f32x4.add(v128.load(o1), c0));
    v128.store(o1, f32x4.add(v128.load(o1, 16), c1), 16);
    v128.store(o1, f32x4.add(v128.load(o1, 32), c2), 32);
    v128.store(o1, f32x4.add(v128.load(o1, 48), c3), 48);
  }
}

function fwd4x1<M>(x0: usize, wt: usize, wRow: usize, bias: usize, o0: usize, sy: i32, flush: i32, run: i32, xRow: usize): void {
  v128.store(o0, v128.load(bias));
  v128.store(o0, v128.load(bias, 16), 16);
  v128.store(o0, v128.load(bias, 32), 32);
  v128.store(o0, v128.load(bias, 48), 48);
  let wp = wt;
  const runBytes = <usize>run << 2;
  for (let fy0 = 0; fy0 < sy; fy0 += flush) {
    const fy1 = min(fy0 + flush, sy);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    for (let fy = fy0; fy < fy1; fy++) {
      let xp = x0 + <usize>fy * xRow;
      const end = xp + runBytes;
      while (xp < end) {
        const u = v128.load32_splat(xp);
        a0 = madd<M>(a0, u, v128.load(wp));
        a1 = madd<M>(a1, u, v128.load(wp, 16));
        a2 = madd<M>(a2, u, v128.load(wp, 32));
        a3 = madd<M>(a3, u, v128.load(wp, 48));
        xp += 4;
        wp += wRow;
      }
    }
    v128.store(o0, f32x4.add(v128.load(o0), a0));
    v128.store(o0, f32x4.add(v128.load(o0, 16), a1), 16);
    v128.store(o0, f32x4.add(v128.load(o0, 32), a2), 32);
    v128.store(o0, f32x4.add(v128.load(o0, 48), a3), 48);
  }
}

function fwd2x4<M>(x0: usize, xStep: usize, wt: usize, wRow: usize, bias: usize, o0: usize, oStep: usize, sy: i32, flush: i32, run: i32, xRow: usize): void {
  const o1 = o0 + oStep;
  const o2 = o1 + oStep;
  const o3 = o2 + oStep;
  const bias0 = v128.load(bias);
  const bias1 = v128.load(bias, 16);
  v128.store(o0, bias0);
  v128.store(o0, bias1, 16);
  v128.store(o1, bias0);
  v128.store(o1, bias1, 16);
  v128.store(o2, bias0);
  v128.store(o2, bias1, 16);
  v128.store(o3, bias0);
  v128.store(o3, bias1, 16);
  let wp = wt;
  const runBytes = <usize>run << 2;
  const xStep2 = xStep + xStep;
  const xStep3 = xStep2 + xStep;
  for (let fy0 = 0; fy0 < sy; fy0 += flush) {
    const fy1 = min(fy0 + flush, sy);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    let b0 = a0;
    let b1 = a0;
    let c0 = a0;
    let c1 = a0;
    let d0 = a0;
    let d1 = a0;
    for (let fy = fy0; fy < fy1; fy++) {
      let xp = x0 + <usize>fy * xRow;
      const end = xp + runBytes;
      while (xp < end) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        let u = v128.load32_splat(xp);
        a0 = madd<M>(a0, u, w0);
        a1 = madd<M>(a1, u, w1);
        u = v128.load32_splat(xp + xStep);
        b0 = madd<M>(b0, u, w0);
        b1 = madd<M>(b1, u, w1);
        u = v128.load32_splat(xp + xStep2);
        c0 = madd<M>(c0, u, w0);
        c1 = madd<M>(c1, u, w1);
        u = v128.load32_splat(xp + xStep3);
        d0 = madd<M>(d0, u, w0);
        d1 = madd<M>(d1, u, w1);
        xp += 4;
        wp += wRow;
      }
    }
    v128.store(o0, f32x4.add(v128.load(o0), a0));
    v128.store(o0, f32x4.add(v128.load(o0, 16), a1), 16);
    v128.store(o1, f32x4.add(v128.load(o1), b0));
    v128.store(o1, f32x4.add(v128.load(o1, 16), b1), 16);
    v128.store(o2, f32x4.add(v128.load(o2), c0));
    v128.store(o2, f32x4.add(v128.load(o2, 16), c1), 16);
    v128.store(o3, f32x4.add(v128.load(o3), d0));
    v128.store(o3, f32x4.add(v128.load(o3, 16), d1), 16);
  }
}

function fwd2x1<M>(x0: usize, wt: usize, wRow: usize, bias: usize, o0: usize, sy: i32, flush: i32, run: i32, xRow: usize): void {
  v128.store(o0, v128.load(bias));
  v128.store(o0, v128.load(bias, 16), 16);
  let wp = wt;
  const runBytes = <usize>run << 2;
  for (let fy0 = 0; fy0 < sy; fy0 += flush) {
    const fy1 = min(fy0 + flush, sy);
    let a0 = f32x4.splat(0);
    let a1 = a0;
    for (let fy = fy0; fy < fy1; fy++) {
      let xp = x0 + <usize>fy * xRow;
      const end = xp + runBytes;
      while (xp < end) {
        const u = v128.load32_splat(xp);
        a0 = madd<M>(a0, u, v128.load(wp));
        a1 = madd<M>(a1, u, v128.load(wp, 16));
        xp += 4;
        wp += wRow;
      }
    }
    v128.store(o0, f32x4.add(v128.load(o0), a0));
    v128.store(o0, f32x4.add(v128.load(o0, 16), a1), 16);
  }
}

function fwd1x4<M>(x0: usize, xStep: usize, wt: usize, wRow: usize, bias: usize, o0: usize, oStep: usize, sy: i32, flush: i32, run: i32, xRow: usize): void {
  const o1 = o0 + oStep;
  const o2 = o1 + oStep;
  const o3 = o2 + oStep;
  const bv = v128.load(bias);
  v128.store(o0, bv);
  v128.store(o1, bv);
  v128.store(o2, bv);
  v128.store(o3, bv);
  let wp = wt;
  const runBytes = <usize>run << 2;
  const xStep2 = xStep + xStep;
  const xStep3 = xStep2 + xStep;
  for (let fy0 = 0; fy0 < sy; fy0 += flush) {
    const fy1 = min(fy0 + flush, sy);
    let a = f32x4.splat(0);
    let b = a;
    let c = a;
    let d = a;
    for (let fy = fy0; fy < fy1; fy++) {
      let xp = x0 + <usize>fy * xRow;
      const end = xp + runBytes;
      while (xp < end) {
        const w0 = v128.load(wp);
        a = madd<M>(a, v128.load32_splat(xp), w0);
        b = madd<M>(b, v128.load32_splat(xp + xStep), w0);
        c = madd<M>(c, v128.load32_splat(xp + xStep2), w0);
        d = madd<M>(d, v128.load32_splat(xp + xStep3), w0);
        xp += 4;
        wp += wRow;
      }
    }
    v128.store(o0, f32x4.add(v128.load(o0), a));
    v128.store(o1, f32x4.add(v128.load(o1), b));
    v128.store(o2, f32x4.add(v128.load(o2), c));
    v128.store(o3, f32x4.add(v128.load(o3), d));
  }
}

function fwd1x1<M>(x0: usize, wt: usize, wRow: usize, bias: usize, o0: usize, sy: i32, flush: i32, run: i32, xRow: usize): void {
  v128.store(o0, v128.load(bias));
  let wp = wt;
  const runBytes = <usize>run << 2;
  for (let fy0 = 0; fy0 < sy; fy0 += flush) {
    const fy1 = min(fy0 + flush, sy);
    let a = f32x4.splat(0);
    for (let fy = fy0; fy < fy1; fy++) {
      let xp = x0 + <usize>fy * xRow;
      const end = xp + runBytes;
      while (xp < end) {
        a = madd<M>(a, v128.load32_splat(xp), v128.load(wp));
        xp += 4;
        wp += wRow;
      }
    }
    v128.store(o0, f32x4.add(v128.load(o0), a));
  }
}

/** Copies x inside the zero border of the padded input; the border is never written. */
function padInput(plan: usize, x: usize): void {
  const inSx = slot(plan, CONV_IN_SX);
  const inSy = slot(plan, CONV_IN_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const pad = slot(plan, CONV_PAD);
  const padSx = slot(plan, CONV_PAD_SX);
  const xp = <usize>slot(plan, CONV_PADDED_IN);
  const xRow = <usize>(padSx * depth) << 2;
  const inRow = <usize>(inSx * depth) << 2;
  let dst = xp + (<usize>((pad * padSx + pad) * depth) << 2);
  let src = x;
  for (let y = 0; y < inSy; y++) {
    memory.copy(dst, src, inRow);
    dst += xRow;
    src += inRow;
  }
}

/**
 * Transposes the weights to [k][f] (one load gives one tap's weight for 4 filters)
 * and copies the biases to filters4 lanes. Forward calls it every time; a run of
 * inference calls (convForwardSparse) calls it once.
 */
export function convPrepare(plan: usize, w: usize, b: usize): void {
  const nf = slot(plan, CONV_FILTERS);
  const nf4 = slot(plan, CONV_FILTERS4);
  const fanIn = slot(plan, CONV_FAN_IN);
  const wt = <usize>slot(plan, CONV_WEIGHTS_T);
  const wRow = <usize>nf4 << 2;
  const wIn = <usize>fanIn << 2;
  // Blocks of 4 filters x 4 taps, transposed in registers: training's forward runs this
  // every example, and the float-by-float loop cost the seed net ~2% of its step.
  const nfBlocks = nf & ~3;
  const kBlocks = fanIn & ~3;
  for (let f = 0; f < nfBlocks; f += 4) {
    const s = w + <usize>f * wIn;
    const d = wt + (<usize>f << 2);
    for (let k = 0; k < kBlocks; k += 4) transpose4x4(s + (<usize>k << 2), wIn, d + <usize>k * wRow, wRow);
    for (let k = kBlocks; k < fanIn; k++) {
      for (let i = 0; i < 4; i++) store<f32>(d + <usize>k * wRow + (<usize>i << 2), load<f32>(s + <usize>i * wIn + (<usize>k << 2)));
    }
  }
  for (let f = nfBlocks; f < nf; f++) {
    let s = w + <usize>f * wIn;
    let d = wt + (<usize>f << 2);
    for (let k = 0; k < fanIn; k++) {
      store<f32>(d, load<f32>(s));
      s += 4;
      d += wRow;
    }
  }
  setBiases4(plan, b);
}

/**
 * The biases to the first `filters` lanes of CONV_BIAS4, where every route reads them;
 * the lanes past `filters` stay zero from allocation. Each route's set-up calls it.
 */
export function setBiases4(plan: usize, b: usize): void {
  memory.copy(<usize>slot(plan, CONV_BIAS4), b, <usize>slot(plan, CONV_FILTERS) << 2);
}

/**
 * Rows summed in registers before they are added into the output: partial sums of
 * about a dozen taps or more keep float32 rounding near that of one long float64
 * sum (the TypeScript kernel's) at a small cost per flush. Every forward path uses
 * this grouping, so they round alike.
 */
function flushRows(plan: usize): i32 {
  return max(1, FLUSH_TAPS / (slot(plan, CONV_SX) * slot(plan, CONV_IN_DEPTH)));
}

/** Output rows of filters4 floats: the output itself, or the scratch when filters is not a multiple of 4. */
export function outputRows(plan: usize, out: usize): usize {
  return slot(plan, CONV_FILTERS4) == slot(plan, CONV_FILTERS) ? out : <usize>slot(plan, CONV_OUT_SCRATCH);
}

/** Drops the padding lanes of the scratch rows (filters4 floats) into `out` (filters floats), if there are any. */
export function dropPaddingLanes(plan: usize, out: usize): void {
  const nf = slot(plan, CONV_FILTERS);
  const nf4 = slot(plan, CONV_FILTERS4);
  if (nf4 == nf) return;
  const positions = slot(plan, CONV_OUT_SX) * slot(plan, CONV_OUT_SY);
  const outRow = <usize>nf << 2;
  const oStep = <usize>nf4 << 2;
  let s = <usize>slot(plan, CONV_OUT_SCRATCH);
  let d = out;
  for (let p = 0; p < positions; p++) {
    memory.copy(d, s, outRow);
    s += oStep;
    d += outRow;
  }
}

/**
 * out[(oy*outSx+ox)*filters + f] = b[f] + sum over the window of w_f * x.
 * Keeps the padded input for backward.
 */
export function convForward(plan: usize, x: usize, w: usize, b: usize, out: usize): void {
  padInput(plan, x);
  convPrepare(plan, w, b);
  convSum<Exact>(plan, out);
}

/**
 * convForward with the weights and biases of the last convPrepare (inference over
 * many inputs): its sums bit for bit in the exact build, fused multiply-adds in the
 * relaxed-SIMD one (see madd.ts). With `relu`, the ReLU layer that follows is applied
 * too (its exact operation), while the outputs are still in cache.
 */
export function convForwardPrepared(plan: usize, x: usize, out: usize, relu: bool): void {
  padInput(plan, x);
  convSum<Fused>(plan, out);
  if (relu) reluForward(out, out, slot(plan, CONV_OUT_SX) * slot(plan, CONV_OUT_SY) * slot(plan, CONV_FILTERS));
}

/** The sums of convForward over the padded input, with the prepared weights; M picks the multiply-add (madd.ts). */
function convSum<M>(plan: usize, out: usize): void {
  const depth = slot(plan, CONV_IN_DEPTH);
  const outSx = slot(plan, CONV_OUT_SX);
  const outSy = slot(plan, CONV_OUT_SY);
  const sx = slot(plan, CONV_SX);
  const sy = slot(plan, CONV_SY);
  const stride = slot(plan, CONV_STRIDE);
  const padSx = slot(plan, CONV_PAD_SX);
  const nf4 = slot(plan, CONV_FILTERS4);
  const xp = <usize>slot(plan, CONV_PADDED_IN);
  const wt = <usize>slot(plan, CONV_WEIGHTS_T);
  const bias4 = <usize>slot(plan, CONV_BIAS4);
  const xRow = <usize>(padSx * depth) << 2;
  const wRow = <usize>nf4 << 2;
  const o = outputRows(plan, out);
  const oStep = <usize>nf4 << 2;
  const xStep = <usize>(stride * depth) << 2;
  const run = sx * depth;
  // The fused sums round once per tap and differ from forward's anyway, so they skip
  // the partial-sum flushes (one store and reload of the block per flush).
  const flush = fusedIn<M>() ? sy : flushRows(plan);
  const groups = nf4 >> 2;
  for (let oy = 0; oy < outSy; oy++) {
    const rowX = xp + <usize>(oy * stride) * xRow;
    const rowO = o + <usize>(oy * outSx) * oStep;
    let g = 0;
    while (g < groups) {
      const left = groups - g;
      const gw = wt + (<usize>g << 4);
      const gb = bias4 + (<usize>g << 4);
      const go = rowO + (<usize>g << 4);
      let ox = 0;
      if (left >= 4) {
        for (; ox + 2 <= outSx; ox += 2) {
          fwd4x2<M>(rowX + <usize>ox * xStep, xStep, gw, wRow, gb, go + <usize>ox * oStep, oStep, sy, flush, run, xRow);
        }
        for (; ox < outSx; ox++) fwd4x1<M>(rowX + <usize>ox * xStep, gw, wRow, gb, go + <usize>ox * oStep, sy, flush, run, xRow);
        g += 4;
      } else if (left >= 2) {
        for (; ox + 4 <= outSx; ox += 4) {
          fwd2x4<M>(rowX + <usize>ox * xStep, xStep, gw, wRow, gb, go + <usize>ox * oStep, oStep, sy, flush, run, xRow);
        }
        for (; ox < outSx; ox++) fwd2x1<M>(rowX + <usize>ox * xStep, gw, wRow, gb, go + <usize>ox * oStep, sy, flush, run, xRow);
        g += 2;
      } else {
        for (; ox + 4 <= outSx; ox += 4) {
          fwd1x4<M>(rowX + <usize>ox * xStep, xStep, gw, wRow, gb, go + <usize>ox * oStep, oStep, sy, flush, run, xRow);
        }
        for (; ox < outSx; ox++) fwd1x1<M>(rowX + <usize>ox * xStep, gw, wRow, gb, go + <usize>ox * oStep, sy, flush, run, xRow);
        g += 1;
      }
    }
  }
  dropPaddingLanes(plan, out);
}
