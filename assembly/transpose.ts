/**
 * A 4x4 block of 32-bit values transposed in registers: row r of the block at `from`
 * (rows `fromStride` bytes apart) becomes column r of the block at `to` (rows `toStride`
 * bytes apart). Four loads, eight shuffles, four stores, where value by value takes
 * sixteen loads and sixteen stores.
 */
@inline
export function transpose4x4(from: usize, fromStride: usize, to: usize, toStride: usize): void {
  const r0 = v128.load(from);
  const r1 = v128.load(from + fromStride);
  const r2 = v128.load(from + 2 * fromStride);
  const r3 = v128.load(from + 3 * fromStride);
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(to, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
  v128.store(to + toStride, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
  v128.store(to + 2 * toStride, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
  v128.store(to + 3 * toStride, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
}
