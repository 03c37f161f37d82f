/**
 * The kernels' multiply-add, picked at compile time by a type argument:
 * - Exact: a multiply, then an add (two roundings). Every training kernel and the
 *   cross-checked forward use it, so their sums are the same in every build.
 * - Fused: relaxed SIMD's f32x4.relaxed_madd where the module is built with the
 *   relaxed-simd feature (scripts/build-wasm.mjs builds a second module so; V8 runs it
 *   as one fused multiply-add where the CPU has FMA), the exact pair otherwise. Only
 *   inference routes (Net.forwardBatch) use it: a fused result rounds once, so it
 *   differs from the exact one in the last bits, and by platform.
 * Each is an alias of some numeric type only so that `isInteger<M>()` can tell them
 * apart while compiling; no value of either type is ever made.
 */
export type Exact = f32;
export type Fused = i32;

/** True where M's multiply-add is fused: Fused, in the relaxed-SIMD build (a compile-time constant). */
@inline
export function fusedIn<M>(): bool {
  return ASC_FEATURE_RELAXED_SIMD && isInteger<M>();
}

/** acc + a * b, four lanes. */
@inline
export function madd<M>(acc: v128, a: v128, b: v128): v128 {
  if (fusedIn<M>()) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
