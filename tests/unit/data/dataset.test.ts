import { describe, expect, it } from 'vitest';
import {
  augmentationFor,
  CIFAR10_AUGMENTATION,
  checkDataset,
  datasetFingerprint,
  datasetIdentity,
  datasetSummary,
  DEFAULT_DATASET_CAPS,
  MNIST_AUGMENTATION,
  mnistDataset,
  type Dataset,
} from '../../../src/data/dataset';
import type { MnistSet } from '../../../src/data/mnist';
import { patternPixels, refusal } from './dataset-fixtures';

function mnistLike(count: number, salt = 0): MnistSet {
  return { count, images: patternPixels(count, 784, salt), labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

function rgbDataset(overrides: Partial<Dataset> = {}): Dataset {
  return {
    name: 'tiny rgb',
    classNames: ['a', 'b'],
    width: 2,
    height: 2,
    channels: 3,
    train: { count: 2, images: patternPixels(2, 12), labels: Uint8Array.of(0, 1) },
    test: { count: 1, images: patternPixels(1, 12, 1), labels: Uint8Array.of(1) },
    validationFraction: 0.1,
    augmentation: CIFAR10_AUGMENTATION,
    source: { kind: 'local', format: 'images', fingerprint: 'x' },
    ...overrides,
  };
}

describe('the built-in MNIST as a dataset', () => {
  it('describes 28x28 grayscale digits with MNIST crops, using the sets as they are', () => {
    const train = mnistLike(20);
    const test = mnistLike(5, 1);
    const dataset = mnistDataset(train, test);
    expect(dataset).toMatchObject({ name: 'MNIST', width: 28, height: 28, channels: 1, validationFraction: 0.1 });
    expect(dataset.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(dataset.augmentation).toEqual({ kind: 'random-crop', testTimeCrops: 4 });
    expect(dataset.train).toBe(train);
    expect(dataset.test).toBe(test);
    expect(datasetIdentity(dataset)).toMatchObject({ builtIn: 'mnist', fingerprint: null });
    expect(() => checkDataset(dataset)).not.toThrow();
  });
});

describe('augmentation policies', () => {
  it('gives 28x28 grayscale sets MNIST crops, colour sets ConvNetJS CIFAR-10 shifts and flips, other gray sizes shifts only', () => {
    expect(augmentationFor(28, 28, 1)).toBe(MNIST_AUGMENTATION);
    expect(augmentationFor(32, 32, 3)).toEqual({ kind: 'shift-flip', maxShift: 2, horizontalFlip: true, testTimeShifts: 6 });
    expect(augmentationFor(32, 32, 1)).toMatchObject({ kind: 'shift-flip', horizontalFlip: false });
  });
});

describe('checkDataset', () => {
  it('accepts a consistent RGB dataset', () => {
    expect(() => checkDataset(rgbDataset())).not.toThrow();
  });

  it('refuses a single class', async () => {
    const error = await refusal(() => checkDataset(rgbDataset({ classNames: ['only'] })));
    expect(error.message).toBe('tiny rgb: has 1 class; a classifier needs at least two');
  });

  it('refuses a label outside the classes, naming the set and the example', async () => {
    const error = await refusal(() =>
      checkDataset(rgbDataset({ test: { count: 1, images: patternPixels(1, 12), labels: Uint8Array.of(2) } })),
    );
    expect(error.message).toBe('tiny rgb: label 0 of the test set is 2, outside 0..1');
  });

  it('refuses pixels or labels that do not match the count', async () => {
    const error = await refusal(() =>
      checkDataset(rgbDataset({ train: { count: 3, images: patternPixels(2, 12), labels: Uint8Array.of(0, 1) } })),
    );
    expect(error.message).toContain('the training set has 24 pixel bytes and 2 labels for 3 images');
  });

  it('refuses sets past the image and memory caps', async () => {
    const byCount = await refusal(() => checkDataset(rgbDataset(), { ...DEFAULT_DATASET_CAPS, maxImages: 2 }));
    expect(byCount.message).toContain('holds 3 images, more than the 2');
    const byBytes = await refusal(() => checkDataset(rgbDataset(), { ...DEFAULT_DATASET_CAPS, maxPixelBytes: 30 }));
    expect(byBytes.message).toContain('3 images of 2x2x3 need');
  });
});

describe('datasetFingerprint', () => {
  it('is the SHA-256 of the contents: stable, and changed by one pixel, one label or a class name, not by the name', async () => {
    const base = rgbDataset();
    const fingerprint = await datasetFingerprint(base);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await datasetFingerprint(rgbDataset({ name: 'renamed' }))).toBe(fingerprint);

    const pixels = patternPixels(2, 12);
    pixels[5] ^= 1;
    expect(await datasetFingerprint(rgbDataset({ train: { ...base.train, images: pixels } }))).not.toBe(fingerprint);
    expect(await datasetFingerprint(rgbDataset({ test: { ...base.test, labels: Uint8Array.of(0) } }))).not.toBe(fingerprint);
    expect(await datasetFingerprint(rgbDataset({ classNames: ['a', 'c'] }))).not.toBe(fingerprint);
  });

  it('goes into the identity and summary of a local dataset', () => {
    const dataset = rgbDataset({ source: { kind: 'local', format: 'images', fingerprint: 'f00d' } });
    expect(datasetIdentity(dataset)).toEqual({
      name: 'tiny rgb',
      width: 2,
      height: 2,
      channels: 3,
      classNames: ['a', 'b'],
      builtIn: null,
      fingerprint: 'f00d',
    });
    expect(datasetSummary(dataset)).toEqual({ name: 'tiny rgb', classes: ['a', 'b'], shape: [2, 2, 3], train: 2, test: 1, fingerprint: 'f00d' });
  });
});
