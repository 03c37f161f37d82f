import { memo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LayerStatsPoint } from '../../training/protocol';
import { examplesExtent, examplesTicks } from '../common/examples-chart';
import { formatInteger, formatNumber } from '../common/format';

/** The charts are 280 px wide: three x labels keep apart (and the right margin holds half of a last one near the end). */
const HEALTH_CHART_TICKS = 3;

const CHARTS = [
  { key: 'weightNorm', title: 'Weight norm', color: '#2457d6', log: false },
  { key: 'gradNorm', title: 'Gradient norm (last example)', color: '#c53030', log: false },
  // Spans orders of magnitude (healthy near 1e-3), so a log axis.
  { key: 'updateRatio', title: 'Update-to-weight ratio', color: '#1d8a4a', log: true },
] as const;

type SeriesKey = (typeof CHARTS)[number]['key'];

/** This layer's weight norm, gradient norm and update ratio against examples seen. */
export const TrainingHealthCharts = memo(function TrainingHealthCharts({
  history,
  layerIndex,
}: {
  history: readonly LayerStatsPoint[];
  layerIndex: number;
}) {
  const rows: Array<{ examples: number } & Record<SeriesKey, number>> = [];
  for (const point of history) {
    const layer = point.layers.find((l) => l.index === layerIndex);
    if (layer) rows.push({ examples: point.examples, weightNorm: layer.weightNorm, gradNorm: layer.gradNorm, updateRatio: layer.updateRatio });
  }
  if (rows.length === 0) return <p className="muted">The first sample arrives after the next weight update.</p>;
  const last = rows[rows.length - 1]!;
  return (
    <div className="inspector-health">
      {CHARTS.map(({ key, title, color, log }) => {
        // A log axis cannot show zeros (a layer that did not move); those points are left out.
        const data = log ? rows.filter((r) => r[key] > 0 && Number.isFinite(r[key])) : rows;
        const domain = log ? logDomain(data.map((r) => r[key])) : ([0, 'auto'] as const);
        return (
          <figure key={key} className="inspector-health__chart">
            <figcaption>
              {title}: {formatNumber(last[key])} at {formatInteger(last.examples)} examples
            </figcaption>
            <div role="img" aria-label={`${title} against examples seen, ${rows.length} samples; latest ${formatNumber(last[key])}`}>
              <LineChart width={280} height={150} data={data} margin={{ top: 6, right: 24, bottom: 4, left: 4 }}>
                <CartesianGrid stroke="#e6e9ef" />
                <XAxis
                  dataKey="examples"
                  type="number"
                  domain={['dataMin', 'dataMax']}
                  ticks={examplesTicks(...examplesExtent([data]), HEALTH_CHART_TICKS)}
                  interval={0}
                  tickFormatter={(v: number) => formatInteger(v)}
                  fontSize={11}
                />
                <YAxis
                  scale={log ? 'log' : 'auto'}
                  domain={domain}
                  tickFormatter={(v: number) => formatNumber(v, 3)}
                  width={56}
                  fontSize={11}
                />
                <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(v) => `${formatInteger(Number(v))} examples`} />
                <Line type="linear" dataKey={key} stroke={color} dot={false} isAnimationActive={false} />
              </LineChart>
            </div>
          </figure>
        );
      })}
    </div>
  );
});

/** Whole decades around the values, so no point falls outside a log axis. */
function logDomain(values: number[]): [number, number] {
  if (values.length === 0) return [1e-4, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const low = 10 ** Math.floor(Math.log10(lo));
  const high = 10 ** Math.ceil(Math.log10(hi));
  return [low, high > low ? high : low * 10];
}
