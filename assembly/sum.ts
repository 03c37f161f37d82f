/**
 * The data-parallel coordinator's gradient sum (src/parallel/gradient-sum.ts): f32 lanes
 * [target, target + n) += [source, source + n), in float32 like the plain loop. f32x4.add
 * rounds each lane once, as the loop's float32 stores do, so both give the same bits.
 */
export function addInto(target: usize, source: usize, n: i32): void {
  const bytes = <usize>n << 2;
  const vectorBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) v128.store(target + o, f32x4.add(v128.load(target + o), v128.load(source + o)));
  for (; o < bytes; o += 4) store<f32>(target + o, load<f32>(target + o) + load<f32>(source + o));
}
