import { memo, useMemo } from 'react';
import { Line, LineChart, Tooltip, YAxis } from 'recharts';
import { examplesChartProps, examplesExtent, examplesGridAndAxis, examplesLabel } from '../common/examples-chart';
import type { LossPoint } from '../../training/protocol';
import { formatNumber } from '../common/format';
import { logAxis } from './log-axis';

/**
 * The recharts line itself; loaded on its own so the charting library is not on the first paint's path.
 * Memoized: its parent re-renders on every store push, but the (throttled) points change once a second.
 */
export default memo(function LossCurve({ points, logScale = false }: { points: readonly LossPoint[]; logScale?: boolean }) {
  // A log axis cannot place a zero loss (an SVM margin met everywhere): such points leave a gap.
  const data = useMemo<readonly { examples: number; loss: number | null }[]>(
    () => (logScale ? points.map((p) => (p.loss > 0 ? p : { examples: p.examples, loss: null })) : points),
    [points, logScale],
  );
  const axis = useMemo(() => (logScale ? logAxis(points.map((p) => p.loss)) : null), [points, logScale]);
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
      <Tooltip formatter={(v) => [formatNumber(Number(v), 4), 'loss']} labelFormatter={examplesLabel} />
      <Line type="linear" dataKey="loss" stroke="var(--accent)" strokeWidth={2} dot={false} isAnimationActive={false} />
    </LineChart>
  );
});
