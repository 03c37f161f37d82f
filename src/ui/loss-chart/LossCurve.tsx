import { memo, useMemo } from 'react';
import { Legend, Line, LineChart, Tooltip, YAxis } from 'recharts';
import { examplesChartProps, examplesExtent, examplesGridAndAxis, examplesLabel } from '../common/examples-chart';
import type { LossPoint } from '../../training/protocol';
import { formatNumber } from '../common/format';
import { logAxis } from './log-axis';

/** The total first; the classification loss dashed, in the second chart colour. */
const LOSS_LINES = [
  { dataKey: 'loss', name: 'total loss (with weight decay)', stroke: 'var(--accent)' },
  { dataKey: 'classificationLoss', name: 'classification loss', stroke: 'var(--chart-second)', strokeDasharray: '5 3' },
] as const;

/**
 * The recharts line itself; loaded on its own so the charting library is not on the first paint's path.
 * Memoized: its parent re-renders on every store push, but the (throttled) points change once a second.
 */
export default memo(function LossCurve({
  points,
  logScale = false,
  showClassification: asked = false,
}: {
  points: readonly LossPoint[];
  logScale?: boolean;
  /** Also draw the classification loss alone, below the total (which adds weight decay). */
  showClassification?: boolean;
}) {
  // Charts restored from before the split was recorded have no classification line to draw.
  const showClassification = asked && points.some((p) => p.classificationLoss !== undefined);
  // A log axis cannot place a zero loss (an SVM margin met everywhere): such points leave a gap.
  const data = useMemo<readonly { examples: number; loss: number | null; classificationLoss: number | null }[]>(
    () =>
      points.map((p) => ({
        examples: p.examples,
        loss: logScale && !(p.loss > 0) ? null : p.loss,
        classificationLoss: p.classificationLoss === undefined || (logScale && !(p.classificationLoss > 0)) ? null : p.classificationLoss,
      })),
    [points, logScale],
  );
  const axis = useMemo(
    () => (logScale ? logAxis(points.flatMap((p) => (showClassification && p.classificationLoss !== undefined ? [p.loss, p.classificationLoss] : [p.loss]))) : null),
    [points, logScale, showClassification],
  );
  return (
    <LineChart data={data} {...examplesChartProps()}>
      {examplesGridAndAxis({ extent: examplesExtent([points]) })}
      {axis ? (
        <YAxis
          scale="log"
          domain={axis.domain}
          ticks={axis.ticks}
          allowDataOverflow
          tickFormatter={(v: number) => formatNumber(v, 6)}
          width={44}
          fontSize={12}
          interval={0}
        />
      ) : (
        <YAxis domain={[0, 'auto']} tickFormatter={(v: number) => formatNumber(v, 2)} width={44} fontSize={12} interval={0} />
      )}
      <Tooltip formatter={(v, name) => [formatNumber(Number(v), 4), name]} labelFormatter={examplesLabel} />
      {showClassification ? <Legend verticalAlign="top" height={22} iconType="plainline" wrapperStyle={{ fontSize: 12 }} /> : null}
      {LOSS_LINES.filter((line) => showClassification || line.dataKey === 'loss').map((line) => (
        <Line key={line.dataKey} type="linear" strokeWidth={2} dot={false} isAnimationActive={false} {...line} />
      ))}
    </LineChart>
  );
});
