import { memo, useDeferredValue } from 'react';
import { testAccuracy, useDashboard } from '../../state/store';
import type { TestPrediction } from '../../training/protocol';
import { Card } from '../common/Card';
import { GrayscaleCanvas } from '../common/GrayscaleCanvas';
import { ProbabilityBars } from '../common/ProbabilityBars';
import { formatPercent } from '../common/format';
import { useThrottled } from '../common/useThrottled';
import { useOnScreen } from '../common/useOnScreen';

const PIXEL_RANGE = { min: 0, max: 255 };
/** Each arrival shifts the whole grid; batching them to once a second keeps that relayout rare. */
const GRID_REFRESH_MS = 1000;
const MNIST_SIDE = 28;

const isEmpty = (list: readonly unknown[]) => list.length === 0;

/** Test digits with the network's top-3 guesses (4-crop average), newest first. */
export function Predictions() {
  // Off screen the grid holds still: dozens of new digits a second would otherwise keep
  // the page building elements and canvases that nobody sees. A new run empties it at once.
  const [cardRef, onScreen] = useOnScreen<HTMLElement>();
  const shown = useThrottled(useDashboard((s) => s.predictions), GRID_REFRESH_MS, isEmpty, !onScreen);
  // Rendered as a transition, in slices that let other work in between: filling 200
  // items at once (e.g. when the grid first comes on screen) is one of the page's biggest jobs.
  const predictions = useDeferredValue(shown);
  const accuracy = testAccuracy(predictions);

  return (
    <Card title="Example predictions on Test set" className="predictions-card" ref={cardRef}>
      <p>
        {predictions.length > 0
          ? `test accuracy based on last ${predictions.length} test images: ${formatPercent(accuracy)}`
          : 'Test predictions appear every so often while training runs.'}
      </p>
      <ul className="prediction-grid" aria-label="Test predictions, newest first">
        {predictions.map((p, slot) => (
          // Keyed by slot, not by prediction: at thousands of examples a second most of the
          // grid is new at every refresh, and refilling the same 200 items (canvas, bars) is
          // far cheaper than building new ones and their canvases.
          <PredictionItem key={slot} prediction={p} />
        ))}
      </ul>
    </Card>
  );
}

const PredictionItem = memo(function PredictionItem({ prediction }: { prediction: TestPrediction }) {
  const guess = prediction.top3[0];
  const summary = `Test image ${prediction.testIndex}, a ${prediction.label}; predicted ${guess?.label ?? '?'} (${formatPercent(guess?.probability)})`;
  return (
    <li className={prediction.correct ? 'prediction' : 'prediction prediction--wrong'} aria-label={summary}>
      <GrayscaleCanvas values={prediction.pixels} width={MNIST_SIDE} height={MNIST_SIDE} scale={2} range={PIXEL_RANGE} />
      <ProbabilityBars top={prediction.top3} trueLabel={prediction.label} />
    </li>
  );
});
