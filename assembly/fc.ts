/**
 * Fully connected: out[i] = b[i] + dot(w[i*n ..], x), four neurons at a time with
 * the dot products vectorised along the inputs.
 */

@inline
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * Dot products in float64 (products of two float32 are exact there), as the
 * TypeScript kernel computes them: the fc layer's outputs are the logits, whose
 * rounding noise would otherwise dominate finite-difference checks of the whole
 * net. It costs little: this layer is a small share of the work.
 */
export function fcForward(n: i32, m: i32, x: usize, w: usize, b: usize, out: usize): void {
  const rowBytes = <usize>n << 2;
  const pairBytes = rowBytes & ~7;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const w0 = w + <usize>i * rowBytes;
    const w1 = w0 + rowBytes;
    let a0 = f64x2.splat(0);
    let a1 = a0;
    let o: usize = 0;
    for (; o < pairBytes; o += 8) {
      const u = v128.load_zero<u64>(x + o);
      const ud = f64x2.promote_low_f32x4(u);
      a0 = f64x2.add(a0, f64x2.mul(ud, f64x2.promote_low_f32x4(v128.load_zero<u64>(w0 + o))));
      a1 = f64x2.add(a1, f64x2.mul(ud, f64x2.promote_low_f32x4(v128.load_zero<u64>(w1 + o))));
    }
    let s0 = hsum(a0);
    let s1 = hsum(a1);
    for (; o < rowBytes; o += 4) {
      const u = <f64>load<f32>(x + o);
      s0 += u * <f64>load<f32>(w0 + o);
      s1 += u * <f64>load<f32>(w1 + o);
    }
    const ob = <usize>i << 2;
    store<f32>(out + ob, <f32>(s0 + <f64>load<f32>(b + ob)));
    store<f32>(out + ob, <f32>(s1 + <f64>load<f32>(b + ob, 4)), 4);
  }
  for (; i < m; i++) {
    const w0 = w + <usize>i * rowBytes;
    let a = f64x2.splat(0);
    let o: usize = 0;
    for (; o < pairBytes; o += 8) {
      a = f64x2.add(a, f64x2.mul(f64x2.promote_low_f32x4(v128.load_zero<u64>(x + o)), f64x2.promote_low_f32x4(v128.load_zero<u64>(w0 + o))));
    }
    let s = hsum(a);
    for (; o < rowBytes; o += 4) s += <f64>load<f32>(x + o) * <f64>load<f32>(w0 + o);
    const ob = <usize>i << 2;
    store<f32>(out + ob, <f32>(s + <f64>load<f32>(b + ob)));
  }
}

/**
 * dx overwritten; dw, db accumulate. Neurons with zero gradient are skipped. Without
 * `withDx` dx is neither read nor written (the network's input, in training).
 */
export function fcBackward(n: i32, m: i32, x: usize, w: usize, dOut: usize, dx: usize, dw: usize, db: usize, withDx: bool): void {
  const rowBytes = <usize>n << 2;
  const vectorBytes = rowBytes & ~15;
  if (withDx) memory.fill(dx, 0, rowBytes);
  for (let i = 0; i < m; i++) {
    const ib = <usize>i << 2;
    const g = load<f32>(dOut + ib);
    if (g == 0) continue;
    store<f32>(db + ib, load<f32>(db + ib) + g);
    const wi = w + <usize>i * rowBytes;
    const dwi = dw + <usize>i * rowBytes;
    const gv = f32x4.splat(g);
    if (withDx) {
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) v128.store(dx + o, f32x4.add(v128.load(dx + o), f32x4.mul(gv, v128.load(wi + o))));
      for (; o < rowBytes; o += 4) store<f32>(dx + o, load<f32>(dx + o) + g * load<f32>(wi + o));
    }
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) v128.store(dwi + o, f32x4.add(v128.load(dwi + o), f32x4.mul(gv, v128.load(x + o))));
    for (; o < rowBytes; o += 4) store<f32>(dwi + o, load<f32>(dwi + o) + g * load<f32>(x + o));
  }
}
