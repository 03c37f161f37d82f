/**
 * Max pooling on HWC volumes, 4 channels per f32x4. Taps are visited in
 * ConvNetJS's order (columns outer, rows inner) with a strict '>', so ties go to
 * the same cell as in the TypeScript kernel. Padding is never a candidate.
 * Switches hold the flat input index of each output's maximum, -1 for a window
 * wholly in the padding.
 */
import {
  POOL_DEPTH,
  POOL_IN_SX,
  POOL_IN_SY,
  POOL_OUT_SX,
  POOL_OUT_SY,
  POOL_PAD,
  POOL_STRIDE,
  POOL_SX,
  POOL_SY,
  slot,
} from './plan';

/** Max pooling with switches, for training: backward routes each gradient to its max. */
export function poolForward(plan: usize, x: usize, out: usize, switches: usize): void {
  poolPass(plan, x, out, switches, true);
}

/** The same maxima without switches, for inference (Net.forwardBatch): no index is tracked. */
export function poolForwardValues(plan: usize, x: usize, out: usize): void {
  const square2 = slot(plan, POOL_SX) == 2 && slot(plan, POOL_SY) == 2 && slot(plan, POOL_STRIDE) == 2;
  if (square2 && slot(plan, POOL_PAD) == 0 && (slot(plan, POOL_DEPTH) & 3) == 0) pool2x2Values(plan, x, out);
  else poolPass(plan, x, out, 0, false);
}

/** v where v > best, else best: one tap of the pass below (NaN and ties keep best). */
@inline
function maxTap(best: v128, v: v128): v128 {
  return v128.bitselect(v, best, f32x4.gt(v, best));
}

/**
 * poolPass without switches for the common 2x2 window, stride 2, no padding, depth a
 * multiple of 4 (the seed net's first pool): every window lies inside the input, so
 * the four taps are loaded straight, in poolPass's order (columns outer), and the
 * maxima are the same bit for bit; the general loops' bounds and counters were most
 * of that pool's time.
 */
function pool2x2Values(plan: usize, x: usize, out: usize): void {
  const inSx = slot(plan, POOL_IN_SX);
  const outSx = slot(plan, POOL_OUT_SX);
  const outSy = slot(plan, POOL_OUT_SY);
  const pixel = <usize>slot(plan, POOL_DEPTH) << 2;
  const rowBytes = <usize>inSx * pixel;
  let o = out;
  for (let oy = 0; oy < outSy; oy++) {
    let top = x + <usize>(2 * oy) * rowBytes;
    for (let ox = 0; ox < outSx; ox++) {
      for (let d: usize = 0; d < pixel; d += 16) {
        const at = top + d;
        let best = maxTap(v128.load(at), v128.load(at + rowBytes));
        best = maxTap(best, v128.load(at + pixel));
        best = maxTap(best, v128.load(at + pixel + rowBytes));
        v128.store(o + d, best);
      }
      top += pixel << 1;
      o += pixel;
    }
  }
}

/**
 * One pass of max pooling; inlined into both callers with `track` a constant, so
 * the optimiser drops the switch bookkeeping from the inference copy.
 */
@inline
function poolPass(plan: usize, x: usize, out: usize, switches: usize, track: bool): void {
  const inSx = slot(plan, POOL_IN_SX);
  const inSy = slot(plan, POOL_IN_SY);
  const depth = slot(plan, POOL_DEPTH);
  const outSx = slot(plan, POOL_OUT_SX);
  const outSy = slot(plan, POOL_OUT_SY);
  const sx = slot(plan, POOL_SX);
  const sy = slot(plan, POOL_SY);
  const stride = slot(plan, POOL_STRIDE);
  const pad = slot(plan, POOL_PAD);
  const depth4 = depth & ~3;
  const lanes = i32x4(0, 1, 2, 3);
  const pixelBytes = <usize>depth << 2;
  const rowBytes = <usize>inSx * pixelBytes;
  for (let oy = 0; oy < outSy; oy++) {
    const y0 = oy * stride - pad;
    const fy0 = max(0, -y0);
    const fy1 = min(sy, inSy - y0);
    for (let ox = 0; ox < outSx; ox++) {
      const x0 = ox * stride - pad;
      const fx0 = max(0, -x0);
      const fx1 = min(sx, inSx - x0);
      const ob = (oy * outSx + ox) * depth;
      const o = out + (<usize>ob << 2);
      const sw = switches + (<usize>ob << 2);
      if (fx0 >= fx1 || fy0 >= fy1) {
        memory.fill(o, 0, <usize>depth << 2);
        if (track) memory.fill(sw, 0xff, <usize>depth << 2);
        continue;
      }
      const first = ((y0 + fy0) * inSx + x0 + fx0) * depth;
      // Taps by pointer: down a column `rowBytes` at a time, then one pixel right.
      const cols = fx1 - fx0;
      const rows = fy1 - fy0;
      const corner = x + (<usize>first << 2);
      let d = 0;
      for (; d < depth4; d += 4) {
        let best = v128.load(corner + (<usize>d << 2));
        let idx = i32x4.add(i32x4.splat(first + d), lanes);
        let column = corner + (<usize>d << 2);
        for (let c = 0; c < cols; c++) {
          let at = column;
          for (let r = 0; r < rows; r++) {
            const v = v128.load(at);
            const greater = f32x4.gt(v, best);
            best = v128.bitselect(v, best, greater);
            if (track) idx = v128.bitselect(i32x4.add(i32x4.splat(<i32>((at - x) >> 2)), lanes), idx, greater);
            at += rowBytes;
          }
          column += pixelBytes;
        }
        v128.store(o + (<usize>d << 2), best);
        if (track) v128.store(sw + (<usize>d << 2), idx);
      }
      for (; d < depth; d++) {
        let bestIndex = first + d;
        let best = load<f32>(corner + (<usize>d << 2));
        let column = corner + (<usize>d << 2);
        for (let c = 0; c < cols; c++) {
          let at = column;
          for (let r = 0; r < rows; r++) {
            const v = load<f32>(at);
            if (v > best) {
              best = v;
              if (track) bestIndex = <i32>((at - x) >> 2);
            }
            at += rowBytes;
          }
          column += pixelBytes;
        }
        store<f32>(o + (<usize>d << 2), best);
        if (track) store<i32>(sw + (<usize>d << 2), bestIndex);
      }
    }
  }
}

/** dx (inSize floats) = 0, then each output's gradient added at its switch. */
export function poolBackward(dOut: usize, switches: usize, outSize: i32, dx: usize, inSize: i32): void {
  memory.fill(dx, 0, <usize>inSize << 2);
  for (let n = 0; n < outSize; n++) {
    const i = load<i32>(switches + (<usize>n << 2));
    if (i >= 0) {
      const at = dx + (<usize>i << 2);
      store<f32>(at, load<f32>(at) + load<f32>(dOut + (<usize>n << 2)));
    }
  }
}
