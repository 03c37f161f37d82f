import { memo, useEffect, useMemo, useState } from 'react';
import { useDashboardActions } from '../../state/store';
import { topClassesOf, type TestEvaluation } from '../../training/evaluation';
import { useClassNames, useImageShape } from '../common/class-names';
import { ErrorNotice } from '../common/ErrorNotice';
import { predictionGridClass, PredictionTile } from '../common/PredictionTile';
import { errorMessage } from '../../engine';

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
  const shape = useImageShape();
  const classNames = useClassNames();
  const imageBytes = shape.width * shape.height * shape.channels;

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
    () => (loaded ? Array.from({ length: loaded.pixels.length / imageBytes }, (_, k) => loaded.pixels.subarray(k * imageBytes, (k + 1) * imageBytes)) : []),
    [loaded, imageBytes],
  );

  if (indices.length === 0) return <p className="muted">No images.</p>;
  if (error) return <ErrorNotice message={error} />;
  const pixels = loaded?.key === key ? loaded.pixels : null;
  return (
    <ul className={predictionGridClass(classNames)} aria-label={label} aria-busy={pixels === null}>
      {indices.map((testIndex, k) => (
        <PredictionTile
          key={testIndex}
          testIndex={testIndex}
          pixels={pixels ? (images[k] ?? null) : null}
          shape={shape}
          classNames={classNames}
          trueLabel={evaluation.labels[testIndex]!}
          top={topClassesOf(evaluation, testIndex)}
          alwaysShowTruth
        />
      ))}
    </ul>
  );
});
