/**
 * Feeding any Dataset to a network, by its augmentation policy: what every training path
 * (session, replicas, comparison, CLI) fills its inputs with. For MNIST's policy it draws
 * the same random numbers and writes the same values as augment.ts (MNIST's own crops,
 * kept for the benches and as the tests' reference), so MNIST runs train exactly as before.
 *
 * A window of the network's input size is read from the image at an offset; pixels that
 * fall outside the image (shifts) are 0 in input space, mid-gray, as in ConvNetJS's
 * `augment`; a flip mirrors the window left to right. Images and Volumes are both HWC,
 * so a channel is copied as it is. Writes into the caller's Volume: no allocation per example.
 */
import type { Rng } from '../engine/rng';
import type { Shape } from '../engine/spec';
import { Volume } from '../engine/volume';
import { cropGeometry, InputShapeError, randomOffset, type ForwardNet } from './augment';
import { MNIST_SHAPE, type DatasetShape, type ImageGeometry, type ImageSet } from './dataset';
import { MNIST_SIDE, PIXEL_TO_INPUT } from './mnist';

/**
 * Checks that a network's input can be filled from the dataset's images: the same
 * channels, and the image's size (or, with random crops, at most that size). The message
 * names both shapes.
 */
export function checkInputFits(shape: Shape, dataset: DatasetShape): void {
  // The built-in set keeps its own words (they name the seed network's crops).
  if (isBuiltInMnist(dataset)) {
    cropGeometry(shape);
    return;
  }
  const { sx, sy, depth } = shape;
  const { width, height, channels } = dataset;
  const given = `the network's input is ${sx}x${sy}x${depth}`;
  const images = `${dataset.name} images are ${width}x${height}x${channels}`;
  if (depth !== channels) {
    throw new InputShapeError(`${given}, but ${images}; use an input of depth ${channels}`);
  }
  if (dataset.augmentation.kind === 'random-crop') {
    if (sx > width || sy > height || sx < 1 || sy < 1) {
      throw new InputShapeError(`${given}, but ${images}; use an input of at most ${width}x${height}x${channels}`);
    }
  } else if (sx !== width || sy !== height) {
    throw new InputShapeError(`${given}, but ${images}; use an input of ${width}x${height}x${channels}`);
  }
}

function isBuiltInMnist(dataset: DatasetShape): boolean {
  const { name, width, height, channels, augmentation } = dataset;
  return name === MNIST_SHAPE.name && width === MNIST_SIDE && height === MNIST_SIDE && channels === 1 && augmentation.kind === 'random-crop';
}

/** Where the window starts in the image (may be negative or past the edge for shifts) and whether it is mirrored. */
export interface Placement {
  offsetX: number;
  offsetY: number;
  flip: boolean;
}

/** Writes image `index` of `set`, through the window `placement`, into `target` as network input. */
export function fillPlaced(target: Volume, dataset: ImageGeometry, set: ImageSet, index: number, placement: Placement): void {
  if (!(index >= 0 && index < set.count)) throw new RangeError(`image ${index} is outside the set of ${set.count}`);
  const { width, height, channels } = dataset;
  const { sx, sy, w } = target;
  if (target.depth !== channels) {
    throw new RangeError(`a ${sx}x${sy}x${target.depth} input cannot hold a window of ${channels}-channel images`);
  }
  const { offsetX, offsetY, flip } = placement;
  const base = index * width * height * channels;
  const images = set.images;
  if (!flip && offsetX >= 0 && offsetY >= 0 && offsetX + sx <= width && offsetY + sy <= height) {
    // The common case (every crop, every unshifted window): whole rows, no bounds tests.
    const row = sx * channels;
    let o = 0;
    for (let y = 0; y < sy; y++) {
      let p = base + ((y + offsetY) * width + offsetX) * channels;
      for (let k = 0; k < row; k++) w[o++] = PIXEL_TO_INPUT[images[p++]];
    }
    return;
  }
  for (let y = 0; y < sy; y++) {
    const sourceY = y + offsetY;
    for (let x = 0; x < sx; x++) {
      const sourceX = (flip ? sx - 1 - x : x) + offsetX;
      const out = (y * sx + x) * channels;
      const inside = sourceX >= 0 && sourceX < width && sourceY >= 0 && sourceY < height;
      const from = base + (sourceY * width + sourceX) * channels;
      for (let c = 0; c < channels; c++) w[out + c] = inside ? PIXEL_TO_INPUT[images[from + c]] : 0;
    }
  }
}

/** The centred window (no shift, no flip): deterministic prediction input. */
export function centerPlacement(target: Shape, dataset: ImageGeometry): Placement {
  return { offsetX: (dataset.width - target.sx) >> 1, offsetY: (dataset.height - target.sy) >> 1, flip: false };
}

/** A random window by the dataset's policy (random crop: x offset drawn first, then y, as augment.ts). */
export function randomPlacement(target: Shape, dataset: DatasetShape, rng: Rng): Placement {
  const policy = dataset.augmentation;
  switch (policy.kind) {
    case 'random-crop':
      return {
        offsetX: randomOffset(rng, dataset.width - target.sx),
        offsetY: randomOffset(rng, dataset.height - target.sy),
        flip: false,
      };
    case 'shift-flip': {
      const offsetX = rng.int(-policy.maxShift, policy.maxShift + 1);
      const offsetY = rng.int(-policy.maxShift, policy.maxShift + 1);
      return { offsetX, offsetY, flip: policy.horizontalFlip && rng.random() < 0.5 };
    }
    case 'none':
      return { offsetX: 0, offsetY: 0, flip: false };
  }
}

/** Training input: image `index` through a random window of the dataset's policy. */
export function fillTrainingInput(target: Volume, dataset: DatasetShape, set: ImageSet, index: number, rng: Rng): void {
  fillPlaced(target, dataset, set, index, randomPlacement(target, dataset, rng));
}

/**
 * The windows test-time averaging looks through: for random crops, `testTimeCrops`
 * random crops (one when the input is the whole image); for shifts and flips, the
 * unshifted image then `testTimeShifts` random shifts, mirrored from the second half on
 * when flips are on (ConvNetJS's CIFAR-10 demo: 1 + 6, the last 3 mirrored); else the image.
 */
export function testTimePlacements(target: Shape, dataset: DatasetShape, rng: Rng): Placement[] {
  const policy = dataset.augmentation;
  if (policy.kind === 'random-crop') {
    const whole = target.sx === dataset.width && target.sy === dataset.height;
    return Array.from({ length: whole ? 1 : policy.testTimeCrops }, () => randomPlacement(target, dataset, rng));
  }
  if (policy.kind === 'none') return [{ offsetX: 0, offsetY: 0, flip: false }];
  const placements: Placement[] = [{ offsetX: 0, offsetY: 0, flip: false }];
  for (let k = 0; k < policy.testTimeShifts; k++) {
    const offsetX = rng.int(-policy.maxShift, policy.maxShift + 1);
    const offsetY = rng.int(-policy.maxShift, policy.maxShift + 1);
    placements.push({ offsetX, offsetY, flip: policy.horizontalFlip && k >= policy.testTimeShifts / 2 });
  }
  return placements;
}

/** Writes into `out` the network's outputs (softmax probabilities) averaged over the test-time windows. */
export function predictAveraged(
  net: ForwardNet,
  input: Volume,
  dataset: DatasetShape,
  set: ImageSet,
  index: number,
  rng: Rng,
  out: Float32Array,
): void {
  const placements = testTimePlacements(input, dataset, rng);
  out.fill(0);
  for (const placement of placements) {
    fillPlaced(input, dataset, set, index, placement);
    const y = net.forward(input, false).w;
    if (y.length !== out.length) {
      throw new RangeError(`the network gives ${y.length} outputs but the buffer holds ${out.length}`);
    }
    for (let i = 0; i < y.length; i++) out[i] += y[i];
  }
  const scale = 1 / placements.length;
  for (let i = 0; i < out.length; i++) out[i] *= scale;
}

/** A Volume of the network's input size for this dataset, to be refilled for every example. */
export function createDatasetInput(shape: Shape, dataset: DatasetShape): Volume {
  checkInputFits(shape, dataset);
  return new Volume(shape.sx, shape.sy, shape.depth);
}
