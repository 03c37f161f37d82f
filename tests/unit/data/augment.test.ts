import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/rng';
import { Volume } from '../../../src/engine/volume';
import {
  argmax,
  cropGeometry,
  fillCenterCrop,
  fillCrop,
  fillRandomCrop,
  InputShapeError,
  predictAveragedCrops,
  TEST_TIME_CROPS,
} from '../../../src/data/augment';
import { evaluateAccuracy } from '../../../src/data/evaluate';
import { Net } from '../../../src/engine/net';
import { PIXEL_TO_INPUT, type MnistSet } from '../../../src/data/mnist';

/** Two images of random bytes: every crop offset then gives a different crop. */
function randomSet(count = 2, seed = 5): MnistSet {
  const rng = new Rng(seed);
  const images = Uint8Array.from({ length: count * 784 }, () => rng.int(0, 256));
  return { count, images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

/** The expected input for image `index` cropped at (dx, dy) to sx x sy. */
function expectedCrop(set: MnistSet, index: number, dx: number, dy: number, sx: number, sy: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < sy; y++) {
    for (let x = 0; x < sx; x++) {
      out.push(Math.fround(set.images[index * 784 + (y + dy) * 28 + x + dx] / 255 - 0.5));
    }
  }
  return out;
}

const expectedCrops = new WeakMap<MnistSet, Map<string, number[]>>();

/** Which offset produced this crop (checks the content along the way). */
function offsetOf(v: Volume, set: MnistSet, index: number): [number, number] {
  if (!expectedCrops.has(set)) expectedCrops.set(set, new Map());
  const cache = expectedCrops.get(set)!;
  const found: Array<[number, number]> = [];
  for (let dy = 0; dy <= 28 - v.sy; dy++) {
    for (let dx = 0; dx <= 28 - v.sx; dx++) {
      const key = `${index},${dx},${dy},${v.sx},${v.sy}`;
      if (!cache.has(key)) cache.set(key, expectedCrop(set, index, dx, dy, v.sx, v.sy));
      const e = cache.get(key)!;
      if (e.every((value, i) => value === v.w[i])) found.push([dx, dy]);
    }
  }
  expect(found.length).toBe(1);
  return found[0];
}

describe('preprocessing', () => {
  it('maps pixels to pixel/255 - 0.5', () => {
    expect(PIXEL_TO_INPUT[0]).toBe(-0.5);
    expect(PIXEL_TO_INPUT[255]).toBe(0.5);
    expect(PIXEL_TO_INPUT[51]).toBe(Math.fround(51 / 255 - 0.5));
  });
});

describe('crops', () => {
  it('a 28x28 input takes the whole image and draws nothing from the rng', () => {
    const set = randomSet();
    const v = new Volume(28, 28, 1);
    const rng = new Rng(1);
    const before = rng.getState();
    fillRandomCrop(v, set, 1, rng);
    expect(rng.getState()).toEqual(before);
    expect(Array.from(v.w)).toEqual(expectedCrop(set, 1, 0, 0, 28, 28));
    expect(cropGeometry({ sx: 28, sy: 28, depth: 1 })).toMatchObject({ maxOffsetX: 0, maxOffsetY: 0 });
  });

  it('random 24x24 training crops stay within offsets 0..4 and cover all 25 positions', () => {
    const set = randomSet();
    const v = new Volume(24, 24, 1);
    const rng = new Rng(11);
    const counts = new Map<string, number>();
    for (let n = 0; n < 1000; n++) {
      fillRandomCrop(v, set, n % 2, rng);
      const [dx, dy] = offsetOf(v, set, n % 2);
      expect(dx).toBeGreaterThanOrEqual(0);
      expect(dx).toBeLessThanOrEqual(4);
      expect(dy).toBeGreaterThanOrEqual(0);
      expect(dy).toBeLessThanOrEqual(4);
      counts.set(`${dx},${dy}`, (counts.get(`${dx},${dy}`) ?? 0) + 1);
    }
    expect(counts.size).toBe(25);
    // Uniform: 40 expected per position; a position far off that means a biased draw.
    for (const c of counts.values()) expect(c).toBeGreaterThan(15);
  });

  it('non-square inputs crop each axis within its own margin', () => {
    const set = randomSet(1);
    const v = new Volume(20, 26, 1);
    const rng = new Rng(2);
    const xs = new Set<number>();
    const ys = new Set<number>();
    for (let n = 0; n < 300; n++) {
      fillRandomCrop(v, set, 0, rng);
      const [dx, dy] = offsetOf(v, set, 0);
      xs.add(dx);
      ys.add(dy);
    }
    expect([...xs].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...ys].sort((a, b) => a - b)).toEqual([0, 1, 2]);
  });

  it('the center crop of 24x24 sits at (2, 2)', () => {
    const set = randomSet();
    const v = new Volume(24, 24, 1);
    fillCenterCrop(v, set, 1);
    expect(offsetOf(v, set, 1)).toEqual([2, 2]);
    expect(cropGeometry({ sx: 24, sy: 24, depth: 1 })).toMatchObject({ centerX: 2, centerY: 2 });
  });

  it('refuses crops outside the image or images outside the set', () => {
    const set = randomSet();
    const v = new Volume(24, 24, 1);
    expect(() => fillCrop(v, set, 0, 5, 0)).toThrow(RangeError);
    expect(() => fillCrop(v, set, 0, 0, -1)).toThrow(RangeError);
    expect(() => fillCrop(v, set, 2, 0, 0)).toThrow(/image 2 is outside the set of 2/);
  });

  it('rejects input sizes MNIST cannot feed, with a clear reason', () => {
    expect(() => cropGeometry({ sx: 32, sy: 32, depth: 3 })).toThrow(InputShapeError);
    expect(() => cropGeometry({ sx: 32, sy: 32, depth: 3 })).toThrow(
      "the network's input is 32x32x3, but MNIST images are grayscale (depth 1); use an input of 28x28x1",
    );
    expect(() => cropGeometry({ sx: 24, sy: 24, depth: 3 })).toThrow(/use an input of 24x24x1/);
    expect(() => cropGeometry({ sx: 30, sy: 24, depth: 1 })).toThrow(
      "the network's input is 30x24x1, larger than MNIST's 28x28 images; use an input of at most 28x28x1 (the seed network uses 24x24x1 crops)",
    );
  });
});

describe('argmax', () => {
  it('returns the first largest index', () => {
    expect(argmax([0.1, 0.7, 0.2])).toBe(1);
    expect(argmax([0.5, 0.5])).toBe(0);
    expect(argmax([])).toBe(-1);
  });
});

describe('4-crop prediction', () => {
  const defs = (side: number) => [
    { type: 'input', out_sx: side, out_sy: side, out_depth: 1 },
    { type: 'conv', sx: 3, filters: 3, stride: 1, pad: 1, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'softmax', num_classes: 10 },
  ];

  it('averages the softmax of 4 forward passes on 4 random crops', () => {
    const set = randomSet(3);
    const net = Net.fromDefs(defs(24), new Rng(4));
    const input = new Volume(24, 24, 1);
    const averaged = new Float32Array(10);
    predictAveragedCrops(net, input, set, 2, new Rng(9), averaged);

    // The same crops by hand, from an identical stream.
    const replay = new Rng(9);
    const passes: number[][] = [];
    for (let c = 0; c < TEST_TIME_CROPS; c++) {
      fillRandomCrop(input, set, 2, replay);
      passes.push(Array.from(net.forward(input, false).w));
    }
    expect(TEST_TIME_CROPS).toBe(4);
    // The crops really differ, so the average is not a single pass in disguise.
    expect(new Set(passes.map((p) => p.join(','))).size).toBeGreaterThan(1);
    for (let k = 0; k < 10; k++) {
      const mean = passes.reduce((sum, p) => sum + p[k], 0) / 4;
      expect(averaged[k]).toBeCloseTo(mean, 6);
    }
    expect(averaged.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('with a 28x28 input, the average is the single forward pass on the whole image', () => {
    const set = randomSet(1);
    const net = Net.fromDefs(defs(28), new Rng(4));
    const input = new Volume(28, 28, 1);
    const averaged = new Float32Array(10);
    predictAveragedCrops(net, input, set, 0, new Rng(9), averaged);
    fillCenterCrop(input, set, 0);
    expect(Array.from(averaged)).toEqual(Array.from(net.forward(input, false).w));
  });

  it('evaluateAccuracy counts argmax hits, center and 4-crop', () => {
    const set = randomSet(20);
    const net = Net.fromDefs(defs(24), new Rng(4));
    const input = new Volume(24, 24, 1);
    let expected = 0;
    for (let i = 0; i < set.count; i++) {
      fillCenterCrop(input, set, i);
      if (argmax(net.forward(input, false).w) === set.labels[i]) expected++;
    }
    const center = evaluateAccuracy(net, set, 'center');
    expect(center).toEqual({ correct: expected, total: 20, accuracy: expected / 20 });
    const out = new Float32Array(10);
    const rng = new Rng(3);
    let expected4 = 0;
    for (let i = 0; i < set.count; i++) {
      predictAveragedCrops(net, input, set, i, rng, out);
      if (argmax(out) === set.labels[i]) expected4++;
    }
    expect(evaluateAccuracy(net, set, '4crop', { rng: new Rng(3) }).correct).toBe(expected4);
    const subset = evaluateAccuracy(net, set, 'center', { indices: Int32Array.from([0, 5]) });
    expect(subset.total).toBe(2);
  });
});
