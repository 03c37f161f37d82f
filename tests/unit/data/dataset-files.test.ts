import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src/data/dataset';
import { classNamesFromText, expandZips, formatOfNames, loadLocalDataset } from '../../../src/data/dataset-files';
import { cifarBatch, decodeRawImage, grayImage, idxFiles } from './dataset-fixtures';
import type { NamedBytes } from '../../../src/data/local-files';

/** A zip of the files, each under `folder/`. */
function zipOf(files: NamedBytes[], folder = ''): NamedBytes {
  return { name: 'dataset.zip', bytes: zipSync(Object.fromEntries(files.map((f) => [folder + f.name, f.bytes]))) };
}

const threeClasses = (): NamedBytes[] => idxFiles({ train: 9, test: 3, classes: 3 });

describe('formatOfNames', () => {
  it('tells CIFAR-10 batches, IDX files and class folders of images apart, and nothing else', () => {
    expect(formatOfNames(['cifar/data_batch_1.bin', 'cifar/test_batch.bin'])).toBe('cifar10');
    expect(formatOfNames(['train-images-idx3-ubyte.gz', 'classes.txt'])).toBe('idx');
    expect(formatOfNames(['pets/cat/1.png', 'pets/dog/2.jpg'])).toBe('images');
    expect(formatOfNames(['lonely.png'])).toBeNull();
    expect(formatOfNames(['notes.txt'])).toBeNull();
  });
});

describe('loadLocalDataset', () => {
  it('reads MNIST-format files with typed class names (commas or lines)', async () => {
    const { dataset, skipped } = await loadLocalDataset(threeClasses(), { name: 'Shapes', classNamesText: 'circle, square\ntriangle' });
    expect(dataset.name).toBe('Shapes');
    expect(dataset.classNames).toEqual(['circle', 'square', 'triangle']);
    expect([dataset.train.count, dataset.test.count]).toEqual([9, 3]);
    expect(dataset.source).toMatchObject({ kind: 'local', format: 'idx' });
    expect(skipped).toEqual([]);
  });

  it('opens a zip (in a wrapping folder) to the same dataset as the loose files', async () => {
    const loose = await loadLocalDataset(threeClasses(), { classNamesText: 'a,b,c' });
    const zipped = await loadLocalDataset([zipOf(threeClasses(), 'shapes/')], { classNamesText: 'a,b,c' });
    expect(zipped.dataset.source).toEqual(loose.dataset.source);
    expect(zipped.dataset.train.images).toEqual(loose.dataset.train.images);
  });

  it('reads CIFAR-10 batches with their class names file', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const files: NamedBytes[] = [
      { name: 'data_batch_1.bin', bytes: cifarBatch([0, 1, 2, 3]) },
      { name: 'test_batch.bin', bytes: cifarBatch([4, 5]) },
      { name: 'batches.meta.txt', bytes: new TextEncoder().encode(names.join('\n') + '\n\n') },
    ];
    const { dataset } = await loadLocalDataset(files);
    expect([dataset.width, dataset.height, dataset.channels]).toEqual([32, 32, 3]);
    expect(dataset.classNames).toEqual(names);
    expect(dataset.train.count).toBe(4);
  });

  it('decodes a zip of class folders at the chosen size and colour, counting what it skipped', async () => {
    const entries: NamedBytes[] = [];
    for (let i = 0; i < 10; i++) {
      entries.push({ name: `dark/${i}.png`, bytes: grayImage(8, 8, 20) }, { name: `light/${i}.png`, bytes: grayImage(8, 8, 230) });
    }
    entries.push({ name: 'light/readme.md', bytes: new Uint8Array([1, 2]) });
    const progress: number[] = [];
    const { dataset, skippedCounts } = await loadLocalDataset([zipOf(entries, 'pics/')], {
      imageSide: 4,
      channels: 3,
      seed: 5,
      decode: decodeRawImage,
      onProgress: (done) => progress.push(done),
    });
    expect(dataset.classNames).toEqual(['dark', 'light']);
    expect([dataset.width, dataset.height, dataset.channels]).toEqual([4, 4, 3]);
    expect(dataset.train.count + dataset.test.count).toBe(20);
    expect(skippedCounts).toEqual({ 'not an image file': 1 });
    expect(progress.length).toBeGreaterThan(0);
  });

  it('refuses what it cannot use with a message naming the file, and loads nothing', async () => {
    await expect(loadLocalDataset([{ name: 'holiday.doc', bytes: new Uint8Array(4) }])).rejects.toThrow(/holiday\.doc.*neither MNIST-format/);
    await expect(loadLocalDataset([])).rejects.toThrow(DatasetError);
    await expect(loadLocalDataset([{ name: 'broken.zip', bytes: new Uint8Array([0x50, 0x4b, 9, 9, 1]) }])).rejects.toThrow(
      /broken\.zip.*not a zip archive/,
    );
    await expect(loadLocalDataset(threeClasses(), { classNamesText: 'only-one' })).rejects.toThrow(/class names field.*at least two/);
    await expect(loadLocalDataset(threeClasses(), { classNamesText: 'a,b' })).rejects.toThrow(DatasetError);
  });

  it('counts what a zip says it holds against the input cap before inflating it', () => {
    const caps = { maxInputBytes: 1000, maxImages: 100, maxPixelBytes: 1e6, maxImageSide: 64 };
    const big = zipOf([{ name: 'train-images-idx3-ubyte', bytes: new Uint8Array(5000) }]);
    expect(() => expandZips([big], caps)).toThrow(/dataset\.zip: train-images-idx3-ubyte.*past the/);
  });
});

describe('classNamesFromText', () => {
  it('trims, drops blanks and refuses repeats', () => {
    expect(classNamesFromText(' cat ,\n\n dog ')).toEqual(['cat', 'dog']);
    expect(() => classNamesFromText('cat, cat')).toThrow(/repeats/);
  });
});
