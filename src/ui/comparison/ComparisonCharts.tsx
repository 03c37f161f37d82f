import { memo } from 'react';
import { Line, LineChart, Tooltip, YAxis } from 'recharts';
import { examplesChartProps, examplesExtent, examplesGridAndAxis, examplesLabel } from '../common/examples-chart';
import type { CurvePoint, RunReport } from '../../comparison/protocol';
import { formatNumber, formatPercent } from '../common/format';
import { RUN_STYLES } from './trainer-configs';

export type AccuracyKind = 'validationAccuracy' | 'trainingAccuracy';

interface ChartProps {
  runs: readonly RunReport[];
  accuracy: AccuracyKind;
}

/**
 * The overlaid curves, one line per run in its colour and dash pattern. Loaded on its own
 * so the charting library stays off the first paint's path; memoized because the runs
 * change about once a second while the panel re-renders more often.
 */
export default memo(function ComparisonCharts({ runs, accuracy }: ChartProps) {
  return (
    <div className="comparison-charts">
      <figure className="comparison-chart">
        <figcaption>Loss (smoothed)</figcaption>
        <div className="comparison-chart__plot" role="img" aria-label="Smoothed loss of each trainer against examples seen">
          <RunChart runs={runs} dataKey="loss" format={(v) => formatNumber(v, 2)} domain={[0, 'auto']} />
        </div>
      </figure>
      <figure className="comparison-chart">
        <figcaption>{accuracy === 'validationAccuracy' ? 'Validation accuracy' : 'Training accuracy'}</figcaption>
        <div
          className="comparison-chart__plot"
          role="img"
          aria-label={`${accuracy === 'validationAccuracy' ? 'Validation' : 'Training'} accuracy of each trainer against examples seen`}
        >
          <RunChart runs={runs} dataKey={accuracy} format={(v) => formatPercent(v, 0)} domain={[0, 1]} />
        </div>
      </figure>
    </div>
  );
});

interface RunChartProps {
  runs: readonly RunReport[];
  dataKey: keyof CurvePoint;
  format(value: number): string;
  domain: [number, number | 'auto'];
}

function RunChart({ runs, dataKey, format, domain }: RunChartProps) {
  return (
    <LineChart {...examplesChartProps(16)}>
      {examplesGridAndAxis({ extent: examplesExtent(runs.map((run) => run.curve)), allowDuplicatedCategory: false })}
      <YAxis domain={domain} tickFormatter={format} width={44} fontSize={12} interval={0} />
      <Tooltip
        formatter={(v, name) => [format(Number(v)), name]}
        labelFormatter={examplesLabel}
      />
      {runs.map((run, i) => {
        const style = RUN_STYLES[i % RUN_STYLES.length]!;
        return (
          <Line
            key={i}
            data={run.curve}
            dataKey={dataKey}
            name={run.label}
            type="monotone"
            stroke={style.color}
            strokeDasharray={style.dash}
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        );
      })}
    </LineChart>
  );
}
