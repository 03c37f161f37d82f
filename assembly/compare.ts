/**
 * Whether n 32-bit words at a and at b are the same bits (NaN payloads and -0
 * included): a conv layer's inference routes check that the weights they were set up
 * from are still the net's (src/engine/wasm/layer-kernels.ts, PreparedWeights) on every
 * batch, and in TypeScript that check was 2% of a batched forward.
 */
export function sameWords(a: usize, b: usize, n: i32): bool {
  const bytes = <usize>n << 2;
  const vectorBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) {
    if (!i32x4.all_true(i32x4.eq(v128.load(a + o), v128.load(b + o)))) return false;
  }
  for (; o < bytes; o += 4) {
    if (load<i32>(a + o) != load<i32>(b + o)) return false;
  }
  return true;
}
