/**
 * What every part of a session reads: the data, the seed and its generator, and the
 * network with its trainer and per-example step. The facade replaces the network (a new
 * definition, a snapshot, a reset) through `install`; the parts always read the one in force.
 */
import { MNIST_CLASS_NAMES, MNIST_SHAPE, type Dataset, type ImageSet } from '../../data/dataset';
import { checkInputFits } from '../../data/dataset-inputs';
import { DEFAULT_VALIDATION_FRACTION, loadedIndices, splitForSeed, type TrainValidationSplit } from '../../data/splits';
import { errorMessage } from '../../engine/error-message';
import type { Net } from '../../engine/net';
import type { Rng } from '../../engine/rng';
import type { ResolvedLayer, TrainerSpec } from '../../engine/spec';
import { Trainer } from '../../engine/trainer';
import { ExampleStep } from '../../parallel/example-step';

/** What a session needs to know about its dataset besides the images: shape, classes, split and augmentation. */
export type SessionDataset = Pick<
  Dataset,
  'name' | 'classNames' | 'width' | 'height' | 'channels' | 'validationFraction' | 'augmentation' | 'source'
>;

/** The built-in MNIST's description: the default when SessionData names no dataset. */
export const MNIST_SESSION_DATASET: SessionDataset = {
  ...MNIST_SHAPE,
  classNames: MNIST_CLASS_NAMES,
  validationFraction: DEFAULT_VALIDATION_FRACTION,
  source: { kind: 'built-in', id: 'mnist' },
};

/** The data a session trains on. In the browser the sets grow while chunks stream in. */
export interface SessionData {
  /** Training images loaded so far (a prefix of the full set). */
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** Which dataset the sets hold (their shape, classes and augmentation); MNIST when absent. */
  readonly dataset?: SessionDataset;
  /**
   * Size of the full training set, or 0 while unknown. The validation split is drawn
   * over all of it, once, so the held-out examples never change as data arrives.
   */
  readonly trainTotal: number;
}

export class SessionModel {
  // The four are set together by install, which the constructor calls.
  net!: Net;
  trainer!: Trainer;
  /** The per-example step on `net`; its input holds the last training example's crop. */
  step!: ExampleStep;
  /** The definition text in force: it rebuilds this network and this trainer. */
  definition!: string;
  private split: TrainValidationSplit | null = null;

  constructor(
    readonly data: SessionData,
    /** Not readonly: restartRun starts the same configuration over from another seed. */
    public seed: number,
    public rng: Rng,
    net: Net,
    trainer: TrainerSpec,
    definition: string,
  ) {
    this.install(net, trainer, definition);
  }

  /** The dataset trained on: the one the data names, else MNIST. */
  get dataset(): SessionDataset {
    return this.data.dataset ?? MNIST_SESSION_DATASET;
  }

  /** Puts a network in force with a fresh trainer of these settings. */
  install(net: Net, trainer: TrainerSpec, definition: string): void {
    this.net = net;
    this.trainer = new Trainer(net, trainer);
    this.step = new ExampleStep(net, this.dataset);
    this.definition = definition;
  }

  /** A new seed: a new generator, and the validation split is drawn again from it. */
  reseed(seed: number, rng: Rng): void {
    this.seed = seed;
    this.rng = rng;
    this.split = null;
  }

  get lossType(): ResolvedLayer['type'] {
    return this.net.specs[this.net.specs.length - 1].type;
  }

  /** Loaded training-split indices (empty while the size of the set is unknown). */
  trainIndices(): Int32Array {
    const split = this.ensureSplit();
    return split ? loadedIndices(split.train, this.data.train.count) : new Int32Array(0);
  }

  /** Loaded validation-split indices (empty while the size of the set is unknown). */
  validationIndices(): Int32Array {
    const split = this.ensureSplit();
    return split ? loadedIndices(split.validation, this.data.train.count) : new Int32Array(0);
  }

  private ensureSplit(): TrainValidationSplit | null {
    if (!this.split && this.data.trainTotal > 0) {
      this.split = splitForSeed(this.data.trainTotal, this.seed, this.dataset.validationFraction);
    }
    return this.split;
  }
}

/**
 * Why a network cannot train on `dataset` (default MNIST), or null: its input must be
 * fillable from the dataset's images (the message names both shapes) and its output must
 * have one score per class.
 */
export function datasetProblem(layers: readonly ResolvedLayer[], dataset: SessionDataset = MNIST_SESSION_DATASET): string | null {
  const first = layers[0];
  const last = layers[layers.length - 1];
  try {
    checkInputFits(first.out, dataset);
  } catch (error) {
    const words = errorMessage(error);
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  const outputs = last.out.sx * last.out.sy * last.out.depth;
  const classes = dataset.classNames.length;
  if (outputs !== classes) {
    const field = last.type === 'regression' ? 'num_neurons' : 'num_classes';
    return `The last layer (${last.type}) has ${outputs} outputs, but ${dataset.name} has ${classes} classes; use ${field}:${classes}.`;
  }
  return null;
}

/** Why a network cannot train on MNIST, or null (datasetProblem for the built-in set). */
export function mnistProblem(layers: readonly ResolvedLayer[]): string | null {
  return datasetProblem(layers, MNIST_SESSION_DATASET);
}
