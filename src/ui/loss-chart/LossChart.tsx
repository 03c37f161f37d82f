import { lazy, useId, useState } from 'react';
import { useDashboardActions } from '../../state/store';
import { formatInteger, formatNumber } from '../common/format';
import { useOnScreen } from '../common/useOnScreen';
import { MetricsCard } from './MetricsCard';
import { useChartHistory } from './use-chart-history';

const LossCurve = lazy(() => import('./LossCurve'));

/** Smoothed total loss (classification + weight decay), and the classification loss alone, against examples seen. */
export function LossChart() {
  const [cardRef, onScreen] = useOnScreen<HTMLElement>();
  const { points, drawn } = useChartHistory(onScreen);
  const actions = useDashboardActions();
  const [logScale, setLogScale] = useState(false);
  const [showClassification, setShowClassification] = useState(true);
  const logId = useId();
  const classificationId = useId();
  const last = points.length > 0 ? points[points.length - 1] : undefined;

  return (
    <MetricsCard
      title="Loss"
      className="loss-card metrics-card"
      cardRef={cardRef}
      leadingActions={
        <span className="metrics-card__toggle">
          <input id={logId} type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} />
          <label htmlFor={logId}>Log scale</label>
          <input
            id={classificationId}
            type="checkbox"
            checked={showClassification}
            onChange={(e) => setShowClassification(e.target.checked)}
          />
          <label htmlFor={classificationId}>Classification loss line</label>
        </span>
      }
      trailingActions={
        <button
          type="button"
          className="button"
          onClick={() => actions.clearLossHistory()}
          disabled={points.length === 0}
          title="The loss and accuracy graphs share one history, so both are emptied"
        >
          Clear loss and accuracy graphs
        </button>
      }
      pngFilename={`mnist-loss-${last?.examples ?? 0}-examples.png`}
      empty={points.length === 0}
      summary={
        last
          ? `Smoothed total loss ${formatNumber(last.loss, 4)}` +
            (last.classificationLoss !== undefined ? ` (classification ${formatNumber(last.classificationLoss, 4)})` : '') +
            ` after ${formatInteger(last.examples)} examples`
          : 'The curve appears once training has seen a few hundred examples.'
      }
      chartLabel={`Loss against examples seen, ${logScale ? 'logarithmic' : 'linear'} loss axis`}
    >
      <LossCurve points={drawn} logScale={logScale} showClassification={showClassification} />
    </MetricsCard>
  );
}
