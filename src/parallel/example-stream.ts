/**
 * The training examples a seed picks, as plain numbers that any replica can turn into
 * inputs: epoch-shuffled image indices, each with its random window (the dataset's
 * augmentation: a crop offset, or a shift and a mirror).
 *
 * Drawing them up front (instead of inside each replica) is what keeps data-parallel runs
 * reproducible: the draws come from two seeded streams in one place, in the same order
 * whatever the number of workers, so 1 and 2 workers train on the very same crops of the
 * very same images in the very same batches.
 */
import { MNIST_SHAPE, type DatasetShape } from '../data/dataset';
import { checkInputFits, randomPlacement, type Placement } from '../data/dataset-inputs';
import { deriveSeed } from '../data/seeds';
import { Rng } from '../engine/rng';
import type { Shape } from '../engine/spec';

/** Int32 values per example in an example list: image index, window x offset, window y offset, mirrored (1) or not (0). */
export const EXAMPLE_STRIDE = 4;

/** An epoch order: a reshuffled copy of the training indices whenever the previous pass ends. */
export class EpochOrder {
  private readonly order: Int32Array;
  private position: number;

  constructor(
    indices: Int32Array,
    private readonly rng: Rng,
  ) {
    if (indices.length === 0) throw new Error('there are no training examples to train on');
    this.order = Int32Array.from(indices);
    this.position = this.order.length;
  }

  next(): number {
    if (this.position === this.order.length) {
      this.rng.shuffle(this.order);
      this.position = 0;
    }
    return this.order[this.position++];
  }
}

export class ExampleStream {
  /**
   * `orderRng` shuffles the epochs, `cropRng` draws the windows by the dataset's policy
   * (for MNIST's crops: x offset, then y, exactly as the one-thread loop
   * `fillRandomCrop(input, set, order.next(), crops)` draws them).
   */
  constructor(
    private readonly order: EpochOrder,
    private readonly cropRng: Rng,
    private readonly inputShape: Shape,
    private readonly dataset: DatasetShape = MNIST_SHAPE,
  ) {
    checkInputFits(inputShape, dataset);
  }

  /** The stream the CLI trains on: streams 'epoch-order' and 'train-crops' of the seed. */
  static forSeed(trainIndices: Int32Array, inputShape: Shape, seed: number, dataset: DatasetShape = MNIST_SHAPE): ExampleStream {
    return new ExampleStream(
      new EpochOrder(trainIndices, new Rng(deriveSeed(seed, 'epoch-order'))),
      new Rng(deriveSeed(seed, 'train-crops')),
      inputShape,
      dataset,
    );
  }

  /** Writes the next `count` examples into `out` as (index, offsetX, offsetY, flip) quadruples. */
  fill(out: Int32Array, count: number): void {
    if (out.length < count * EXAMPLE_STRIDE) {
      throw new RangeError(`an example list of ${out.length} values cannot hold ${count} examples`);
    }
    for (let e = 0; e < count; e++) {
      writeExample(out, e, this.order.next(), randomPlacement(this.inputShape, this.dataset, this.cropRng));
    }
  }
}

/** Writes example `e` of an example list: the image index and its window. */
export function writeExample(out: Int32Array, e: number, index: number, placement: Placement): void {
  const o = e * EXAMPLE_STRIDE;
  out[o] = index;
  out[o + 1] = placement.offsetX;
  out[o + 2] = placement.offsetY;
  out[o + 3] = placement.flip ? 1 : 0;
}
