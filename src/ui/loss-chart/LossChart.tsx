import { lazy, Suspense, useMemo } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { formatInteger, formatNumber } from '../common/format';
import { useThrottled } from '../common/useThrottled';
import { useOnScreen } from '../common/useOnScreen';
import { pointsToDraw } from './chart-points';

/** Redrawing the SVG chart costs layout work; once a second is plenty for a loss curve. */
const CHART_REFRESH_MS = 1000;
const isEmpty = (list: readonly unknown[]) => list.length === 0;
const LossCurve = lazy(() => import('./LossCurve'));

/** Smoothed total loss (classification + weight decay) against examples seen. */
export function LossChart() {
  // A cleared graph (or a new run) empties at once rather than up to a second later.
  // Off screen the curve holds still: redrawing it measures text, which forces a layout.
  const [cardRef, onScreen] = useOnScreen<HTMLElement>();
  const points = useThrottled(useDashboard((s) => s.lossHistory), CHART_REFRESH_MS, isEmpty, !onScreen);
  const drawn = useMemo(() => pointsToDraw(points), [points]);
  const actions = useDashboardActions();
  const last = points.length > 0 ? points[points.length - 1] : undefined;

  return (
    <Card
      title="Loss"
      className="loss-card"
      ref={cardRef}
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
        <Suspense fallback={null}>
          <LossCurve points={drawn} />
        </Suspense>
      </div>
    </Card>
  );
}
