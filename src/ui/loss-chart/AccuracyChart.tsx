import { lazy, useContext } from 'react';
import { DashboardContext, useDashboard } from '../../state/store';
import { formatInteger, formatPercent } from '../common/format';
import { useOnScreen } from '../common/useOnScreen';
import { downloadBlob } from '../export/download';
import { metricsCsv } from '../export/metrics-csv';
import { MetricsCard } from './MetricsCard';
import { useChartHistory } from './use-chart-history';

const AccuracyCurve = lazy(() => import('./AccuracyCurve'));

/**
 * Training and validation accuracy (the moving windows) against examples seen, with each
 * full test-set evaluation as points; and the metrics history as CSV.
 */
export function AccuracyChart() {
  const [cardRef, onScreen] = useOnScreen<HTMLElement>();
  const { points, drawn } = useChartHistory(onScreen);
  const evaluations = useDashboard((s) => s.testEvaluationPoints);
  const store = useContext(DashboardContext);
  const last = points.length > 0 ? points[points.length - 1] : undefined;
  const lastTest = evaluations.length > 0 ? evaluations[evaluations.length - 1] : undefined;
  const empty = points.length === 0 && evaluations.length === 0;

  function downloadCsv() {
    // The full history from the store, not the throttled and thinned one the chart draws.
    if (!store) return;
    const { lossHistory, testEvaluationPoints } = store.getState();
    const examples = lossHistory.at(-1)?.examples ?? 0;
    downloadBlob(new Blob([metricsCsv(lossHistory, testEvaluationPoints)], { type: 'text/csv' }), `mnist-metrics-${examples}-examples.csv`);
  }

  return (
    <MetricsCard
      title="Accuracy"
      className="accuracy-card metrics-card"
      cardRef={cardRef}
      trailingActions={
        <button
          type="button"
          className="button"
          onClick={downloadCsv}
          disabled={empty}
          title="Loss, training and validation accuracy per chart point, and every test evaluation, as CSV"
        >
          Download CSV
        </button>
      }
      pngFilename={`mnist-accuracy-${last?.examples ?? 0}-examples.png`}
      empty={empty}
      summary={
        <>
          {last ? summary(last.trainingAccuracy, last.validationAccuracy, last.examples) : 'The curves appear once training has seen a few hundred examples.'}
          {lastTest
            ? ` Test set: ${formatPercent(lastTest.fourCropAccuracy)} (4-crop) at ${formatInteger(lastTest.examples)} examples.`
            : null}
        </>
      }
      chartLabel="Training and validation accuracy against examples seen, test evaluations as points"
    >
      <AccuracyCurve points={drawn} evaluations={evaluations} />
    </MetricsCard>
  );
}

function summary(training: number | null | undefined, validation: number | null | undefined, examples: number): string {
  return `Training ${formatPercent(training)}, validation ${formatPercent(validation)} after ${formatInteger(examples)} examples.`;
}
