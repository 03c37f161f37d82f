import { describe, expect, it } from 'vitest';
import { createInputVolume, fillRandomCrop, predictAveragedCrops } from '../../../src/data/augment';
import type { MnistSet } from '../../../src/data/mnist';
import { Rng } from '../../../src/engine/rng';
import { Volume } from '../../../src/engine/volume';
import { frontLoad, planEvaluation, slicePlan, WINDOW_STRIDE } from '../../../src/parallel/evaluation-plan';
import { EpochOrder, EXAMPLE_STRIDE, ExampleStream } from '../../../src/parallel/example-stream';

/** Ten synthetic 28x28 images whose pixels say where they are: pixel (x, y) of image i is (i*7 + x + 28*y) mod 256. */
const SET: MnistSet = {
  count: 10,
  images: Uint8Array.from({ length: 10 * 784 }, (_, k) => (Math.floor(k / 784) * 7 + (k % 784)) % 256),
  labels: Uint8Array.from({ length: 10 }, (_, i) => i),
};

/** The 24x24 network input of image i's crop at (x, y), as fillCrop writes it. */
function cropAt(i: number, x: number, y: number): number[] {
  const crop = new Volume(24, 24, 1);
  for (let row = 0; row < 24; row++) {
    for (let col = 0; col < 24; col++) crop.w[row * 24 + col] = SET.images[i * 784 + (y + row) * 28 + x + col] / 255 - 0.5;
  }
  return Array.from(crop.w);
}

/** A "net" that records the inputs it is shown. */
function recorder() {
  const seen: Float32Array[] = [];
  const out = new Volume(1, 1, 10);
  return { seen, net: { forward: (x: Volume) => (seen.push(x.w.slice()), out) } };
}

describe('planEvaluation', () => {
  it('draws the crops evaluateAccuracy draws, image by image and pass by pass', () => {
    const shape = { sx: 24, sy: 24, depth: 1 };
    const images = Int32Array.from([3, 1, 4, 1, 5]);
    const plan = planEvaluation(images, shape, '4crop', new Rng(11));
    expect(plan.passes).toBe(4);
    // The one-thread path: predictAveragedCrops on each image with one stream.
    const { seen, net } = recorder();
    const rng = new Rng(11);
    const input = createInputVolume(shape);
    for (const i of images) predictAveragedCrops(net, input, SET, i, rng, new Float32Array(10));
    let k = 0;
    for (let i = 0; i < images.length; i++) {
      for (let p = 0; p < 4; p++, k++) {
        expect(Array.from(seen[k])).toEqual(cropAt(images[i], plan.offsets[WINDOW_STRIDE * k], plan.offsets[WINDOW_STRIDE * k + 1]));
      }
    }
  });

  it('uses the center crop, one pass, for center mode and needs no rng', () => {
    const plan = planEvaluation(Int32Array.from([0, 1]), { sx: 24, sy: 24, depth: 1 }, 'center');
    expect(plan.passes).toBe(1);
    // (x, y, flip) per pass: no flip under MNIST's crops.
    expect(Array.from(plan.offsets)).toEqual([2, 2, 0, 2, 2, 0]);
    expect(() => planEvaluation(Int32Array.from([0]), { sx: 24, sy: 24, depth: 1 }, '4crop')).toThrow(/needs an rng/);
  });
});

describe('frontLoad and slicePlan', () => {
  it('moves the given images to the front, each keeping its own crops', () => {
    const plan = planEvaluation(Int32Array.from([0, 1, 2, 3, 4, 5]), { sx: 24, sy: 24, depth: 1 }, '4crop', new Rng(5));
    const crops = (p: typeof plan, i: number) => Array.from(p.offsets.subarray(i * 4 * WINDOW_STRIDE, (i + 1) * 4 * WINDOW_STRIDE));
    // In the order given; 9 is not in the plan.
    const moved = frontLoad(plan, [4, 9, 1]);
    expect(Array.from(moved.images)).toEqual([4, 1, 0, 2, 3, 5]);
    for (let i = 0; i < 6; i++) expect(crops(moved, i)).toEqual(crops(plan, moved.images[i]));
    expect(frontLoad(plan, [])).toBe(plan);
    const tail = slicePlan(moved, 4, 6);
    expect(Array.from(tail.images)).toEqual([3, 5]);
    expect(crops(tail, 1)).toEqual(crops(plan, 5));
  });
});

describe('ExampleStream', () => {
  it('draws the examples and crops of the one-thread loop: order.next(), then fillRandomCrop', () => {
    const shape = { sx: 24, sy: 24, depth: 1 };
    const indices = Int32Array.from([2, 3, 5, 7, 8]);
    const stream = new ExampleStream(new EpochOrder(indices, new Rng(1)), new Rng(2), shape);
    const list = new Int32Array(12 * EXAMPLE_STRIDE);
    stream.fill(list, 12);
    const order = new EpochOrder(indices, new Rng(1));
    const crops = new Rng(2);
    const serial = createInputVolume(shape);
    const seen = new Set<number>();
    for (let e = 0; e < 12; e++) {
      const i = order.next();
      fillRandomCrop(serial, SET, i, crops);
      expect(list[e * EXAMPLE_STRIDE]).toBe(i);
      expect(cropAt(i, list[e * EXAMPLE_STRIDE + 1], list[e * EXAMPLE_STRIDE + 2])).toEqual(Array.from(serial.w));
      if (e < 5) seen.add(i);
    }
    // The first epoch visits every training index once.
    expect([...seen].sort()).toEqual([2, 3, 5, 7, 8]);
  });
});
