import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetSummary, DEFAULT_DATASET_CAPS } from '../../../src/data/dataset';
import { loadBuiltInMnist, loadDatasetFromDir, parseDatasetFormat } from '../../../src/data/node-dataset';
import { cifarBatch, idxFiles, refusal } from './dataset-fixtures';
import { encodePng, shapeFolderFiles, webpHeader, writeFolder } from './encoded-images';

const root = mkdtempSync(join(tmpdir(), 'node-dataset-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function directory(name: string, files: Record<string, Uint8Array | string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

describe('loadDatasetFromDir', () => {
  it('reads the gzipped IDX files and classes.txt of a directory, leaving other files alone', async () => {
    const files: Record<string, Uint8Array | string> = { 'convert.py': 'print(1)', 'classes.txt': 'a\nb\nc\n' };
    for (const file of idxFiles({ classes: 3 })) files[`${file.name}.gz`] = gzipSync(file.bytes);
    const dir = directory('tiny-fashion', files);
    const { dataset } = await loadDatasetFromDir(dir, 'idx');
    expect(datasetSummary(dataset)).toMatchObject({ name: 'tiny-fashion', classes: ['a', 'b', 'c'], shape: [28, 28, 1], train: 12, test: 5 });
  });

  it('reads CIFAR-10 binary batches', async () => {
    const dir = directory('cifar', {
      'data_batch_1.bin': cifarBatch([1, 2]),
      'test_batch.bin': cifarBatch([3]),
      'readme.html': '<p>',
    });
    const { dataset } = await loadDatasetFromDir(dir, 'cifar10', { name: 'mini cifar' });
    expect(datasetSummary(dataset)).toMatchObject({ name: 'mini cifar', shape: [32, 32, 3], train: 2, test: 1 });
  });

  it('reads a folder of PNG and JPEG class folders as the page does, skipping an undecodable file by name', async () => {
    const dir = writeFolder(join(root, 'shapes'), {
      ...shapeFolderFiles(4, 20),
      'left/broken.png': encodePng(4, 4, new Uint8Array(64)).slice(0, 30),
      'notes.txt': 'drawn by hand',
      '.DS_Store': 'x',
    });
    const { dataset, skipped, skippedCounts } = await loadDatasetFromDir(dir, 'images', { images: { side: 16, channels: 3, seed: 2 } });
    expect(datasetSummary(dataset)).toMatchObject({ name: 'shapes', classes: ['diagonal', 'left', 'top'], shape: [16, 16, 3] });
    expect(dataset.train.count + dataset.test.count).toBe(12);
    expect(skipped).toEqual([
      { path: 'notes.txt', reason: 'not in a class folder' },
      { path: 'left/broken.png', reason: 'could not be decoded' },
    ]);
    expect(skippedCounts).toEqual({ 'could not be decoded': 1, 'not in a class folder': 1 });
    // Gray at the default size when nothing is chosen.
    expect(datasetSummary((await loadDatasetFromDir(dir, 'images')).dataset).shape).toEqual([28, 28, 1]);
  });

  it('refuses WebP, GIF and BMP images by name, saying to convert them (the page decodes them)', async () => {
    const dir = writeFolder(join(root, 'webp'), { ...shapeFolderFiles(2, 8), 'top/a.webp': webpHeader(), 'top/b.webp': webpHeader() });
    const error = await refusal(() => loadDatasetFromDir(dir, 'images'));
    expect(error.message).toBe(
      `${join(dir, 'top/a.webp')}: is WEBP (and 1 more like it), which the CLI cannot decode (only PNG and JPEG); ` +
        'convert such images to PNG (e.g. `mogrify -format png *.webp`), or load the folder in the page, which decodes them',
    );
  });

  it('refuses a missing directory, a directory without the files, and a file past the cap before reading it', async () => {
    expect((await refusal(() => loadDatasetFromDir(join(root, 'nowhere'), 'idx'))).message).toMatch(/nowhere: does not exist/);
    expect((await refusal(() => loadDatasetFromDir(directory('empty', { 'a.txt': 'x' }), 'idx'))).message).toContain(
      'lack the training images',
    );
    const dir = directory('big', Object.fromEntries(idxFiles().map((file) => [file.name, file.bytes])));
    const caps = { ...DEFAULT_DATASET_CAPS, maxInputBytes: 5000 };
    expect((await refusal(() => loadDatasetFromDir(dir, 'idx', { caps }))).message).toMatch(/brings the input to/);
  });
});

describe('the CLI helpers', () => {
  it('parses --data-format values', () => {
    expect(parseDatasetFormat('cifar10')).toBe('cifar10');
    expect(() => parseDatasetFormat('png')).toThrow('--data-format "png" is not one of idx, cifar10, images');
  });

  it('describes the bundled MNIST as the built-in dataset', () => {
    const dataset = loadBuiltInMnist();
    expect(datasetSummary(dataset)).toEqual({
      name: 'MNIST',
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      shape: [28, 28, 1],
      train: 60_000,
      test: 10_000,
      fingerprint: null,
    });
  });
});
