/**
 * Convolution backward on HWC volumes with 128-bit SIMD (the forward is in conv.ts).
 *
 * It works from the nonzero output gradients only (behind a ReLU and a max pool most
 * are zero) and vectorises along each filter row, where taps of all channels are
 * contiguous in both the padded input and the filter:
 * - filter gradient: per filter, the windows with nonzero gradient are listed, then
 *   each run of filter values sums over the list (conv-weight-grad.ts);
 * - input gradient: per position, the filters with nonzero gradient are taken 4, 2
 *   or 1 at a time and their weighted rows added into the padded input gradient.
 */
import {
  CONV_ACTIVE_G,
  CONV_ACTIVE_W,
  CONV_BIAS_SUM,
  CONV_FAN_IN,
  CONV_FILTERS,
  CONV_IN_DEPTH,
  CONV_IN_SX,
  CONV_IN_SY,
  CONV_NZ_COUNT,
  CONV_NZ_GRAD,
  CONV_NZ_WINDOW,
  CONV_OUT_SX,
  CONV_OUT_SY,
  CONV_PAD,
  CONV_PADDED_GRAD,
  CONV_PADDED_IN,
  CONV_PAD_SX,
  CONV_PAD_SY,
  CONV_STRIDE,
  CONV_SX,
  CONV_SY,
  slot,
} from './plan';
import { dwAdd } from './conv-weight-grad';

/** Adds g_j * (row of filter j) into one window of the padded input gradient, filters 4, 2 or 1 at a time. */
function dxAdd(d0: usize, activeW: usize, activeG: usize, m: i32, sy: i32, run: i32, xRow: usize): void {
  const run4 = run & ~3;
  const runBytes = <usize>run << 2;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const jw = activeW + (<usize>j << 2);
    const jg = activeG + (<usize>j << 2);
    let w0 = <usize>load<i32>(jw);
    let w1 = <usize>load<i32>(jw, 4);
    let w2 = <usize>load<i32>(jw, 8);
    let w3 = <usize>load<i32>(jw, 12);
    const s0 = load<f32>(jg);
    const s1 = load<f32>(jg, 4);
    const s2 = load<f32>(jg, 8);
    const s3 = load<f32>(jg, 12);
    const g0 = f32x4.splat(s0);
    const g1 = f32x4.splat(s1);
    const g2 = f32x4.splat(s2);
    const g3 = f32x4.splat(s3);
    let d = d0;
    for (let fy = 0; fy < sy; fy++) {
      let t = 0;
      for (; t < run4; t += 4) {
        const o = <usize>t << 2;
        const sum = f32x4.add(
          f32x4.add(f32x4.mul(g0, v128.load(w0 + o)), f32x4.mul(g1, v128.load(w1 + o))),
          f32x4.add(f32x4.mul(g2, v128.load(w2 + o)), f32x4.mul(g3, v128.load(w3 + o))),
        );
        v128.store(d + o, f32x4.add(v128.load(d + o), sum));
      }
      for (; t < run; t++) {
        const o = <usize>t << 2;
        store<f32>(d + o, load<f32>(d + o) + (s0 * load<f32>(w0 + o) + s1 * load<f32>(w1 + o) + (s2 * load<f32>(w2 + o) + s3 * load<f32>(w3 + o))));
      }
      d += xRow;
      w0 += runBytes;
      w1 += runBytes;
      w2 += runBytes;
      w3 += runBytes;
    }
  }
  if (m - j >= 2) {
    const jw = activeW + (<usize>j << 2);
    const jg = activeG + (<usize>j << 2);
    let w0 = <usize>load<i32>(jw);
    let w1 = <usize>load<i32>(jw, 4);
    const s0 = load<f32>(jg);
    const s1 = load<f32>(jg, 4);
    const g0 = f32x4.splat(s0);
    const g1 = f32x4.splat(s1);
    let d = d0;
    for (let fy = 0; fy < sy; fy++) {
      let t = 0;
      for (; t < run4; t += 4) {
        const o = <usize>t << 2;
        const sum = f32x4.add(f32x4.mul(g0, v128.load(w0 + o)), f32x4.mul(g1, v128.load(w1 + o)));
        v128.store(d + o, f32x4.add(v128.load(d + o), sum));
      }
      for (; t < run; t++) {
        const o = <usize>t << 2;
        store<f32>(d + o, load<f32>(d + o) + (s0 * load<f32>(w0 + o) + s1 * load<f32>(w1 + o)));
      }
      d += xRow;
      w0 += runBytes;
      w1 += runBytes;
    }
    j += 2;
  }
  if (m - j == 1) {
    const jw = activeW + (<usize>j << 2);
    const jg = activeG + (<usize>j << 2);
    let w0 = <usize>load<i32>(jw);
    const s0 = load<f32>(jg);
    const g0 = f32x4.splat(s0);
    let d = d0;
    for (let fy = 0; fy < sy; fy++) {
      let t = 0;
      for (; t < run4; t += 4) {
        const o = <usize>t << 2;
        v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.mul(g0, v128.load(w0 + o))));
      }
      for (; t < run; t++) {
        const o = <usize>t << 2;
        store<f32>(d + o, load<f32>(d + o) + s0 * load<f32>(w0 + o));
      }
      d += xRow;
      w0 += runBytes;
    }
  }
}

/**
 * Notes output gradient g of filter f at the window `win`: in the filter's list
 * (for dw), in the position's active list at m (for dx), and in the bias sum.
 */
@inline
function record(f: i32, g: f32, m: i32, win: i32, wf: usize, listBytes: usize, biasSum: usize, nzCount: usize, nzWindow: usize, nzGrad: usize, activeW: usize, activeG: usize): void {
  const sumAt = biasSum + (<usize>f << 3);
  store<f64>(sumAt, load<f64>(sumAt) + <f64>g);
  const countAt = nzCount + (<usize>f << 2);
  const c = load<i32>(countAt);
  const at = <usize>f * listBytes + (<usize>c << 2);
  store<i32>(nzWindow + at, win);
  store<f32>(nzGrad + at, g);
  store<i32>(countAt, c + 1);
  const mb = <usize>m << 2;
  store<i32>(activeW + mb, <i32>wf);
  store<f32>(activeG + mb, g);
}

/**
 * Backward: dx is overwritten, dw and db accumulate. Uses the padded input kept by
 * the last forward call. Without `withDx` dx is neither read nor written: training
 * skips the gradient of the network's input, a third of a depth-1 layer's backward.
 */
export function convBackward(plan: usize, w: usize, dOut: usize, dx: usize, dw: usize, db: usize, withDx: bool): void {
  const inSx = slot(plan, CONV_IN_SX);
  const inSy = slot(plan, CONV_IN_SY);
  const depth = slot(plan, CONV_IN_DEPTH);
  const outSx = slot(plan, CONV_OUT_SX);
  const outSy = slot(plan, CONV_OUT_SY);
  const nf = slot(plan, CONV_FILTERS);
  const sx = slot(plan, CONV_SX);
  const sy = slot(plan, CONV_SY);
  const stride = slot(plan, CONV_STRIDE);
  const pad = slot(plan, CONV_PAD);
  const padSx = slot(plan, CONV_PAD_SX);
  const padSy = slot(plan, CONV_PAD_SY);
  const fanIn = slot(plan, CONV_FAN_IN);
  const xp = <usize>slot(plan, CONV_PADDED_IN);
  const dxp = <usize>slot(plan, CONV_PADDED_GRAD);
  const nzWindow = <usize>slot(plan, CONV_NZ_WINDOW);
  const nzGrad = <usize>slot(plan, CONV_NZ_GRAD);
  const nzCount = <usize>slot(plan, CONV_NZ_COUNT);
  const activeW = <usize>slot(plan, CONV_ACTIVE_W);
  const activeG = <usize>slot(plan, CONV_ACTIVE_G);
  const biasSum = <usize>slot(plan, CONV_BIAS_SUM);

  const positions = outSx * outSy;
  const xRow = <usize>(padSx * depth) << 2;
  const xStep = <usize>(stride * depth) << 2;
  const run = sx * depth;
  const filterBytes = <usize>fanIn << 2;
  const listBytes = <usize>positions << 2;
  if (withDx) memory.fill(dxp, 0, <usize>(padSx * padSy * depth) << 2);
  memory.fill(nzCount, 0, <usize>nf << 2);
  memory.fill(biasSum, 0, <usize>nf << 3);

  // Nonzero gradients are found 4 filters at a time by a compare and a bitmask,
  // then visited bit by bit: no branch per value to mispredict.
  const zero = f32x4.splat(0);
  const nf4 = nf & ~3;
  let row = dOut;
  for (let oy = 0; oy < outSy; oy++) {
    let win = <usize>(oy * stride) * xRow;
    for (let ox = 0; ox < outSx; ox++) {
      let m = 0;
      let f = 0;
      for (; f < nf4; f += 4) {
        let bits = i32x4.bitmask(f32x4.ne(v128.load(row + (<usize>f << 2)), zero));
        while (bits != 0) {
          const k = f + ctz(bits);
          bits &= bits - 1;
          record(k, load<f32>(row + (<usize>k << 2)), m, <i32>win, w + <usize>k * filterBytes, listBytes, biasSum, nzCount, nzWindow, nzGrad, activeW, activeG);
          m++;
        }
      }
      for (; f < nf; f++) {
        const g = load<f32>(row + (<usize>f << 2));
        if (g != 0) {
          record(f, g, m, <i32>win, w + <usize>f * filterBytes, listBytes, biasSum, nzCount, nzWindow, nzGrad, activeW, activeG);
          m++;
        }
      }
      if (m > 0 && withDx) dxAdd(dxp + win, activeW, activeG, m, sy, run, xRow);
      row += <usize>nf << 2;
      win += xStep;
    }
  }

  for (let f = 0; f < nf; f++) {
    const n = load<i32>(nzCount + (<usize>f << 2));
    if (n == 0) continue;
    const at = <usize>f * listBytes;
    dwAdd(dw + <usize>f * filterBytes, xp, nzWindow + at, nzGrad + at, n, sy, run, xRow);
    const dbf = db + (<usize>f << 2);
    store<f32>(dbf, <f32>(<f64>load<f32>(dbf) + load<f64>(biasSum + (<usize>f << 3))));
  }

  if (!withDx) return;
  // Cut the border off: gradient that fell on padding belongs to no input.
  const inRow = <usize>(inSx * depth) << 2;
  let src = dxp + (<usize>((pad * padSx + pad) * depth) << 2);
  let dst = dx;
  for (let y = 0; y < inSy; y++) {
    memory.copy(dst, src, inRow);
    src += xRow;
    dst += inRow;
  }
}
