import { memo, useMemo } from 'react';
import { Legend, Line, LineChart, Tooltip, YAxis } from 'recharts';
import { examplesChartProps, examplesExtent, examplesGridAndAxis, examplesLabel } from '../common/examples-chart';
import type { TestEvaluationPoint } from '../../state/types';
import type { LossPoint } from '../../training/protocol';
import { formatPercent } from '../common/format';

export const ACCURACY_SERIES = {
  training: { name: 'Training', color: 'var(--accent)' },
  validation: { name: 'Validation', color: 'var(--ok)' },
  fourCrop: { name: 'Test (4-crop)', color: '#c2410c' },
  center: { name: 'Test (center)', color: '#7c3aed' },
} as const;

/** One row of the chart: a window point, a test evaluation, or (at the same examples) both. */
export interface AccuracyRow {
  examples: number;
  trainingAccuracy?: number | null;
  validationAccuracy?: number | null;
  fourCropAccuracy?: number;
  centerAccuracy?: number;
}

/**
 * The recharts accuracy chart (lazy, like the loss curve): two window lines and the test
 * evaluations as dots. Everything is one data set in order of examples, so the tooltip
 * reads the row under the cursor (a separate scatter data set confuses recharts' tooltip).
 * The y axis starts at the lowest tenth reached, so the climb from 90% to 99% stays
 * visible once the early, low points are cleared.
 */
export default memo(function AccuracyCurve({
  points,
  evaluations,
}: {
  points: readonly LossPoint[];
  evaluations: readonly TestEvaluationPoint[];
}) {
  const rows = useMemo(() => accuracyRows(points, evaluations), [points, evaluations]);
  const low = useMemo(() => lowestTenth(points, evaluations), [points, evaluations]);
  const ticks = useMemo(() => percentTicks(low), [low]);
  return (
    <LineChart data={rows} {...examplesChartProps()}>
      {examplesGridAndAxis({ extent: examplesExtent([rows]) })}
      <YAxis type="number" domain={[low, 1]} ticks={ticks} tickFormatter={(v: number) => formatPercent(v, 0)} width={44} fontSize={12} interval={0} />
      <Tooltip formatter={(v, name) => [formatPercent(Number(v)), name]} labelFormatter={examplesLabel} />
      {/* In the order drawn (recharts sorts by name otherwise). */}
      <Legend verticalAlign="top" iconSize={12} wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
      {(['training', 'validation'] as const).map((key) => (
        <Line
          key={key}
          type="linear"
          dataKey={`${key}Accuracy`}
          name={ACCURACY_SERIES[key].name}
          stroke={ACCURACY_SERIES[key].color}
          strokeWidth={2}
          dot={false}
          // Rows holding only a test evaluation must not break the line.
          connectNulls
          legendType="plainline"
          isAnimationActive={false}
        />
      ))}
      {/* Test evaluations: dots only; their legend entries appear with the first evaluation. */}
      {evaluations.length > 0
        ? (['fourCrop', 'center'] as const).map((key) => (
            <Line
              key={key}
              dataKey={`${key}Accuracy`}
              name={ACCURACY_SERIES[key].name}
              // The series colour (for the legend and tooltip), on a line of zero width: dots only.
              stroke={ACCURACY_SERIES[key].color}
              strokeWidth={0}
              dot={{
                className: 'test-evaluation-dot',
                r: key === 'fourCrop' ? 5 : 3.5,
                fill: ACCURACY_SERIES[key].color,
                stroke: 'var(--surface)',
                strokeWidth: 1.5,
              }}
              activeDot={{ r: key === 'fourCrop' ? 6 : 4.5, fill: ACCURACY_SERIES[key].color }}
              legendType="circle"
              isAnimationActive={false}
            />
          ))
        : null}
    </LineChart>
  );
});

/** The window points and the evaluations merged in order of examples (a point before an evaluation at the same examples). */
export function accuracyRows(points: readonly LossPoint[], evaluations: readonly TestEvaluationPoint[]): AccuracyRow[] {
  if (evaluations.length === 0) return points as LossPoint[];
  const tests = [...evaluations].sort((a, b) => a.examples - b.examples);
  const rows: AccuracyRow[] = [];
  let t = 0;
  for (const p of points) {
    while (t < tests.length && tests[t]!.examples < p.examples) rows.push(testRow(tests[t++]!));
    rows.push({ examples: p.examples, trainingAccuracy: p.trainingAccuracy, validationAccuracy: p.validationAccuracy });
  }
  while (t < tests.length) rows.push(testRow(tests[t++]!));
  return rows;
}

function testRow(e: TestEvaluationPoint): AccuracyRow {
  return { examples: e.examples, fourCropAccuracy: e.fourCropAccuracy, centerAccuracy: e.centerAccuracy };
}

/** The axis floor: the lowest accuracy shown, rounded down to a tenth (0 with no data). */
export function lowestTenth(points: readonly LossPoint[], evaluations: readonly TestEvaluationPoint[]): number {
  let lowest = 1;
  for (const p of points) {
    for (const v of [p.trainingAccuracy, p.validationAccuracy]) if (typeof v === 'number' && v < lowest) lowest = v;
  }
  for (const e of evaluations) lowest = Math.min(lowest, e.fourCropAccuracy, e.centerAccuracy);
  return Math.max(0, Math.min(0.9, Math.floor(lowest * 10) / 10));
}

/** Whole tenths from the floor to 100%, every other one when there are more than six. */
export function percentTicks(low: number): number[] {
  const tenths = Math.round(low * 10);
  const step = 10 - tenths > 5 ? 2 : 1;
  const ticks: number[] = [];
  for (let k = 10; k >= tenths; k -= step) ticks.push(k / 10);
  return ticks.reverse();
}
