/**
 * A log-scale y axis for positive values: a domain slightly wider than the data and ticks
 * at 1, 2 and 5 times powers of ten inside it (readable values, evenly spread on a log axis).
 */
export interface LogAxis {
  domain: [number, number];
  ticks: number[];
}

/** Fallback when no value is positive: one decade around 1. */
const EMPTY_AXIS: LogAxis = { domain: [0.1, 1], ticks: [0.1, 0.2, 0.5, 1] };

export function logAxis(values: readonly number[]): LogAxis {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return EMPTY_AXIS;
  // 10% headroom either side in log terms, and at least a factor of 2 overall, so a flat curve is not a wall.
  let low = lo / 1.1;
  let high = hi * 1.1;
  if (high / low < 2) {
    const middle = Math.sqrt(low * high);
    low = middle / Math.SQRT2;
    high = middle * Math.SQRT2;
  }
  const ticks: { value: number; mantissa: number }[] = [];
  for (let decade = Math.floor(Math.log10(low)); decade <= Math.ceil(Math.log10(high)); decade++) {
    for (const mantissa of [1, 2, 5]) {
      const value = Number((mantissa * 10 ** decade).toPrecision(1));
      if (value >= low && value <= high) ticks.push({ value, mantissa });
    }
  }
  // Too many decades for 1-2-5 ticks to fit: powers of ten only.
  const thinned = (ticks.length > 8 ? ticks.filter((t) => t.mantissa === 1) : ticks).map((t) => t.value);
  // A narrow range can hold fewer than two ticks; the domain's ends then label the axis.
  const shown = thinned.length >= 2 ? thinned : [round2(low), round2(high)];
  return { domain: [Math.min(low, shown[0]!), Math.max(high, shown[shown.length - 1]!)], ticks: shown };
}

function round2(v: number): number {
  return Number(v.toPrecision(2));
}
