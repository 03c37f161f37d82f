/**
 * MNIST in memory: raw bytes, as in the IDX files, and the one preprocessing rule
 * that turns a pixel into a network input (the original demo's pixel/255 - 0.5).
 *
 * Images stay as bytes (47 MB for the training set instead of 188 MB as floats);
 * they are converted only when an input Volume is filled, one example at a time.
 */
import { IdxError, parseIdxImages, parseIdxLabels } from './idx';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;
export const MNIST_TRAIN_COUNT = 60_000;
export const MNIST_TEST_COUNT = 10_000;

/** A set of labelled 28x28 grayscale images. */
export interface MnistSet {
  count: number;
  /** count*784 raw pixels 0..255; image i at offset i*784, row-major (y*28 + x). */
  images: Uint8Array;
  /** count labels 0..9. */
  labels: Uint8Array;
}

/**
 * Network input for each pixel value: value = pixel/255 - 0.5, rounded to float32 once.
 * A table lookup keeps the per-example fill to one load and one store per pixel.
 */
export const PIXEL_TO_INPUT: Float32Array = (() => {
  const table = new Float32Array(256);
  for (let p = 0; p < 256; p++) table[p] = p / 255 - 0.5;
  return table;
})();

/**
 * Pairs an IDX images file with its labels file, checking both and that they describe
 * the same number of 28x28 images. Names are used in error messages.
 */
export function mnistSetFromIdx(
  imageBytes: Uint8Array,
  imagesName: string,
  labelBytes: Uint8Array,
  labelsName: string,
): MnistSet {
  const images = parseIdxImages(imageBytes, imagesName);
  const labels = parseIdxLabels(labelBytes, labelsName, MNIST_CLASSES);
  if (images.rows !== MNIST_SIDE || images.cols !== MNIST_SIDE) {
    throw new IdxError(
      imagesName,
      `images are ${images.rows}x${images.cols}, MNIST images are ${MNIST_SIDE}x${MNIST_SIDE}`,
    );
  }
  if (images.count !== labels.count) {
    throw new IdxError(
      imagesName,
      `${images.count} images but ${labelsName} has ${labels.count} labels; the files do not belong together`,
    );
  }
  return { count: images.count, images: images.pixels, labels: labels.labels };
}

/** The first `count` examples of a set, as views (no copy). */
export function prefixOfSet(set: MnistSet, count: number): MnistSet {
  const n = Math.max(0, Math.min(count, set.count));
  return {
    count: n,
    images: set.images.subarray(0, n * MNIST_PIXELS),
    labels: set.labels.subarray(0, n),
  };
}

/** The 784 raw pixels of one image, as a view. */
export function imagePixels(set: MnistSet, index: number): Uint8Array {
  return set.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS);
}
