/**
 * ReLU with the TypeScript layer's exact semantics: y = x < 0 ? 0 : x (so -0 and
 * NaN pass through), and dx = y <= 0 ? 0 : dy.
 */
export function reluForward(x: usize, y: usize, n: i32): void {
  const bytes = <usize>n << 2;
  const vectorBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) v128.store(y + o, relu4(v128.load(x + o)));
  for (; o < bytes; o += 4) {
    const v = load<f32>(x + o);
    store<f32>(y + o, v < 0 ? 0 : v);
  }
}

/** The forward above on one vector, for kernels that apply it to outputs they have just made. */
@inline
export function relu4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(v, f32x4.splat(0)));
}

/** relu4 where `relu` is set (an inference route folding in the ReLU layer after it), else v. */
@inline
export function reluIf(v: v128, relu: bool): v128 {
  return relu ? relu4(v) : v;
}

export function reluBackward(y: usize, dy: usize, dx: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const bytes = <usize>n << 2;
  const vectorBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) {
    v128.store(dx + o, v128.andnot(v128.load(dy + o), f32x4.le(v128.load(y + o), zero)));
  }
  for (; o < bytes; o += 4) {
    store<f32>(dx + o, load<f32>(y + o) <= 0 ? 0 : load<f32>(dy + o));
  }
}
