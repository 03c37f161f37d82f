import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { formatInteger, formatNumber } from '../common/format';
import { useThrottled } from '../common/useThrottled';

/** Redrawing the SVG chart costs layout work; once a second is plenty for a loss curve. */
const CHART_REFRESH_MS = 1000;
const isEmpty = (list: readonly unknown[]) => list.length === 0;

/** Smoothed total loss (classification + weight decay) against examples seen. */
export function LossChart() {
  // A cleared graph (or a new run) empties at once rather than up to a second later.
  const points = useThrottled(useDashboard((s) => s.lossHistory), CHART_REFRESH_MS, isEmpty);
  const actions = useDashboardActions();
  const last = points.length > 0 ? points[points.length - 1] : undefined;

  return (
    <Card
      title="Loss"
      className="loss-card"
      actions={
        <button type="button" className="button" onClick={() => actions.clearLossHistory()} disabled={points.length === 0}>
          Clear graph
        </button>
      }
    >
      <p className="muted" aria-live="off">
        {last
          ? `Smoothed total loss ${formatNumber(last.loss, 4)} after ${formatInteger(last.examples)} examples`
          : 'The curve appears once training has seen a few hundred examples.'}
      </p>
      <div className="loss-chart" role="img" aria-label="Loss against examples seen">
        <LineChart responsive data={points} style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="var(--grid-line)" strokeDasharray="3 3" />
          <XAxis
            dataKey="examples"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(v: number) => formatInteger(v)}
            fontSize={12}
          />
          <YAxis domain={[0, 'auto']} tickFormatter={(v: number) => formatNumber(v, 2)} width={44} fontSize={12} />
          <Tooltip
            formatter={(v) => [formatNumber(Number(v), 4), 'loss']}
            labelFormatter={(v) => `${formatInteger(Number(v))} examples`}
          />
          <Line type="monotone" dataKey="loss" stroke="var(--accent)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </div>
    </Card>
  );
}
