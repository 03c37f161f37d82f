import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { datasetFromCifar10, decodeCifar10Batches } from '../../../src/data/cifar10';
import { DEFAULT_DATASET_CAPS } from '../../../src/data/dataset';
import { cifarBatch, cifarPixel, refusal } from './dataset-fixtures';

const text = (s: string) => new TextEncoder().encode(s);

function cifarFiles() {
  return [
    { name: 'data_batch_2.bin', bytes: cifarBatch([3, 4]) },
    { name: 'data_batch_1.bin', bytes: cifarBatch([0, 1, 2]) },
    { name: 'test_batch.bin', bytes: cifarBatch([9]) },
  ];
}

describe('CIFAR-10 records', () => {
  it('turn the R, G and B planes into interleaved pixels', () => {
    const set = decodeCifar10Batches([{ name: 'b', bytes: cifarBatch([7, 2]) }], 10);
    expect(set.count).toBe(2);
    expect(Array.from(set.labels)).toEqual([7, 2]);
    for (const [image, pixel] of [[0, 0], [0, 33], [1, 1023]]) {
      const at = (image * 1024 + pixel) * 3;
      expect(Array.from(set.images.subarray(at, at + 3))).toEqual([0, 1, 2].map((c) => cifarPixel(image, pixel, c)));
    }
  });
});

describe('datasetFromCifar10', () => {
  it('reads the batches in batch order (whatever the pick order) with the standard class names', async () => {
    const dataset = await datasetFromCifar10(cifarFiles());
    expect(dataset).toMatchObject({ name: 'CIFAR-10', width: 32, height: 32, channels: 3 });
    expect(dataset.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(Array.from(dataset.train.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(dataset.test.labels)).toEqual([9]);
    expect(dataset.augmentation).toEqual({ kind: 'shift-flip', maxShift: 2, horizontalFlip: true, testTimeShifts: 6 });
    expect(dataset.source).toMatchObject({ kind: 'local', format: 'cifar10' });
  });

  it('takes class names from batches.meta.txt and gzipped batches', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `class ${i}`).join('\n');
    const files = cifarFiles().map((file) => ({ name: `${file.name}.gz`, bytes: gzipSync(file.bytes) }));
    const dataset = await datasetFromCifar10([...files, { name: 'batches.meta.txt', bytes: text(`${names}\n\n`) }]);
    expect(dataset.classNames[4]).toBe('class 4');
    expect(dataset.train.count).toBe(5);
  });

  it('refuses a file whose size is not whole records (e.g. the Python version)', async () => {
    const files = cifarFiles();
    files[0] = { name: 'data_batch_2.bin', bytes: new Uint8Array(3073 * 2 + 5) };
    const error = await refusal(() => datasetFromCifar10(files));
    expect(error.message).toContain('data_batch_2.bin: is 6151 bytes, not a whole number of 3073-byte CIFAR-10 records');
  });

  it('refuses a label past the class count, naming the file and the record', async () => {
    const files = cifarFiles();
    files[2] = { name: 'test_batch.bin', bytes: cifarBatch([12]) };
    const error = await refusal(() => datasetFromCifar10(files));
    expect(error.message).toBe('test_batch.bin: record 0 has label 12, outside 0..9');
  });

  it('refuses a missing test batch, no training batch, and a doubled batch', async () => {
    const files = cifarFiles();
    expect((await refusal(() => datasetFromCifar10(files.slice(0, 2)))).message).toContain('include no test batch');
    expect((await refusal(() => datasetFromCifar10(files.slice(2)))).message).toContain('include no training batch');
    const doubled = await refusal(() => datasetFromCifar10([...files, { name: 'x/data_batch_1.bin', bytes: files[1].bytes }]));
    expect(doubled.message).toBe('x/data_batch_1.bin: and data_batch_1.bin are both training batch 1; pick one');
  });

  it('refuses a single class in batches.meta.txt and an empty batch', async () => {
    const single = await refusal(() => datasetFromCifar10([...cifarFiles(), { name: 'batches.meta.txt', bytes: text('cat\n') }]));
    expect(single.message).toContain('batches.meta.txt: lists 1 class name');
    const files = cifarFiles();
    files[2] = { name: 'test_batch.bin', bytes: new Uint8Array(0) };
    expect((await refusal(() => datasetFromCifar10(files))).message).toBe('test_batch.bin: is empty');
  });

  it('refuses more images than the cap before converting them', async () => {
    const error = await refusal(() => datasetFromCifar10(cifarFiles(), { caps: { ...DEFAULT_DATASET_CAPS, maxImages: 5 } }));
    expect(error.message).toContain('holds 6 images, more than the 5');
  });
});
