import { lazy, Suspense, useId, useRef, useState } from 'react';
import { useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { formatInteger, formatNumber } from '../common/format';
import { useOnScreen } from '../common/useOnScreen';
import { DownloadPngButton } from '../export/DownloadPngButton';
import { useChartHistory } from './use-chart-history';
import './metrics-charts.css';

const LossCurve = lazy(() => import('./LossCurve'));

/** Smoothed total loss (classification + weight decay) against examples seen. */
export function LossChart() {
  const [cardRef, onScreen] = useOnScreen<HTMLElement>();
  const { points, drawn } = useChartHistory(onScreen);
  const actions = useDashboardActions();
  const [logScale, setLogScale] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const chartRef = useRef<HTMLDivElement>(null);
  const logId = useId();
  const last = points.length > 0 ? points[points.length - 1] : undefined;

  return (
    <Card
      title="Loss"
      className="loss-card metrics-card"
      ref={cardRef}
      actions={
        <>
          <span className="metrics-card__toggle">
            <input id={logId} type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} />
            <label htmlFor={logId}>Log scale</label>
          </span>
          <DownloadPngButton
            chartRef={chartRef}
            title="Loss"
            filename={`mnist-loss-${last?.examples ?? 0}-examples.png`}
            disabled={points.length === 0}
            onError={setExportError}
          />
          <button
            type="button"
            className="button"
            onClick={() => actions.clearLossHistory()}
            disabled={points.length === 0}
            title="Empties the loss and accuracy graphs (they share one history)"
          >
            Clear graph
          </button>
        </>
      }
    >
      <p className="muted" aria-live="off">
        {last
          ? `Smoothed total loss ${formatNumber(last.loss, 4)} after ${formatInteger(last.examples)} examples`
          : 'The curve appears once training has seen a few hundred examples.'}
      </p>
      <div
        className="loss-chart"
        role="img"
        aria-label={`Loss against examples seen, ${logScale ? 'logarithmic' : 'linear'} loss axis`}
        ref={chartRef}
      >
        <Suspense fallback={null}>
          <LossCurve points={drawn} logScale={logScale} />
        </Suspense>
      </div>
      {exportError ? (
        <p className="metrics-card__error" role="alert">
          {exportError}
        </p>
      ) : null}
    </Card>
  );
}
