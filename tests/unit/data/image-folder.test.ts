import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATASET_CAPS } from '../../../src/data/dataset';
import { datasetFromImageFolder, looksLikeImage, type ImageFolderOptions } from '../../../src/data/image-folder';
import type { NamedBytes } from '../../../src/data/local-files';
import { brokenPng, decodeRawImage, grayImage, rawImage, refusal } from './dataset-fixtures';

const gray28: Omit<ImageFolderOptions, 'decode'> & { decode: ImageFolderOptions['decode'] } = {
  decode: decodeRawImage,
  size: { width: 4, height: 4 },
  channels: 1,
};

/** Files of a folder: `count` gray images per class, class k's images of value 40 * (k + 1). */
function folder(classes: string[], count: number, prefix = ''): NamedBytes[] {
  return classes.flatMap((name, k) =>
    Array.from({ length: count }, (_, i) => ({ name: `${prefix}${name}/img${i}.png`, bytes: grayImage(8, 8, 40 * (k + 1)) })),
  );
}

/** The files of a zip, as the page will hand them over after fflate's unzipSync. */
function throughZip(files: NamedBytes[], folders: string[] = []): NamedBytes[] {
  const tree: Record<string, Uint8Array> = {};
  for (const name of folders) tree[name] = new Uint8Array(0);
  for (const file of files) tree[file.name] = file.bytes;
  return Object.entries(unzipSync(zipSync(tree))).map(([name, bytes]) => ({ name, bytes }));
}

describe('datasetFromImageFolder', () => {
  it('reads a zipped folder with one sub-folder per class, looking through the wrapping folder', async () => {
    const files = throughZip([...folder(['dog', 'cat'], 10, 'pets/'), { name: 'pets/README.txt', bytes: strToU8('hi') }], ['pets/']);
    const { dataset, skipped, skippedCounts } = await datasetFromImageFolder(files, { ...gray28, name: 'pets', seed: 3 });
    expect(dataset.classNames).toEqual(['cat', 'dog']);
    expect(dataset).toMatchObject({ name: 'pets', width: 4, height: 4, channels: 1 });
    // 15% of 10 per class held out: 2 each (rounded), 8 each left for training.
    expect(dataset.train.count).toBe(16);
    expect(dataset.test.count).toBe(4);
    expect(Array.from(dataset.test.labels)).toEqual([0, 0, 1, 1]);
    // cat folder images are value 80 (second class in pick order), resized 8x8 -> 4x4 unchanged.
    expect(Array.from(dataset.train.images.subarray(0, 16))).toEqual(new Array(16).fill(80));
    expect(skipped).toEqual([{ path: 'pets/README.txt', reason: 'not in a class folder' }]);
    expect(skippedCounts).toEqual({ 'not in a class folder': 1 });
    expect(dataset.source).toMatchObject({ kind: 'local', format: 'images' });
  });

  it('holds out the same images for the same seed, and others for another seed', async () => {
    const files = Array.from({ length: 20 }, (_, i) => ({
      name: `${i % 2 ? 'b' : 'a'}/x${i}.png`,
      bytes: grayImage(1, 1, i * 10),
    }));
    const options = { ...gray28, size: { width: 1, height: 1 } };
    const heldOut = async (seed: number) =>
      Array.from((await datasetFromImageFolder(files, { ...options, seed })).dataset.test.images);
    expect(await heldOut(1)).toEqual(await heldOut(1));
    expect(await heldOut(1)).not.toEqual(await heldOut(2));
  });

  it('uses a test/ folder when there is one, with train/ optional', async () => {
    const files = [...folder(['a', 'b'], 3, 'train/'), ...folder(['a', 'b'], 2, 'test/')];
    const { dataset } = await datasetFromImageFolder(files, gray28);
    expect(dataset.train.count).toBe(6);
    expect(dataset.test.count).toBe(4);
    expect(Array.from(dataset.test.labels)).toEqual([0, 0, 1, 1]);
  });

  it('keeps colour in interleaved RGB at the chosen size', async () => {
    const red = rawImage(2, 2, () => [250, 0, 0, 255]);
    const blue = rawImage(2, 2, () => [0, 0, 250, 255]);
    const files = [
      ...[0, 1, 2].map((i) => ({ name: `red/${i}.png`, bytes: red })),
      ...[0, 1, 2].map((i) => ({ name: `blue/${i}.png`, bytes: blue })),
    ];
    const { dataset } = await datasetFromImageFolder(files, { ...gray28, channels: 3, size: { width: 3, height: 3 } });
    expect(dataset).toMatchObject({ width: 3, height: 3, channels: 3 });
    expect(dataset.classNames).toEqual(['blue', 'red']);
    const firstRed = dataset.train.labels.indexOf(1) * 27;
    expect(Array.from(dataset.train.images.subarray(firstRed, firstRed + 6))).toEqual([250, 0, 0, 250, 0, 0]);
    expect(dataset.augmentation).toMatchObject({ kind: 'shift-flip', horizontalFlip: true });
  });

  it('skips and counts what it cannot use: hidden files, non-images, impostors, undecodable images', async () => {
    const files = [
      ...folder(['a', 'b'], 3),
      { name: 'a/.DS_Store', bytes: strToU8('x') },
      { name: '__MACOSX/a/._img0.png', bytes: strToU8('x') },
      { name: 'a/notes.txt', bytes: strToU8('x') },
      { name: 'b/fake.jpg', bytes: strToU8('<html>') },
      { name: 'b/broken.png', bytes: brokenPng() },
    ];
    const progress: number[] = [];
    const result = await datasetFromImageFolder(files, { ...gray28, onProgress: (done) => progress.push(done) });
    expect(result.skippedCounts).toEqual({
      'hidden or system file': 2,
      'not an image file': 1,
      'not the image its name says': 1,
      'could not be decoded': 1,
    });
    expect(result.skipped.find((s) => s.reason === 'could not be decoded')?.path).toBe('b/broken.png');
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(result.dataset.train.count + result.dataset.test.count).toBe(6);
  });

  it('refuses an empty class folder (listed in a zip) and a class whose images are all undecodable', async () => {
    const empty = await refusal(() => datasetFromImageFolder(throughZip(folder(['a', 'b'], 3), ['c/']), gray28));
    expect(empty.message).toBe('the folder c: has no usable training images; every class needs some');
    const broken = [...folder(['a', 'b'], 3), { name: 'c/x.png', bytes: brokenPng() }];
    const undecodable = await refusal(() => datasetFromImageFolder(broken, gray28));
    expect(undecodable.message).toBe('the folder c: has no usable training images (1 skipped); every class needs some');
  });

  it('refuses a single class, no classes, and test classes without training folders', async () => {
    expect((await refusal(() => datasetFromImageFolder(folder(['a'], 5), gray28))).message).toBe(
      'the folder a: is the only class; a classifier needs at least two class folders',
    );
    expect((await refusal(() => datasetFromImageFolder([{ name: 'x.png', bytes: grayImage(2, 2, 1) }], gray28))).message).toContain(
      'has no class sub-folders',
    );
    const stray = await refusal(() => datasetFromImageFolder([...folder(['a', 'b'], 2), ...folder(['z'], 1, 'test/')], gray28));
    expect(stray.message).toContain('test/z: has no training folder of the same name');
  });

  it('refuses mixed image sizes when keeping the images at their own size', async () => {
    const files = [...folder(['a', 'b'], 2), { name: 'b/big.png', bytes: grayImage(9, 8, 1) }];
    const error = await refusal(() => datasetFromImageFolder(files, { ...gray28, size: 'as-is' }));
    expect(error.message).toBe(
      'b/big.png: is 9x8 but a/img0.png is 8x8; images kept at their own size must all have one size (or choose a size to resize to)',
    );
    const same = await datasetFromImageFolder(folder(['a', 'b'], 2), { ...gray28, size: 'as-is' });
    expect(same.dataset).toMatchObject({ width: 8, height: 8 });
  });

  it('refuses too few images to hold out a test set', async () => {
    const error = await refusal(() => datasetFromImageFolder(folder(['a', 'b'], 1), gray28));
    expect(error.message).toContain('too few images to hold out a test set');
  });

  it('refuses sizes and counts past the caps before decoding anything', async () => {
    let decoded = 0;
    const counting = { ...gray28, decode: (bytes: Uint8Array) => ((decoded += 1), decodeRawImage(bytes)) };
    const caps = { ...DEFAULT_DATASET_CAPS, maxImages: 5 };
    expect((await refusal(() => datasetFromImageFolder(folder(['a', 'b'], 3), { ...counting, caps }))).message).toContain(
      'holds 6 images, more than the 5',
    );
    const small = { ...DEFAULT_DATASET_CAPS, maxPixelBytes: 50 };
    expect((await refusal(() => datasetFromImageFolder(folder(['a', 'b'], 3), { ...counting, caps: small }))).message).toContain(
      '6 images at 4x4 need',
    );
    const bytes = { ...DEFAULT_DATASET_CAPS, maxInputBytes: 1000 };
    expect((await refusal(() => datasetFromImageFolder(folder(['a', 'b'], 3), { ...counting, caps: bytes }))).message).toMatch(
      /^b\/img\d\.png: brings the input to/,
    );
    expect((await refusal(() => datasetFromImageFolder(folder(['a', 'b'], 3), { ...counting, size: { width: 0, height: 4 } }))).message).toContain(
      'the chosen size: 0x4 is not a size',
    );
    expect(decoded).toBe(0);
  });
});

describe('looksLikeImage', () => {
  it('knows PNG, JPEG, WebP, GIF and BMP by their first bytes', () => {
    const ascii = (s: string) => strToU8(s);
    expect(looksLikeImage(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toBe(true);
    expect(looksLikeImage(ascii('RIFF\0\0\0\0WEBPVP8 '))).toBe(true);
    expect(looksLikeImage(ascii('GIF89a'))).toBe(true);
    expect(looksLikeImage(ascii('BM....'))).toBe(true);
    expect(looksLikeImage(brokenPng())).toBe(true);
    expect(looksLikeImage(ascii('<svg>'))).toBe(false);
    expect(looksLikeImage(new Uint8Array(0))).toBe(false);
  });
});
