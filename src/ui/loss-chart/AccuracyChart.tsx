import { lazy, Suspense, useContext, useRef, useState } from 'react';
import { DashboardContext, useDashboard } from '../../state/store';
import { Card } from '../common/Card';
import { formatInteger, formatPercent } from '../common/format';
import { useOnScreen } from '../common/useOnScreen';
import { DownloadPngButton } from '../export/DownloadPngButton';
import { downloadBlob } from '../export/download';
import { metricsCsv } from '../export/metrics-csv';
import { useChartHistory } from './use-chart-history';
import './metrics-charts.css';

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
  const [exportError, setExportError] = useState<string | null>(null);
  const chartRef = useRef<HTMLDivElement>(null);
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
    <Card
      title="Accuracy"
      className="accuracy-card metrics-card"
      ref={cardRef}
      actions={
        <>
          <DownloadPngButton
            chartRef={chartRef}
            title="Accuracy"
            filename={`mnist-accuracy-${last?.examples ?? 0}-examples.png`}
            disabled={empty}
            onError={setExportError}
          />
          <button
            type="button"
            className="button"
            onClick={downloadCsv}
            disabled={empty}
            title="Loss, training and validation accuracy per chart point, and every test evaluation, as CSV"
          >
            Download CSV
          </button>
        </>
      }
    >
      <p className="muted" aria-live="off">
        {last ? summary(last.trainingAccuracy, last.validationAccuracy, last.examples) : 'The curves appear once training has seen a few hundred examples.'}
        {lastTest
          ? ` Test set: ${formatPercent(lastTest.fourCropAccuracy)} (4-crop) at ${formatInteger(lastTest.examples)} examples.`
          : null}
      </p>
      <div className="loss-chart" role="img" aria-label="Training and validation accuracy against examples seen, test evaluations as points" ref={chartRef}>
        <Suspense fallback={null}>
          <AccuracyCurve points={drawn} evaluations={evaluations} />
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

function summary(training: number | null | undefined, validation: number | null | undefined, examples: number): string {
  return `Training ${formatPercent(training)}, validation ${formatPercent(validation)} after ${formatInteger(examples)} examples.`;
}
