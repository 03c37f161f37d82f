import { useDeferredValue } from 'react';
import { testAccuracy, useDashboard } from '../../state/store';
import { Card } from '../common/Card';
import { useClassNames, useImageShape } from '../common/class-names';
import { predictionGridClass, PredictionTile } from '../common/PredictionTile';
import { formatPercent } from '../common/format';
import { useThrottled } from '../common/useThrottled';
import { useOnScreen } from '../common/useOnScreen';

/** Each arrival shifts the whole grid; batching them to once a second keeps that relayout rare. */
const GRID_REFRESH_MS = 1000;

const isEmpty = (list: readonly unknown[]) => list.length === 0;

/** Test images with the network's top-3 guesses (averaged over the dataset's test-time views), newest first. */
export function Predictions() {
  // Off screen the grid holds still: dozens of new digits a second would otherwise keep
  // the page building elements and canvases that nobody sees. A new run empties it at once.
  const [cardRef, onScreen] = useOnScreen<HTMLElement>();
  const shown = useThrottled(useDashboard((s) => s.predictions), GRID_REFRESH_MS, isEmpty, !onScreen);
  // Rendered as a transition, in slices that let other work in between: filling 200
  // items at once (e.g. when the grid first comes on screen) is one of the page's biggest jobs.
  const predictions = useDeferredValue(shown);
  const accuracy = testAccuracy(predictions);
  const shape = useImageShape();
  const classNames = useClassNames();

  return (
    <Card title="Example predictions on Test set" className="predictions-card" ref={cardRef}>
      <p>
        {predictions.length > 0
          ? `test accuracy based on last ${predictions.length} test images: ${formatPercent(accuracy)}`
          : 'Test predictions appear every so often while training runs.'}
      </p>
      <ul className={predictionGridClass(classNames)} aria-label="Test predictions, newest first">
        {predictions.map((p, slot) => (
          // Keyed by slot, not by prediction: at thousands of examples a second most of the
          // grid is new at every refresh, and refilling the same 200 items (canvas, bars) is
          // far cheaper than building new ones and their canvases.
          <PredictionTile
            key={slot}
            testIndex={p.testIndex}
            pixels={p.pixels}
            shape={shape}
            classNames={classNames}
            trueLabel={p.label}
            top={p.top3}
            alwaysShowTruth={false}
          />
        ))}
      </ul>
    </Card>
  );
}
