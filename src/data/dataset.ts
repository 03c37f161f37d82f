/**
 * The typed description of a dataset: what the rest of the project needs to know about
 * the images it trains on (their shape, their classes, the training and test sets, how
 * the validation examples are held out and how examples are augmented), whether it is
 * the built-in MNIST or a set a person loaded from local files.
 *
 * Pixels stay bytes (0..255), as in the files: a set of `count` images of
 * width x height x channels is `count * width * height * channels` bytes, image i at
 * offset i * width * height * channels, rows top to bottom, pixels left to right, and
 * for RGB the three channels of a pixel next to each other (HWC: R, G, B, R, G, B, ...).
 * MnistSet (28x28x1) has exactly this layout, so a MnistSet is an ImageSet.
 *
 * Pure TypeScript: no DOM, no Node APIs; runs in workers, Node and tests.
 */
import { toHex } from './chunks';
import { DatasetError } from './dataset-error';
import { MNIST_SIDE, type MnistSet } from './mnist';
import { DEFAULT_VALIDATION_FRACTION } from './splits';

export { DatasetError } from './dataset-error';

/** Labelled images of one shape; the shape lives on the Dataset. */
export interface ImageSet {
  count: number;
  /** count * width * height * channels bytes, HWC interleaved, row-major. */
  images: Uint8Array;
  /** count labels, each below the dataset's class count. */
  labels: Uint8Array;
}

/** 1 for grayscale, 3 for RGB. */
export type Channels = 1 | 3;

/** The formats local files can come in. */
export const DATASET_FORMATS = ['idx', 'cifar10', 'images'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/**
 * How training examples are varied and how test predictions are averaged.
 * - random-crop (ConvNetJS's MNIST demo): train on a random crop of the network's input
 *   size; predict with the mean softmax over `testTimeCrops` random crops. A network
 *   whose input is the whole image gets no crop.
 * - shift-flip (ConvNetJS's CIFAR-10 demo): the whole image, shifted by up to `maxShift`
 *   pixels on each axis (zeros shifted in) and, with `horizontalFlip`, mirrored half of the
 *   time; predict with the mean over the unshifted image and `testTimeShifts` random
 *   shifts (the last half of them mirrored when flips are on), as that demo does.
 * - none: the image as it is, for training and prediction.
 */
export type AugmentationPolicy =
  | { kind: 'random-crop'; testTimeCrops: number }
  | { kind: 'shift-flip'; maxShift: number; horizontalFlip: boolean; testTimeShifts: number }
  | { kind: 'none' };

export const MNIST_AUGMENTATION: AugmentationPolicy = { kind: 'random-crop', testTimeCrops: 4 };
export const CIFAR10_AUGMENTATION: AugmentationPolicy = {
  kind: 'shift-flip',
  maxShift: 2,
  horizontalFlip: true,
  testTimeShifts: 6,
};
/** Characters and symbols in other sizes: shifts only, since a mirrored glyph is another glyph. */
export const GLYPH_AUGMENTATION: AugmentationPolicy = {
  kind: 'shift-flip',
  maxShift: 2,
  horizontalFlip: false,
  testTimeShifts: 6,
};

/** Where a dataset came from: the built-in MNIST, or files with a fingerprint of their contents. */
export type DatasetSource =
  | { kind: 'built-in'; id: 'mnist' }
  | { kind: 'local'; format: DatasetFormat; fingerprint: string };

export interface Dataset {
  /** Shown to people, recorded in results and snapshots. */
  name: string;
  /** One name per class; labels index this list. At least two. */
  classNames: readonly string[];
  width: number;
  height: number;
  channels: Channels;
  train: ImageSet;
  test: ImageSet;
  /** Fraction of `train` held out (by the seed, see splits.ts) to measure validation accuracy. */
  validationFraction: number;
  augmentation: AugmentationPolicy;
  source: DatasetSource;
}

/**
 * Limits on what a person may load, so a wrong pick fails with a message instead of
 * exhausting a tab's memory. CIFAR-10 (184 MB as bytes, 60k images) and MNIST (55 MB,
 * 70k images) fit well inside them.
 */
export interface DatasetCaps {
  /** Input bytes over all files, counted after decompression. */
  maxInputBytes: number;
  /** Images over the training and test sets. */
  maxImages: number;
  /** Bytes of pixels the dataset holds once loaded (count * width * height * channels). */
  maxPixelBytes: number;
  /** Largest image side a loaded or resized image may have. */
  maxImageSide: number;
}

export const DEFAULT_DATASET_CAPS: DatasetCaps = {
  maxInputBytes: 300 * 1024 * 1024,
  maxImages: 300_000,
  maxPixelBytes: 300 * 1024 * 1024,
  maxImageSide: 1024,
};

/** "12.3 MB", for messages about sizes. */
export function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** What filling a network input needs to know about a dataset's images. */
export type ImageGeometry = Pick<Dataset, 'width' | 'height' | 'channels'>;

/** What drawing training windows and test-time averages needs: the geometry, the policy, and a name for messages. */
export type DatasetShape = Pick<Dataset, 'name' | 'width' | 'height' | 'channels' | 'augmentation'>;

/** MNIST's shape: the default wherever no dataset is given. */
export const MNIST_SHAPE: DatasetShape = {
  name: 'MNIST',
  width: MNIST_SIDE,
  height: MNIST_SIDE,
  channels: 1,
  augmentation: MNIST_AUGMENTATION,
};

/** MNIST's classes: the digits, in label order. */
export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** The built-in MNIST as a Dataset; the sets are used as they are (no copy). */
export function mnistDataset(train: MnistSet, test: MnistSet): Dataset {
  return {
    ...MNIST_SHAPE,
    classNames: MNIST_CLASS_NAMES,
    train,
    test,
    validationFraction: DEFAULT_VALIDATION_FRACTION,
    source: { kind: 'built-in', id: 'mnist' },
  };
}

/**
 * The policy for a loaded set: MNIST's crops for any 28x28 grayscale set (so the MNIST
 * networks and presets fit Fashion-MNIST, KMNIST and the like unchanged), ConvNetJS's
 * CIFAR-10 shifts and flips for colour, shifts alone for other grayscale sizes.
 */
export function augmentationFor(width: number, height: number, channels: Channels): AugmentationPolicy {
  if (channels === 1 && width === MNIST_SIDE && height === MNIST_SIDE) return MNIST_AUGMENTATION;
  return channels === 3 ? CIFAR10_AUGMENTATION : GLYPH_AUGMENTATION;
}

/** Bytes of one image of a dataset. */
export function imageBytes(dataset: Pick<Dataset, 'width' | 'height' | 'channels'>): number {
  return dataset.width * dataset.height * dataset.channels;
}

/**
 * Checks that a dataset is internally consistent: at least two classes, each set's
 * image bytes and labels matching its count, every label naming a class, and the
 * counts within the caps. Loaders call it last; it throws a DatasetError.
 */
export function checkDataset(dataset: Dataset, caps: DatasetCaps = DEFAULT_DATASET_CAPS): void {
  const where = dataset.name;
  const classes = dataset.classNames.length;
  if (classes < 2) {
    throw new DatasetError(where, `has ${classes} class${classes === 1 ? '' : 'es'}; a classifier needs at least two`);
  }
  if (classes > 256) throw new DatasetError(where, `has ${classes} classes; labels are bytes, so at most 256`);
  if (![1, 3].includes(dataset.channels)) {
    throw new DatasetError(where, `has ${dataset.channels} channels; images must be grayscale (1) or RGB (3)`);
  }
  for (const side of [dataset.width, dataset.height]) {
    if (!Number.isInteger(side) || side < 1 || side > caps.maxImageSide) {
      throw new DatasetError(where, `images of ${dataset.width}x${dataset.height} are outside 1..${caps.maxImageSide} pixels a side`);
    }
  }
  const total = dataset.train.count + dataset.test.count;
  if (total > caps.maxImages) {
    throw new DatasetError(where, `holds ${total} images, more than the ${caps.maxImages} a dataset may have`);
  }
  const perImage = imageBytes(dataset);
  if (total * perImage > caps.maxPixelBytes) {
    throw new DatasetError(
      where,
      `${total} images of ${dataset.width}x${dataset.height}x${dataset.channels} need ${formatBytes(total * perImage)}, ` +
        `more than the ${formatBytes(caps.maxPixelBytes)} a dataset may hold; choose a smaller size or fewer images`,
    );
  }
  for (const [setName, set] of [['training set', dataset.train], ['test set', dataset.test]] as const) {
    if (set.count < 1) throw new DatasetError(where, `the ${setName} is empty`);
    if (set.images.length !== set.count * perImage || set.labels.length !== set.count) {
      throw new DatasetError(
        where,
        `the ${setName} has ${set.images.length} pixel bytes and ${set.labels.length} labels for ${set.count} images`,
      );
    }
    const bad = set.labels.findIndex((label) => label >= classes);
    if (bad >= 0) {
      throw new DatasetError(where, `label ${bad} of the ${setName} is ${set.labels[bad]}, outside 0..${classes - 1}`);
    }
  }
}

/** What identifies a dataset in results, snapshots and checkpoints. */
export interface DatasetIdentity {
  name: string;
  width: number;
  height: number;
  channels: Channels;
  classNames: readonly string[];
  /** 'mnist' for the built-in set, else the SHA-256 fingerprint of a local one. */
  builtIn: 'mnist' | null;
  fingerprint: string | null;
}

export function datasetIdentity(
  dataset: Pick<Dataset, 'name' | 'width' | 'height' | 'channels' | 'classNames' | 'source'>,
): DatasetIdentity {
  const { name, width, height, channels, classNames, source } = dataset;
  return {
    name,
    width,
    height,
    channels,
    classNames: [...classNames],
    builtIn: source.kind === 'built-in' ? source.id : null,
    fingerprint: source.kind === 'local' ? source.fingerprint : null,
  };
}

/** The built-in MNIST's identity: what the page shows until a session says otherwise. */
export const MNIST_IDENTITY: DatasetIdentity = {
  name: MNIST_SHAPE.name,
  width: MNIST_SIDE,
  height: MNIST_SIDE,
  channels: 1,
  classNames: MNIST_CLASS_NAMES,
  builtIn: 'mnist',
  fingerprint: null,
};

/**
 * SHA-256 (lowercase hex) of what a dataset contains: its shape, class names and every
 * pixel and label of both sets, not its name. Each part is hashed on its own and the
 * digests are hashed together, so no buffer the size of the dataset is ever built.
 * Uses globalThis.crypto.subtle (browsers in secure contexts, workers, Node 20).
 */
export async function datasetFingerprint(
  content: Pick<Dataset, 'width' | 'height' | 'channels' | 'classNames' | 'train' | 'test'>,
): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('cannot fingerprint the dataset: this environment has no crypto.subtle (is the page served over https?)');
  const header = new TextEncoder().encode(
    JSON.stringify({ width: content.width, height: content.height, channels: content.channels, classNames: content.classNames }),
  );
  const parts = [header, content.train.images, content.train.labels, content.test.images, content.test.labels];
  const digests = await Promise.all(parts.map((part) => subtle.digest('SHA-256', part as Uint8Array<ArrayBuffer>)));
  const joined = new Uint8Array(digests.length * 32);
  digests.forEach((digest, i) => joined.set(new Uint8Array(digest), i * 32));
  return toHex(new Uint8Array(await subtle.digest('SHA-256', joined)));
}

/** A summary for logs and the CLI's JSON result line. */
export function datasetSummary(dataset: Dataset): {
  name: string;
  classes: string[];
  shape: [number, number, number];
  train: number;
  test: number;
  fingerprint: string | null;
} {
  return {
    name: dataset.name,
    classes: [...dataset.classNames],
    shape: [dataset.width, dataset.height, dataset.channels],
    train: dataset.train.count,
    test: dataset.test.count,
    fingerprint: dataset.source.kind === 'local' ? dataset.source.fingerprint : null,
  };
}
