import { memo, useEffect, useMemo, useState } from 'react';
import { useDashboardActions } from '../../state/store';
import { predictedClass, topClassesOf, type TestEvaluation } from '../../training/evaluation';
import { GrayscaleCanvas } from '../common/GrayscaleCanvas';
import { ProbabilityBars } from '../common/ProbabilityBars';
import { formatPercent } from '../common/format';
import { ErrorNotice } from '../common/ErrorNotice';
import { errorMessage } from '../../engine';

const PIXEL_RANGE = { min: 0, max: 255 };
const MNIST_SIDE = 28;
const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

interface TestImageGalleryProps {
  evaluation: TestEvaluation;
  /** Test-set indices to show, in order. */
  indices: readonly number[];
  /** Names the list for screen readers and tests. */
  label: string;
}

/**
 * Test images of an evaluation with their top-3 bars. The evaluation carries no pixels;
 * the ones shown are fetched from the worker when the list changes.
 */
export const TestImageGallery = memo(function TestImageGallery({ evaluation, indices, label }: TestImageGalleryProps) {
  const actions = useDashboardActions();
  const key = indices.join(',');
  const [loaded, setLoaded] = useState<{ key: string; pixels: Uint8Array } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (indices.length === 0) return;
    let current = true;
    setError(null);
    actions.testImages([...indices]).then(
      (pixels) => {
        if (current) setLoaded({ key, pixels });
      },
      (err: unknown) => {
        if (current) setError(`The images could not be read: ${errorMessage(err)}`);
      },
    );
    return () => {
      current = false;
    };
    // The key stands for the indices' contents: a new array with the same images needs no refetch.
  }, [key, actions]);

  // One view per image, made once per fetch: the canvases redraw only when these change.
  const images = useMemo(
    () => (loaded ? Array.from({ length: loaded.pixels.length / MNIST_PIXELS }, (_, k) => loaded.pixels.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS)) : []),
    [loaded],
  );

  if (indices.length === 0) return <p className="muted">No images.</p>;
  if (error) return <ErrorNotice message={error} />;
  const pixels = loaded?.key === key ? loaded.pixels : null;
  return (
    <ul className="prediction-grid" aria-label={label} aria-busy={pixels === null}>
      {indices.map((testIndex, k) => {
        const trueLabel = evaluation.labels[testIndex];
        const predicted = predictedClass(evaluation, testIndex);
        const top = topClassesOf(evaluation, testIndex);
        const summary = `Test image ${testIndex}, a ${trueLabel}; predicted ${predicted} (${formatPercent(top[0]?.probability)})`;
        return (
          <li key={testIndex} className={predicted === trueLabel ? 'prediction' : 'prediction prediction--wrong'} aria-label={summary}>
            <span className="prediction__image">
              {pixels && images[k] ? (
                <GrayscaleCanvas
                  values={images[k]}
                  width={MNIST_SIDE}
                  height={MNIST_SIDE}
                  scale={2}
                  range={PIXEL_RANGE}
                />
              ) : (
                <span className="evaluation__placeholder" aria-hidden="true" />
              )}
              {/* The label is in the item's name for screen readers; this shows it to everyone. */}
              <span className="prediction__truth" aria-hidden="true">
                true {trueLabel}
              </span>
            </span>
            <ProbabilityBars top={top} trueLabel={trueLabel} />
          </li>
        );
      })}
    </ul>
  );
});
