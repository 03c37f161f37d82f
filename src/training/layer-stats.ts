/**
 * Summaries of a layer's numbers for the inspector: min/max/mean/std, histograms, L2
 * norms and the update-to-weight ratio practitioners use to spot dead or exploding
 * layers. Pure functions over Float32Arrays (or any array of numbers); no DOM.
 *
 * Non-finite values (a diverging run) are counted apart and left out of every other
 * figure, so one NaN cannot turn a whole summary into NaN.
 */

export interface ValueSummary {
  /** Finite values summarized. */
  count: number;
  /** NaN or infinite values skipped. */
  nonFinite: number;
  /** All four are 0 when count is 0. */
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (divide by count), as numpy's default. */
  std: number;
}

export function summarizeValues(values: ArrayLike<number>): ValueSummary {
  let count = 0;
  let nonFinite = 0;
  let min = Infinity;
  let max = -Infinity;
  // Welford's update: one pass, and no catastrophic cancellation for large means.
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  if (count === 0) return { count, nonFinite, min: 0, max: 0, mean: 0, std: 0 };
  return { count, nonFinite, min, max, mean, std: Math.sqrt(Math.max(0, m2 / count)) };
}

export interface Histogram {
  /** bins + 1 increasing edges; bin i holds values in [edges[i], edges[i+1]), the last bin also its right edge. */
  edges: number[];
  counts: number[];
}

/**
 * Equal-width bins over [min, max] of the finite values (or over `range` when given;
 * values outside it are not counted). All-equal values get one bin of width 1 centred
 * on them, so the bar still shows. The counts sum to the number of finite values in range.
 */
export function histogram(values: ArrayLike<number>, bins: number, range?: { min: number; max: number }): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`a histogram needs a whole number of bins >= 1, got ${bins}`);
  let lo = range?.min ?? Infinity;
  let hi = range?.max ?? -Infinity;
  if (!range) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return { edges: [0, 1], counts: [0] };
  if (hi === lo) {
    let count = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === lo) count++;
    return { edges: [lo - 0.5, lo + 0.5], counts: [count] };
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= lo && v <= hi)) continue;
    // The maximum lands exactly on the last edge; it belongs to the last bin.
    const bin = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[bin]!++;
  }
  return { edges, counts };
}

/** Euclidean norm of values[start..end), accumulated in double precision. */
export function l2Norm(values: ArrayLike<number>, start = 0, end = values.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    sum += v * v;
  }
  return Math.sqrt(sum);
}

/** ||a - b|| over the same index range of two equally long arrays. */
export function differenceNorm(a: ArrayLike<number>, b: ArrayLike<number>, start = 0, end = a.length): number {
  if (a.length !== b.length) throw new RangeError(`cannot compare ${a.length} values with ${b.length}`);
  let sum = 0;
  for (let i = start; i < end; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/**
 * ||after - before|| / ||after||: how big the last update was next to the weights
 * (about 1e-3 is the usual healthy order). 0 for all-zero weights that did not move,
 * Infinity when zero weights moved.
 */
export function updateToWeightRatio(before: ArrayLike<number>, after: ArrayLike<number>, start = 0, end = after.length): number {
  const step = differenceNorm(after, before, start, end);
  const weight = l2Norm(after, start, end);
  if (weight === 0) return step === 0 ? 0 : Infinity;
  return step / weight;
}
