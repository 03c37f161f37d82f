/**
 * Whether a definition fits the dataset the session trains on, asked before "Change
 * network": the session's own check (datasetProblem, the message naming both shapes),
 * fed with what the page knows of the dataset, so the editor says what the worker would.
 */
import { augmentationFor, type DatasetIdentity } from '../../data/dataset';
import type { ResolvedLayer } from '../../engine';
import { datasetProblem, type SessionDataset } from '../../training/session/model';

/** The session's description of a dataset, from its identity (the augmentation follows from the shape, as for every set). */
function sessionDatasetOf(dataset: DatasetIdentity): SessionDataset {
  const { name, classNames, width, height, channels } = dataset;
  return {
    name,
    classNames,
    width,
    height,
    channels,
    // The fit reads the name, shape, classes and augmentation only; the split and the source's format do not matter to it.
    validationFraction: 0,
    augmentation: augmentationFor(width, height, channels),
    source: dataset.builtIn === 'mnist' ? { kind: 'built-in', id: 'mnist' } : { kind: 'local', format: 'idx', fingerprint: dataset.fingerprint ?? '' },
  };
}

/** Why these layers cannot train on the dataset, or null when they fit. */
export function datasetFitProblem(layers: readonly ResolvedLayer[], dataset: DatasetIdentity): string | null {
  return datasetProblem(layers, sessionDatasetOf(dataset));
}
