import { describe, expect, it } from 'vitest';
import { fillRandomCrop, InputShapeError, predictAveragedCrops, type ForwardNet } from '../../../src/data/augment';
import { CIFAR10_AUGMENTATION, mnistDataset, type Dataset } from '../../../src/data/dataset';
import {
  checkInputFits,
  createDatasetInput,
  fillPlaced,
  fillTrainingInput,
  predictAveraged,
  randomPlacement,
  testTimePlacements,
} from '../../../src/data/dataset-inputs';
import { PIXEL_TO_INPUT, type MnistSet } from '../../../src/data/mnist';
import { Rng } from '../../../src/engine/rng';
import { Volume } from '../../../src/engine/volume';
import { patternPixels } from './dataset-fixtures';

const mnistSet: MnistSet = { count: 3, images: patternPixels(3, 784), labels: Uint8Array.of(1, 2, 3) };
const mnist = mnistDataset(mnistSet, mnistSet);

/** 3x2 RGB images; pixel (x, y) channel c of image i is 100 * i + 10 * (y * 3 + x) + c. */
const rgb: Dataset = {
  ...mnist,
  name: 'tiny rgb',
  width: 3,
  height: 2,
  channels: 3,
  augmentation: CIFAR10_AUGMENTATION,
  train: {
    count: 2,
    images: Uint8Array.from({ length: 2 * 18 }, (_, k) => {
      const i = Math.floor(k / 18);
      const p = Math.floor((k % 18) / 3);
      return 100 * i + 10 * p + (k % 3);
    }),
    labels: Uint8Array.of(0, 1),
  },
};

/** A stand-in network whose two outputs depend on the input, so averaging is visible. */
const sumNet: ForwardNet = {
  forward(x) {
    let sum = 0;
    for (const v of x.w) sum += v;
    return new Volume(1, 1, 2, Float32Array.of(sum, 1));
  },
};

describe('feeding MNIST through the dataset policy', () => {
  it('draws the same crops and writes the same inputs as augment.ts', () => {
    for (const [sx, sy] of [[24, 24], [28, 28], [20, 26]]) {
      const a = new Rng(7);
      const b = new Rng(7);
      const viaDataset = new Volume(sx, sy, 1);
      const viaMnist = new Volume(sx, sy, 1);
      for (let i = 0; i < 5; i++) {
        fillTrainingInput(viaDataset, mnist, mnistSet, i % 3, a);
        fillRandomCrop(viaMnist, mnistSet, i % 3, b);
        expect(Array.from(viaDataset.w)).toEqual(Array.from(viaMnist.w));
      }
      expect(a.nextUint32()).toBe(b.nextUint32());
    }
  });

  it('averages the same 4 crops for test predictions', () => {
    const input = new Volume(24, 24, 1);
    const viaDataset = new Float32Array(2);
    const viaMnist = new Float32Array(2);
    predictAveraged(sumNet, input, mnist, mnistSet, 1, new Rng(3), viaDataset);
    predictAveragedCrops(sumNet, input, mnistSet, 1, new Rng(3), viaMnist);
    expect(Array.from(viaDataset)).toEqual(Array.from(viaMnist));
    expect(viaDataset[1]).toBeCloseTo(1);
  });
});

describe('shifts and flips (ConvNetJS CIFAR-10)', () => {
  const value = (i: number, x: number, y: number, c: number) => PIXEL_TO_INPUT[100 * i + 10 * (y * 3 + x) + c];

  it('reads a shifted window with zeros outside the image, interleaved by channel', () => {
    const target = new Volume(3, 2, 3);
    fillPlaced(target, rgb, rgb.train, 1, { offsetX: 1, offsetY: -1, flip: false });
    // Row 0 comes from row -1 (outside): zeros. Row 1 from row 0, shifted left by one.
    expect(Array.from(target.w.subarray(0, 9))).toEqual(new Array(9).fill(0));
    expect(Array.from(target.w.subarray(9, 15))).toEqual([value(1, 1, 0, 0), value(1, 1, 0, 1), value(1, 1, 0, 2), value(1, 2, 0, 0), value(1, 2, 0, 1), value(1, 2, 0, 2)]);
    expect(Array.from(target.w.subarray(15, 18))).toEqual([0, 0, 0]);
  });

  it('mirrors the window left to right', () => {
    const target = new Volume(3, 2, 3);
    fillPlaced(target, rgb, rgb.train, 0, { offsetX: 0, offsetY: 0, flip: true });
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        for (let c = 0; c < 3; c++) expect(target.w[(y * 3 + x) * 3 + c]).toBe(value(0, 2 - x, y, c));
      }
    }
  });

  it('trains on shifts of at most 2 pixels, mirrored about half the time', () => {
    const rng = new Rng(11);
    const target = new Volume(3, 2, 3);
    const placements = Array.from({ length: 400 }, () => randomPlacement(target, rgb, rng));
    for (const p of placements) {
      expect(Math.abs(p.offsetX)).toBeLessThanOrEqual(2);
      expect(Math.abs(p.offsetY)).toBeLessThanOrEqual(2);
    }
    expect(new Set(placements.map((p) => p.offsetX)).size).toBe(5);
    const flipped = placements.filter((p) => p.flip).length;
    expect(flipped).toBeGreaterThan(150);
    expect(flipped).toBeLessThan(250);
  });

  it('predicts from the image, 3 shifts and 3 mirrored shifts', () => {
    const target = new Volume(3, 2, 3);
    for (let seed = 0; seed < 50; seed++) {
      const seven = testTimePlacements(target, rgb, new Rng(seed));
      expect(seven[0]).toEqual({ offsetX: 0, offsetY: 0, flip: false });
      expect(seven.map((p) => p.flip)).toEqual([false, false, false, false, true, true, true]);
      for (const p of seven) expect(Math.max(Math.abs(p.offsetX), Math.abs(p.offsetY))).toBeLessThanOrEqual(2);
    }
  });

  it('averages the outputs over the seven windows', () => {
    const input = new Volume(3, 2, 3);
    const out = new Float32Array(2);
    predictAveraged(sumNet, input, rgb, rgb.train, 1, new Rng(5), out);
    let expected = 0;
    for (const placement of testTimePlacements(input, rgb, new Rng(5))) {
      fillPlaced(input, rgb, rgb.train, 1, placement);
      expected += sumNet.forward(input).w[0] / 7;
    }
    expect(out[0]).toBeCloseTo(expected, 5);
    expect(out[1]).toBeCloseTo(1, 6);
  });
});

describe('checkInputFits', () => {
  it('refuses a network whose input does not fit, naming both shapes', () => {
    expect(() => checkInputFits({ sx: 24, sy: 24, depth: 1 }, rgb)).toThrow(
      new InputShapeError("the network's input is 24x24x1, but tiny rgb images are 3x2x3; use an input of depth 3"),
    );
    expect(() => checkInputFits({ sx: 24, sy: 24, depth: 3 }, rgb)).toThrow(
      "the network's input is 24x24x3, but tiny rgb images are 3x2x3; use an input of 3x2x3",
    );
    expect(() => checkInputFits({ sx: 32, sy: 32, depth: 1 }, mnist)).toThrow('use an input of at most 28x28x1');
    expect(createDatasetInput({ sx: 24, sy: 24, depth: 1 }, mnist)).toMatchObject({ sx: 24, sy: 24, depth: 1 });
  });
});
