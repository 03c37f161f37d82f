import { memo } from 'react';
import type { ClassProbability } from '../../training/protocol';
import { classNameOf, namesAreShort } from './class-names';
import { DatasetImage, scaleToFit, type ImageShape } from './DatasetImage';
import { ProbabilityBars } from './ProbabilityBars';
import { formatPercent } from './format';
import './common.css';

/** Test images are drawn about this wide, whatever their size (MNIST's 28 at 2x). */
const TILE_IMAGE_PIXELS = 56;

/** The class of the list that holds tiles: long class names stack each tile's image over its bars. */
export function predictionGridClass(classNames: readonly string[]): string {
  return namesAreShort(classNames) ? 'prediction-grid' : 'prediction-grid prediction-grid--named';
}

interface PredictionTileProps {
  testIndex: number;
  /** The image's bytes at the dataset's size; null while they are being fetched (a placeholder shows). */
  pixels: Uint8Array | null;
  shape: ImageShape;
  classNames: readonly string[];
  trueLabel: number;
  top: ClassProbability[];
  /** Whether to write the true class under the image; a wrong tile always has it. */
  alwaysShowTruth: boolean;
}

/** One test image with its true class and the network's top guesses, as the predictions grid and the gallery show it. */
export const PredictionTile = memo(function PredictionTile({
  testIndex,
  pixels,
  shape,
  classNames,
  trueLabel,
  top,
  alwaysShowTruth,
}: PredictionTileProps) {
  const guess = top[0];
  const correct = guess?.label === trueLabel;
  const truth = classNameOf(classNames, trueLabel);
  const predicted = guess ? classNameOf(classNames, guess.label) : '?';
  const summary = `Test image ${testIndex}, a ${truth}; predicted ${predicted} (${formatPercent(guess?.probability)})`;
  const scale = scaleToFit(shape, TILE_IMAGE_PIXELS);
  return (
    <li className={correct ? 'prediction' : 'prediction prediction--wrong'} aria-label={summary}>
      {/* Beside the bars, the true class is cut short at the image's width; over them (long names) it has the tile's. */}
      <span className="prediction__image" style={namesAreShort(classNames) ? { maxWidth: shape.width * scale + 2 } : undefined}>
        {pixels ? (
          <DatasetImage pixels={pixels} shape={shape} scale={scale} />
        ) : (
          <span className="prediction__placeholder" aria-hidden="true" style={{ width: shape.width * scale, height: shape.height * scale }} />
        )}
        {alwaysShowTruth || !correct ? (
          // The label is in the item's name for screen readers; this shows it to everyone.
          <span className="prediction__truth" aria-hidden="true" title={`true ${truth}`}>
            true {truth}
          </span>
        ) : null}
      </span>
      <ProbabilityBars top={top} classNames={classNames} trueLabel={trueLabel} />
    </li>
  );
});
