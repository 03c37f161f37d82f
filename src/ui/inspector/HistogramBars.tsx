import { formatNumber } from '../common/format';
import type { Histogram } from '../../training/layer-stats';

const WIDTH = 160;
const HEIGHT = 40;

/** A histogram as plain SVG bars (no axes: the table beside it gives min and max). */
export function HistogramBars({ histogram, label }: { histogram: Histogram; label: string }) {
  const { edges, counts } = histogram;
  const tallest = Math.max(1, ...counts);
  const barWidth = WIDTH / counts.length;
  const description =
    `${label}: ${counts.length} bins from ${formatNumber(edges[0])} to ${formatNumber(edges[edges.length - 1])}, ` +
    `the fullest holding ${Math.max(0, ...counts)} values`;
  return (
    <svg className="inspector-histogram" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={description}>
      {counts.map((count, i) => {
        const h = count === 0 ? 0 : Math.max(1, (count / tallest) * HEIGHT);
        return (
          <rect key={i} x={i * barWidth + 0.5} y={HEIGHT - h} width={Math.max(1, barWidth - 1)} height={h}>
            <title>{`${formatNumber(edges[i])} to ${formatNumber(edges[i + 1])}: ${count}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
