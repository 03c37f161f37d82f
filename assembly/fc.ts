/**
 * Fully connected: out[i] = b[i] + dot(w[i*n ..], x), the dot products vectorised
 * along the inputs.
 */
import { Fused, madd } from './madd';
import { reluIf } from './relu';

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
 * fcForward for inference (Net.forwardBatch), in float32: four neurons at a time, each
 * vector of x loaded once for all four, their four sums added across lanes in one
 * transpose; fused multiply-adds in the relaxed-SIMD build (madd.ts). A quarter of
 * fcForward's float64 work; the outputs differ from its by rounding only. With `relu`,
 * the ReLU layer after it is applied too.
 */
export function fcForwardPrepared(n: i32, m: i32, x: usize, w: usize, b: usize, out: usize, relu: bool): void {
  const rowBytes = <usize>n << 2;
  const vectorBytes = rowBytes & ~15;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const w0 = w + <usize>i * rowBytes;
    const w1 = w0 + rowBytes;
    const w2 = w1 + rowBytes;
    const w3 = w2 + rowBytes;
    let a0 = zero;
    let a1 = zero;
    let a2 = zero;
    let a3 = zero;
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) {
      const u = v128.load(x + o);
      a0 = madd<Fused>(a0, u, v128.load(w0 + o));
      a1 = madd<Fused>(a1, u, v128.load(w1 + o));
      a2 = madd<Fused>(a2, u, v128.load(w2 + o));
      a3 = madd<Fused>(a3, u, v128.load(w3 + o));
    }
    // Lane r of the sum is neuron i + r's dot product.
    const t0 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
    const t1 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
    let sums = f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
    for (; o < rowBytes; o += 4) {
      const u = load<f32>(x + o);
      sums = f32x4.add(sums, f32x4(u * load<f32>(w0 + o), u * load<f32>(w1 + o), u * load<f32>(w2 + o), u * load<f32>(w3 + o)));
    }
    v128.store(out + (<usize>i << 2), reluIf(f32x4.add(sums, v128.load(b + (<usize>i << 2))), relu));
  }
  for (; i < m; i++) {
    const wi = w + <usize>i * rowBytes;
    let a = zero;
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) a = madd<Fused>(a, v128.load(x + o), v128.load(wi + o));
    let s = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
    for (; o < rowBytes; o += 4) s += load<f32>(x + o) * load<f32>(wi + o);
    const y = s + load<f32>(b + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), relu && y < 0 ? 0 : y);
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
