/**
 * Feeding MNIST images to a network of a given input size, with the seed's augmentation:
 * - training: a random crop of the input size, offsets 0..(28 - size) on each axis
 *   (0..4 for the seed network's 24x24 input, 25 positions);
 * - prediction: the softmax averaged over 4 random crops, or the center crop;
 * - an input of 28x28 takes the whole image (no crop).
 *
 * Everything writes into a caller's preallocated Volume / buffer: no allocation per example.
 */
import type { Rng } from '../engine/rng';
import type { Shape } from '../engine/spec';
import { Volume } from '../engine/volume';
import { MNIST_PIXELS, MNIST_SIDE, PIXEL_TO_INPUT, type MnistSet } from './mnist';

/** The network's input cannot be filled from 28x28 grayscale images. */
export class InputShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputShapeError';
  }
}

/** Where crops of one input size can sit in a 28x28 image. */
export interface CropGeometry {
  sx: number;
  sy: number;
  /** Largest offset on each axis; 0 means the axis is not cropped. */
  maxOffsetX: number;
  maxOffsetY: number;
  /** Offsets of the center crop (rounded down when the margin is odd). */
  centerX: number;
  centerY: number;
}

/** Checks that MNIST can feed an input of `shape` and describes its crops. */
export function cropGeometry(shape: Shape): CropGeometry {
  const { sx, sy, depth } = shape;
  const given = `${sx}x${sy}x${depth}`;
  if (depth !== 1) {
    throw new InputShapeError(
      `the network's input is ${given}, but MNIST images are grayscale (depth 1); ` +
        `use an input of ${Math.min(sx, MNIST_SIDE)}x${Math.min(sy, MNIST_SIDE)}x1`,
    );
  }
  if (sx > MNIST_SIDE || sy > MNIST_SIDE) {
    throw new InputShapeError(
      `the network's input is ${given}, larger than MNIST's ${MNIST_SIDE}x${MNIST_SIDE} images; ` +
        `use an input of at most ${MNIST_SIDE}x${MNIST_SIDE}x1 (the seed network uses 24x24x1 crops)`,
    );
  }
  if (!(Number.isInteger(sx) && Number.isInteger(sy) && sx >= 1 && sy >= 1)) {
    throw new InputShapeError(`the network's input is ${given}, which is not a usable image size`);
  }
  const maxOffsetX = MNIST_SIDE - sx;
  const maxOffsetY = MNIST_SIDE - sy;
  return { sx, sy, maxOffsetX, maxOffsetY, centerX: maxOffsetX >> 1, centerY: maxOffsetY >> 1 };
}

/**
 * Writes the crop of image `index` at (offsetX, offsetY) into `target`, preprocessed
 * (pixel/255 - 0.5). The crop size is the target's size; the target must have depth 1.
 */
export function fillCrop(target: Volume, set: MnistSet, index: number, offsetX: number, offsetY: number): void {
  const { sx, sy } = target;
  if (!(index >= 0 && index < set.count)) {
    throw new RangeError(`image ${index} is outside the set of ${set.count}`);
  }
  if (
    target.depth !== 1 ||
    offsetX < 0 ||
    offsetY < 0 ||
    offsetX + sx > MNIST_SIDE ||
    offsetY + sy > MNIST_SIDE
  ) {
    throw new RangeError(
      `a ${sx}x${sy}x${target.depth} crop at (${offsetX}, ${offsetY}) does not fit a ${MNIST_SIDE}x${MNIST_SIDE} image`,
    );
  }
  const images = set.images;
  const w = target.w;
  const base = index * MNIST_PIXELS + offsetY * MNIST_SIDE + offsetX;
  let o = 0;
  for (let y = 0; y < sy; y++) {
    let p = base + y * MNIST_SIDE;
    for (let x = 0; x < sx; x++) w[o++] = PIXEL_TO_INPUT[images[p++]];
  }
}

/** A random crop offset in 0..maxOffset (inclusive); no draw when the axis is not cropped. */
export function randomOffset(rng: Rng, maxOffset: number): number {
  return maxOffset === 0 ? 0 : rng.int(0, maxOffset + 1);
}

/** Training input: a random crop of the target's size (x offset drawn first, then y). */
export function fillRandomCrop(target: Volume, set: MnistSet, index: number, rng: Rng): void {
  const offsetX = randomOffset(rng, MNIST_SIDE - target.sx);
  const offsetY = randomOffset(rng, MNIST_SIDE - target.sy);
  fillCrop(target, set, index, offsetX, offsetY);
}

/** Deterministic prediction input: the center crop of the target's size. */
export function fillCenterCrop(target: Volume, set: MnistSet, index: number): void {
  fillCrop(target, set, index, (MNIST_SIDE - target.sx) >> 1, (MNIST_SIDE - target.sy) >> 1);
}

/** What prediction needs from a network: an inference forward pass. */
export interface ForwardNet {
  forward(x: Volume, isTraining?: boolean): Volume;
}

export const TEST_TIME_CROPS = 4;

/**
 * Test-time augmentation: runs `net` on `crops` random crops of image `index` (filled
 * into `input`) and writes the mean of the outputs (the softmax probabilities) into `out`.
 * When the input is the whole image every crop is the same, so one pass gives the mean.
 */
export function predictAveragedCrops(
  net: ForwardNet,
  input: Volume,
  set: MnistSet,
  index: number,
  rng: Rng,
  out: Float32Array,
  crops = TEST_TIME_CROPS,
): void {
  const passes = input.sx === MNIST_SIDE && input.sy === MNIST_SIDE ? 1 : crops;
  out.fill(0);
  for (let c = 0; c < passes; c++) {
    fillRandomCrop(input, set, index, rng);
    const y = net.forward(input, false).w;
    if (y.length !== out.length) {
      throw new RangeError(`the network gives ${y.length} outputs but the buffer holds ${out.length}`);
    }
    for (let i = 0; i < y.length; i++) out[i] += y[i];
  }
  const scale = 1 / passes;
  for (let i = 0; i < out.length; i++) out[i] *= scale;
}

/** Index of the largest value (the first one on ties), -1 for an empty list. */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > bestValue) {
      bestValue = values[i];
      best = i;
    }
  }
  return best;
}

/** A Volume of the network's input size, to be refilled for every example. */
export function createInputVolume(shape: Shape): Volume {
  const g = cropGeometry(shape);
  return new Volume(g.sx, g.sy, 1);
}
