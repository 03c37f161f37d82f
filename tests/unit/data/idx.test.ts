import { describe, expect, it } from 'vitest';
import { encodeIdxImages, encodeIdxLabels, IdxError, parseIdxImages, parseIdxLabels } from '../../../src/data/idx';
import { mnistSetFromIdx } from '../../../src/data/mnist';

/** Three 28x28 images whose pixels encode (image, position), and their labels. */
function tinySet(count = 3) {
  const pixels = new Uint8Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + 3) & 255;
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 3) % 10);
  return { pixels, labels, images: encodeIdxImages(pixels, count, 28, 28), labelFile: encodeIdxLabels(labels) };
}

function errorOf(fn: () => unknown): IdxError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(IdxError);
    return error as IdxError;
  }
  throw new Error('expected an IdxError');
}

describe('IDX parser', () => {
  it('reads a valid images file and labels file byte for byte', () => {
    const t = tinySet();
    const images = parseIdxImages(t.images, 'imgs');
    expect(images).toMatchObject({ count: 3, rows: 28, cols: 28 });
    expect(Array.from(images.pixels)).toEqual(Array.from(t.pixels));
    const labels = parseIdxLabels(t.labelFile, 'lbls');
    expect(labels.count).toBe(3);
    expect(Array.from(labels.labels)).toEqual([0, 3, 6]);
  });

  it('reads the big-endian header fields', () => {
    const bytes = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 10, 20, 30, 40, 50, 60]);
    const images = parseIdxImages(bytes, 'f');
    expect(images).toMatchObject({ count: 2, rows: 1, cols: 3 });
    expect(Array.from(images.pixels)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('pairs images and labels into an MnistSet', () => {
    const t = tinySet();
    const set = mnistSetFromIdx(t.images, 'imgs', t.labelFile, 'lbls');
    expect(set.count).toBe(3);
    expect(set.images.length).toBe(3 * 784);
    expect(Array.from(set.labels)).toEqual([0, 3, 6]);
  });

  it('rejects an empty file, naming it', () => {
    const e = errorOf(() => parseIdxImages(new Uint8Array(0), 'data/train-images'));
    expect(e.message).toBe('data/train-images: the images file is empty');
    expect(e.file).toBe('data/train-images');
  });

  it('rejects a file shorter than its header', () => {
    const e = errorOf(() => parseIdxLabels(new Uint8Array([0, 0, 8, 1, 0]), 'lbls'));
    expect(e.message).toMatch(/^lbls: the labels file is truncated: 5 bytes, shorter than its 8-byte header/);
  });

  it('rejects a wrong magic number and says what the file looks like', () => {
    const t = tinySet();
    expect(errorOf(() => parseIdxImages(t.labelFile, 'x')).message).toBe(
      'x: magic number 2049 (that is a labels file), expected 2051 for IDX images',
    );
    expect(errorOf(() => parseIdxLabels(t.images, 'y')).message).toBe(
      'y: magic number 2051 (that is an images file), expected 2049 for IDX labels',
    );
    const gzipped = new Uint8Array(t.images);
    gzipped.set([0x1f, 0x8b, 8, 0]);
    expect(errorOf(() => parseIdxImages(gzipped, 'z')).message).toMatch(/^z: magic number \d+ \(not an IDX file/);
  });

  it('rejects a truncated body', () => {
    const t = tinySet();
    const e = errorOf(() => parseIdxImages(t.images.subarray(0, t.images.length - 1), 'imgs'));
    expect(e.message).toBe(
      'imgs: truncated: the header announces 3 images of 28x28 (2368 bytes) but the file has 2367',
    );
    const l = errorOf(() => parseIdxLabels(t.labelFile.subarray(0, 9), 'lbls'));
    expect(l.message).toBe('lbls: truncated: the header announces 3 labels (11 bytes) but the file has 9');
  });

  it('rejects trailing bytes (the header and the length disagree)', () => {
    const t = tinySet();
    const longer = new Uint8Array(t.labelFile.length + 2);
    longer.set(t.labelFile);
    expect(errorOf(() => parseIdxLabels(longer, 'lbls')).message).toBe(
      'lbls: 2 unexpected trailing bytes after 3 labels (11 bytes expected, 13 found)',
    );
  });

  it('rejects zero counts and empty images', () => {
    expect(errorOf(() => parseIdxImages(encodeIdxImages(new Uint8Array(0), 0, 28, 28), 'a')).message).toBe(
      'a: the header announces 0 images',
    );
    expect(errorOf(() => parseIdxImages(encodeIdxImages(new Uint8Array(0), 2, 0, 28), 'b')).message).toBe(
      'b: images of 0x28 pixels are empty',
    );
    expect(errorOf(() => parseIdxLabels(encodeIdxLabels(new Uint8Array(0)), 'c')).message).toBe(
      'c: the header announces 0 labels',
    );
  });

  it('rejects a label outside 0..9', () => {
    const e = errorOf(() => parseIdxLabels(encodeIdxLabels(new Uint8Array([1, 2, 10])), 'lbls'));
    expect(e.message).toBe('lbls: label 2 is 10, outside 0..9');
  });

  it('rejects images that are not 28x28', () => {
    const images = encodeIdxImages(new Uint8Array(2 * 32 * 32), 2, 32, 32);
    const e = errorOf(() => mnistSetFromIdx(images, 'imgs', encodeIdxLabels(new Uint8Array(2)), 'lbls'));
    expect(e.message).toBe('imgs: images are 32x32, MNIST images are 28x28');
  });

  it('rejects image and label counts that differ', () => {
    const t = tinySet(3);
    const e = errorOf(() => mnistSetFromIdx(t.images, 'imgs', encodeIdxLabels(new Uint8Array(4)), 'lbls'));
    expect(e.message).toBe('imgs: 3 images but lbls has 4 labels; the files do not belong together');
  });
});
