/** What a session is made with: its seed and network, the loop's pace, and optional replicas or a saved run. */
import type { ReplicaLink } from '../../parallel/protocol';
import type { Scheduler } from '../../parallel/yield-scheduler';
import type { SessionCheckpoint } from '../checkpoint';

export interface SessionOptions {
  /** One seed drives weights, sampling, crops and the validation split. */
  seed?: number;
  /** Network and trainer definition (ConvNetJS snippet or JSON); default the seed network. */
  definitionText?: string;
  /** Length of one training slice before yielding, ms. */
  sliceMs?: number;
  /** Forward one validation example before every n-th training example. */
  validationEvery?: number;
  /** Predict `testBatch` test images at most this often while training, ms (default 500). */
  testEveryMs?: number;
  testBatch?: number;
  /** A loss-chart point every n training examples. */
  lossPointEvery?: number;
  /** A rollback point (a copy of the weights to go back to if training diverges) every n examples. */
  checkpointEvery?: number;
  /** How the loop yields; default the shared yield scheduler (setImmediate in Node, a MessageChannel elsewhere). */
  schedule?: Scheduler;
  /** Clock in ms; default performance.now. */
  now?: () => number;
  /** Called after every training slice (the worker pushes statistics from here). */
  onSlice?: () => void;
  /** Sample per-layer weight norms, gradient norms and update ratios at most this often, ms (default 1000). */
  layerStatsEveryMs?: number;
  /**
   * Other workers that share every mini-batch with this thread (data-parallel: the
   * gradients are summed over the whole batch, then one update, see src/parallel). None
   * (the default) trains on this thread alone. They join once the whole training set is
   * loaded (it is sent to them once); a replica that fails leaves this thread training alone.
   */
  replicas?: readonly ReplicaLink[];
  /**
   * Go on with a run from its exportCheckpoint copy (an autosave, or the last checkpoint of
   * a worker that died); seed and definitionText then come from it. A checkpoint that is
   * damaged or does not fit its own network makes the constructor throw a message saying why.
   */
  checkpoint?: SessionCheckpoint;
}

/**
 * Training workers the page starts unasked, at most: min(cores, this). More rarely pays on
 * a laptop, whose cores the page shares with everything else (the serial sum and update
 * of every batch limit the gain, see docs/parallel-training.md).
 */
export const DEFAULT_MAX_TRAINING_WORKERS = 4;

/**
 * Training workers to use (this one included): the number asked (`?workers=N`), at most
 * the machine's cores (a second thread on one core only adds overhead); unasked or not a
 * whole number of 1 or more, min(cores, DEFAULT_MAX_TRAINING_WORKERS), so 1 on one core.
 */
export function trainingWorkerCount(asked: number | undefined, cores: number | undefined): number {
  const available = Math.max(1, Math.floor(cores ?? 1));
  if (asked === undefined || !Number.isInteger(asked) || asked < 1) return Math.min(available, DEFAULT_MAX_TRAINING_WORKERS);
  return Math.min(asked, available);
}
