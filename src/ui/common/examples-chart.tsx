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

/**
 * The grid and the x axis. Every tick of the nice 5-tick scale is shown (`interval` 0):
 * the default collision check measures each label in the DOM, forcing a layout on every
 * redraw. `allowDuplicatedCategory` false when several lines bring their own data
 * (true is recharts' default).
 */
export function examplesGridAndAxis(options: { allowDuplicatedCategory?: boolean } = {}) {
  return [
    <CartesianGrid key="grid" stroke="var(--grid-line)" strokeDasharray="3 3" />,
    <XAxis
      key="x"
      dataKey="examples"
      type="number"
      domain={['dataMin', 'dataMax']}
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
