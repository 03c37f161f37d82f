import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATASET_CAPS } from '../../../src/data/dataset';
import { encodeIdxImages, encodeIdxLabels } from '../../../src/data/idx';
import { datasetFromIdx, identifyIdxFiles, idxRoleOf } from '../../../src/data/idx-dataset';
import { idxFiles, patternPixels, refusal, withFile } from './dataset-fixtures';

const text = (s: string) => new TextEncoder().encode(s);

describe('identifying the IDX files by name', () => {
  it('knows the usual names of MNIST, Fashion-MNIST, KMNIST and EMNIST files', () => {
    expect(idxRoleOf('train-images-idx3-ubyte.gz')).toBe('trainImages');
    expect(idxRoleOf('dir/t10k-labels-idx1-ubyte')).toBe('testLabels');
    expect(idxRoleOf('emnist-letters-test-images-idx3-ubyte.gz')).toBe('testImages');
    expect(idxRoleOf('kmnist-train-labels.idx1')).toBe('trainLabels');
    expect(idxRoleOf('classes.txt')).toBe('classNames');
    expect(idxRoleOf('README.md')).toBeNull();
  });

  it('refuses a missing role and a doubled one, and lists the files it ignored', async () => {
    const files = idxFiles();
    const missing = await refusal(() => identifyIdxFiles(files.slice(1)));
    expect(missing.message).toContain('lack the training images');
    const doubled = await refusal(() => identifyIdxFiles([...files, { name: 'test-images.idx3', bytes: files[2].bytes }]));
    expect(doubled.message).toBe('test-images.idx3: and t10k-images-idx3-ubyte both look like the test images; pick only one');
    expect(identifyIdxFiles([...files, { name: 'notes.md', bytes: text('x') }]).ignored).toEqual(['notes.md']);
  });
});

describe('datasetFromIdx', () => {
  it('reads four gzipped IDX files and a class-names file into a 1-channel dataset', async () => {
    const files = idxFiles({ train: 12, test: 5 }).map((file) => ({ name: `${file.name}.gz`, bytes: gzipSync(file.bytes) }));
    const names = JSON.stringify(['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot']);
    const dataset = await datasetFromIdx([...files, { name: 'classes.json', bytes: text(names) }], { name: 'fashion' });
    expect(dataset).toMatchObject({ name: 'fashion', width: 28, height: 28, channels: 1 });
    expect(dataset.classNames[9]).toBe('Boot');
    expect(dataset.train.count).toBe(12);
    expect(Array.from(dataset.train.images)).toEqual(Array.from(patternPixels(12, 784)));
    expect(Array.from(dataset.test.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(dataset.augmentation).toEqual({ kind: 'random-crop', testTimeCrops: 4 });
    expect(dataset.source).toMatchObject({ kind: 'local', format: 'idx' });
    if (dataset.source.kind === 'local') expect(dataset.source.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('numbers the classes from the labels when no names are given, and takes other image sizes', async () => {
    const dataset = await datasetFromIdx(idxFiles({ side: 16, classes: 3 }));
    expect(dataset.classNames).toEqual(['0', '1', '2']);
    expect(dataset).toMatchObject({ width: 16, height: 16 });
    expect(dataset.augmentation).toMatchObject({ kind: 'shift-flip', horizontalFlip: false });
  });

  it('prefers typed class names over a names file', async () => {
    const dataset = await datasetFromIdx(idxFiles({ classes: 2 }), { classNames: ['no', 'yes'] });
    expect(dataset.classNames).toEqual(['no', 'yes']);
  });

  it('refuses a labels file given as the images (wrong magic), naming the file', async () => {
    const files = idxFiles();
    const error = await refusal(() => datasetFromIdx(withFile(files, 'train-images', files[1].bytes)));
    expect(error.message).toBe('train-images-idx3-ubyte: magic number 2049 (that is a labels file), expected 2051 for IDX images');
  });

  it('refuses a file that is not IDX at all, even after decompression', async () => {
    const error = await refusal(() => datasetFromIdx(withFile(idxFiles(), 't10k-labels', gzipSync(text('<html>not found</html>')))));
    expect(error.message).toMatch(/^t10k-labels-idx1-ubyte: magic number \d+ \(not an IDX file, or a compressed one\)/);
    expect(error.message).not.toContain('html');
  });

  it('refuses declared counts that the file size does not hold', async () => {
    const images = encodeIdxImages(patternPixels(12, 784), 12, 28, 28);
    const error = await refusal(() => datasetFromIdx(withFile(idxFiles(), 'train-images', images.subarray(0, images.length - 100))));
    expect(error.message).toContain('train-images-idx3-ubyte: truncated: the header announces 12 images of 28x28');
  });

  it('refuses labels at or past the class count', async () => {
    const error = await refusal(() => datasetFromIdx(idxFiles({ classes: 3 }), { classNames: ['a', 'b'] }));
    expect(error.message).toBe('train-labels-idx1-ubyte: label 2 is 2, outside 0..1');
  });

  it('refuses image and label counts that disagree', async () => {
    const error = await refusal(() => datasetFromIdx(withFile(idxFiles(), 't10k-labels', encodeIdxLabels(Uint8Array.of(1, 2)))));
    expect(error.message).toBe(
      't10k-images-idx3-ubyte: holds 5 images but t10k-labels-idx1-ubyte holds 2 labels; the files do not belong together',
    );
  });

  it('refuses training and test images of different sizes', async () => {
    const test = encodeIdxImages(patternPixels(5, 400), 5, 20, 20);
    const error = await refusal(() => datasetFromIdx(withFile(idxFiles(), 't10k-images', test)));
    expect(error.message).toContain('t10k-images-idx3-ubyte: holds 20x20 images but train-images-idx3-ubyte holds 28x28');
  });

  it('refuses a single class', async () => {
    const error = await refusal(() => datasetFromIdx(idxFiles({ classes: 1 })));
    expect(error.message).toBe('train-labels-idx1-ubyte: every label is 0: a single class, and a classifier needs at least two');
  });

  it('refuses sets past the caps on images and input bytes', async () => {
    const byCount = await refusal(() => datasetFromIdx(idxFiles(), { caps: { ...DEFAULT_DATASET_CAPS, maxImages: 16 } }));
    expect(byCount.message).toContain('holds 17 images, more than the 16 a dataset may have');
    const byBytes = await refusal(() => datasetFromIdx(idxFiles(), { caps: { ...DEFAULT_DATASET_CAPS, maxInputBytes: 10_000 } }));
    expect(byBytes.message).toMatch(/^t10k-images-idx3-ubyte: brings the input to/);
  });
});
