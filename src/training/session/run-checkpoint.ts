/**
 * A run as a checkpoint (the autosave record, see ../checkpoint.ts) and back: the weights,
 * the trainer's state, the generator, the example count and the statistics windows.
 */
import { errorMessage } from '../../engine/error-message';
import { resolveTrainer } from '../../engine/spec';
import { Trainer } from '../../engine/trainer';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type SessionCheckpoint } from '../checkpoint';
import { datasetIdentity, MNIST_IDENTITY, type DatasetIdentity } from '../../data/dataset';
import type { SessionDataset, SessionModel } from './model';
import type { RunStatistics } from './run-statistics';

/** The run as it stands: fresh copies, safe to transfer. */
export function checkpointOf(model: SessionModel, stats: RunStatistics): SessionCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    seed: model.seed,
    definitionText: model.definition,
    trainer: model.trainer.spec,
    params: model.net.params.slice(),
    trainerState: model.trainer.getState(),
    examples: stats.examples,
    // The generator's words may be signed after its XORs; stored as unsigned, as it reads them.
    rng: model.rng.getState().map((word) => word >>> 0) as SessionCheckpoint['rng'],
    windows: stats.windowStates(),
    dataset: datasetIdentity(model.dataset),
  };
}

function describeDataset(dataset: Pick<DatasetIdentity, 'name' | 'width' | 'height' | 'channels' | 'classNames'>): string {
  const classes = dataset.classNames.length;
  return `${dataset.name} (${dataset.width}x${dataset.height}x${dataset.channels}, ${classes} classes)`;
}

/**
 * Why a checkpoint cannot go on training on `dataset` (its images' shape or class count
 * differ from the dataset it was made for; one without a dataset was made for MNIST), or null.
 */
export function checkpointDatasetProblem(checkpoint: Pick<SessionCheckpoint, 'dataset'>, dataset: SessionDataset): string | null {
  const saved = checkpoint.dataset ?? MNIST_IDENTITY;
  const fits =
    saved.width === dataset.width &&
    saved.height === dataset.height &&
    saved.channels === dataset.channels &&
    saved.classNames.length === dataset.classNames.length;
  if (fits) return null;
  return (
    `it was made for ${describeDataset(saved)}, but this page trains on ${describeDataset(dataset)}; ` +
    `choose ${saved.name} in the Dataset panel to go on with it`
  );
}

/**
 * A ConvNetJS snapshot's text with the dataset it was made for as its first key
 * (ConvNetJS reads `layers` only, so the file still loads there).
 */
export function snapshotWithDataset(snapshotText: string, dataset: SessionDataset): string {
  if (!snapshotText.startsWith('{"')) return snapshotText;
  return `{"dataset":${JSON.stringify(datasetIdentity(dataset))},${snapshotText.slice(1)}`;
}

/**
 * Why a snapshot cannot load on `dataset` because it names another dataset shape, or null
 * (also for a snapshot that names none, or is not JSON: loading it says what is wrong).
 */
export function snapshotDatasetProblem(snapshotText: string, dataset: SessionDataset): string | null {
  if (!snapshotText.trimStart().startsWith('{"dataset"')) return null;
  let saved: unknown;
  try {
    saved = (JSON.parse(snapshotText) as { dataset?: unknown }).dataset;
  } catch {
    return null;
  }
  if (typeof saved !== 'object' || saved === null) return null;
  const problem = checkpointDatasetProblem({ dataset: saved as DatasetIdentity }, dataset);
  return problem && `The snapshot cannot be loaded: ${problem.replace('to go on with it', 'to load it')}.`;
}

/** The sentence a constructor throws for a saved run it cannot restore. */
export function cannotRestore(why: string): Error {
  return new Error(`The saved run cannot be restored: ${why}.`);
}

/**
 * Puts a checkpoint's run in place of the fresh one just built from its definition, whose
 * shape was checked already. Checks the fit (parameter count, trainer settings and state)
 * first; throws a sentence naming what does not fit.
 */
export function restoreRun(checkpoint: SessionCheckpoint, model: SessionModel, stats: RunStatistics): void {
  const { net } = model;
  if (checkpoint.params.length !== net.params.length) {
    throw cannotRestore(`it holds ${checkpoint.params.length} weights, but its network has ${net.params.length}`);
  }
  try {
    model.trainer = new Trainer(net, resolveTrainer(checkpoint.trainer));
    model.trainer.setState(checkpoint.trainerState);
    stats.restoreWindows(checkpoint.windows);
  } catch (error) {
    throw cannotRestore(errorMessage(error));
  }
  net.params.set(checkpoint.params);
  model.rng.setState(checkpoint.rng);
  stats.examples = checkpoint.examples;
}
