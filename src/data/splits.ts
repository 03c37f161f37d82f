/**
 * The fixed train/validation split of the MNIST training set, and the 10k test set.
 *
 * The validation examples are drawn by the seed from the whole training set, once,
 * before any training, and are never trained on. Both index lists are sorted, so when
 * the data arrives in order (browser chunks) the examples available so far are a
 * prefix of each list: see `loadedIndices`.
 */
import { Rng } from '../engine/rng';
import { deriveSeed } from './seeds';

export const DEFAULT_VALIDATION_FRACTION = 0.1;

export interface TrainValidationSplit {
  /** Indices into the training set used for training, ascending. */
  train: Int32Array;
  /** Indices held out for validation accuracy, ascending; disjoint from `train`. */
  validation: Int32Array;
}

/**
 * Holds out round(count * validationFraction) examples, chosen by `rng`, for validation.
 */
export function splitTrainValidation(
  count: number,
  rng: Rng,
  validationFraction = DEFAULT_VALIDATION_FRACTION,
): TrainValidationSplit {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`cannot split ${count} examples: the count must be a non-negative integer`);
  }
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new Error(`validation fraction ${validationFraction} must be at least 0 and below 1`);
  }
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  rng.shuffle(order);
  const validationCount = Math.round(count * validationFraction);
  const validation = order.slice(0, validationCount).sort();
  const train = order.slice(validationCount).sort();
  return { train, validation };
}

/** The split for a user seed: the same one in the CLI and in the dashboard. */
export function splitForSeed(
  count: number,
  seed: number,
  validationFraction = DEFAULT_VALIDATION_FRACTION,
): TrainValidationSplit {
  return splitTrainValidation(count, new Rng(deriveSeed(seed, 'validation-split')), validationFraction);
}

/**
 * The indices (of an ascending list) that point below `loadedCount`, as a view: the part
 * of a split usable once the first `loadedCount` examples of the set have arrived.
 */
export function loadedIndices(sortedIndices: Int32Array, loadedCount: number): Int32Array {
  let lo = 0;
  let hi = sortedIndices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedIndices[mid] < loadedCount) lo = mid + 1;
    else hi = mid;
  }
  return sortedIndices.subarray(0, lo);
}
