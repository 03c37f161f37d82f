/**
 * What every training chart shares (loss, accuracy, the trainer comparison): a recharts
 * LineChart filling its box, a dashed grid, and "examples seen" on the x axis. Plain
 * functions returning elements rather than components, so recharts still finds its
 * axes and grid among the chart's direct children.
 */
import { CartesianGrid, XAxis } from 'recharts';
import { formatInteger } from './format';

/** The LineChart props they share; `right` margin leaves room for the last x label. */
export function examplesChartProps(right = 24) {
  return {
    responsive: true,
    accessibilityLayer: false,
    style: { width: '100%', height: '100%' },
    margin: { top: 8, right, bottom: 4, left: 0 },
  } as const;
}

/** Most x labels an axis gets: "1,000,000" five times fits the narrowest chart (a phone's). */
const MAX_EXAMPLE_TICKS = 5;

/**
 * Ticks for an examples axis from `min` to `max`: round numbers (1, 2 or 5 times a power of
 * ten apart), at most `maxCount` of them, all inside the range. The range's ends are not
 * ticks themselves: an end just past a round tick put two labels on top of each other.
 */
export function examplesTicks(min: number, max: number, maxCount = MAX_EXAMPLE_TICKS): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  if (max === min) return [min];
  const rough = (max - min) / maxCount;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => Math.floor(max / s) - Math.ceil(min / s) + 1 <= maxCount)!;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step); k * step <= max; k++) ticks.push(k * step);
  return ticks;
}

/** Smallest and largest `examples` across the given series. */
export function examplesExtent(series: readonly (readonly { examples: number }[])[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const points of series) {
    for (const p of points) {
      min = Math.min(min, p.examples);
      max = Math.max(max, p.examples);
    }
  }
  return [min, max];
}

/**
 * The grid and the x axis. Every tick is shown (`interval` 0): the default collision check
 * measures each label in the DOM, forcing a layout on every redraw; examplesTicks keeps
 * them apart instead. `extent` is the data's examples range. `allowDuplicatedCategory`
 * false when several lines bring their own data (true is recharts' default).
 */
export function examplesGridAndAxis(options: { extent: [number, number]; allowDuplicatedCategory?: boolean }) {
  return [
    <CartesianGrid key="grid" stroke="var(--grid-line)" strokeDasharray="3 3" />,
    <XAxis
      key="x"
      dataKey="examples"
      type="number"
      domain={['dataMin', 'dataMax']}
      ticks={examplesTicks(...options.extent)}
      allowDuplicatedCategory={options.allowDuplicatedCategory ?? true}
      tickFormatter={(v: number) => formatInteger(v)}
      fontSize={12}
      interval={0}
    />,
  ];
}

/** The tooltip's heading: the examples seen at the point under the cursor. */
export function examplesLabel(value: unknown): string {
  return `${formatInteger(Number(value))} examples`;
}
