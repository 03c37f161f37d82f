/**
 * The filter gradient of convBackward: for one filter, the sum over the windows where
 * its output gradient is nonzero (listed by convBackward) of g_j * window_j, added
 * into dw. Every tap's sum runs over the windows in list order in float32, one
 * multiply and one add per window, whichever loop below computes it: the lanes of a
 * vector are independent sums, so the paths give the same bits.
 */

/**
 * Adds into one filter's gradient dwf the sum over its n listed windows of
 * g_j * window_j. `windows` holds byte offsets into the padded input xp; a window is
 * `sy` rows of `run` floats, rows `xRow` bytes apart.
 */
export function dwAdd(dwf: usize, xp: usize, windows: usize, grads: usize, n: i32, sy: i32, run: i32, xRow: usize): void {
  if (run >= 4 && run <= 8) {
    dwAddNarrow(dwf, xp, windows, grads, n, sy, run, xRow);
    return;
  }
  const nBytes = <usize>n << 2;
  let dr = dwf;
  let xo = xp;
  for (let fy = 0; fy < sy; fy++) {
    let t = 0;
    for (; t + 16 <= run; t += 16) {
      const to = xo + (<usize>t << 2);
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      for (let jo: usize = 0; jo < nBytes; jo += 4) {
        const s = to + <usize>load<i32>(windows + jo);
        const g = v128.load32_splat(grads + jo);
        a0 = f32x4.add(a0, f32x4.mul(g, v128.load(s)));
        a1 = f32x4.add(a1, f32x4.mul(g, v128.load(s, 16)));
        a2 = f32x4.add(a2, f32x4.mul(g, v128.load(s, 32)));
        a3 = f32x4.add(a3, f32x4.mul(g, v128.load(s, 48)));
      }
      const d = dr + (<usize>t << 2);
      v128.store(d, f32x4.add(v128.load(d), a0));
      v128.store(d, f32x4.add(v128.load(d, 16), a1), 16);
      v128.store(d, f32x4.add(v128.load(d, 32), a2), 32);
      v128.store(d, f32x4.add(v128.load(d, 48), a3), 48);
    }
    for (; t + 4 <= run; t += 4) {
      const d = dr + (<usize>t << 2);
      v128.store(d, f32x4.add(v128.load(d), windowSum4(xo + (<usize>t << 2), windows, grads, nBytes)));
    }
    if (t < run && run >= 4) {
      // The last 1-3 taps as the top lanes of the row's last four: one vector pass, not
      // a float-by-float one per tap (the lower lanes, done above, are left as they are).
      const last = <usize>(run - 4) << 2;
      addTopLanes(dr + last, windowSum4(xo + last, windows, grads, nBytes), run - t);
      t = run;
    }
    for (; t < run; t++) {
      const to = xo + (<usize>t << 2);
      let a: f32 = 0;
      for (let jo: usize = 0; jo < nBytes; jo += 4) {
        a += load<f32>(grads + jo) * load<f32>(to + <usize>load<i32>(windows + jo));
      }
      const d = dr + (<usize>t << 2);
      store<f32>(d, load<f32>(d) + a);
    }
    dr += <usize>run << 2;
    xo += xRow;
  }
}

/** Four floats of a row (at `to` in the first window) summed over the listed windows, g_j * x_j. */
@inline
function windowSum4(to: usize, windows: usize, grads: usize, nBytes: usize): v128 {
  let a = f32x4.splat(0);
  for (let jo: usize = 0; jo < nBytes; jo += 4) {
    a = f32x4.add(a, f32x4.mul(v128.load32_splat(grads + jo), v128.load(to + <usize>load<i32>(windows + jo))));
  }
  return a;
}

/** Adds the top `count` lanes (1-3) of `a` into the four floats at d; the others stay as they are. */
@inline
function addTopLanes(d: usize, a: v128, count: i32): void {
  const old = v128.load(d);
  const top = i32x4.gt_s(i32x4(0, 1, 2, 3), i32x4.splat(3 - count));
  v128.store(d, v128.bitselect(f32x4.add(old, a), old, top));
}

/**
 * dwAdd for rows of 4 to 8 floats (a 5x5 filter on one channel, say: conv 1 of the seed
 * net). The general loop above runs the list once per row and, for 5 floats, once more
 * float by float, each pass one chain of dependent adds. Here two rows go in one pass,
 * each as two vectors (its first four floats and its last four, overlapping), so four
 * independent sums share each load of a window offset and gradient.
 */
function dwAddNarrow(dwf: usize, xp: usize, windows: usize, grads: usize, n: i32, sy: i32, run: i32, xRow: usize): void {
  const nBytes = <usize>n << 2;
  const last = <usize>(run - 4) << 2;
  const rowBytes = <usize>run << 2;
  let dr = dwf;
  let xo = xp;
  let fy = 0;
  for (; fy + 2 <= sy; fy += 2) {
    let a0 = f32x4.splat(0);
    let a1 = a0;
    let b0 = a0;
    let b1 = a0;
    for (let jo: usize = 0; jo < nBytes; jo += 4) {
      const s = xo + <usize>load<i32>(windows + jo);
      const g = v128.load32_splat(grads + jo);
      a0 = f32x4.add(a0, f32x4.mul(g, v128.load(s)));
      a1 = f32x4.add(a1, f32x4.mul(g, v128.load(s + last)));
      b0 = f32x4.add(b0, f32x4.mul(g, v128.load(s + xRow)));
      b1 = f32x4.add(b1, f32x4.mul(g, v128.load(s + xRow + last)));
    }
    storeRow(dr, a0, a1, run, last);
    storeRow(dr + rowBytes, b0, b1, run, last);
    dr += rowBytes << 1;
    xo += xRow << 1;
  }
  if (fy < sy) {
    let a0 = f32x4.splat(0);
    let a1 = a0;
    for (let jo: usize = 0; jo < nBytes; jo += 4) {
      const s = xo + <usize>load<i32>(windows + jo);
      const g = v128.load32_splat(grads + jo);
      a0 = f32x4.add(a0, f32x4.mul(g, v128.load(s)));
      a1 = f32x4.add(a1, f32x4.mul(g, v128.load(s + last)));
    }
    storeRow(dr, a0, a1, run, last);
  }
}

/** Adds one row's sums into dw: the first four floats, then the rest from the overlapping last four. */
@inline
function storeRow(d: usize, first: v128, lastFour: v128, run: i32, last: usize): void {
  v128.store(d, f32x4.add(v128.load(d), first));
  if (run > 4) addTopLanes(d + last, lastFour, run - 4);
}
