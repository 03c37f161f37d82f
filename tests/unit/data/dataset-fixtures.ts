/**
 * Datasets the tests make: IDX files, CIFAR-10 records, a tiny raw image format (with a
 * PNG signature, so it passes the folder loader's format sniffing) and its decoder.
 */
import { expect } from 'vitest';
import { DatasetError } from '../../../src/data/dataset';
import { encodeIdxImages, encodeIdxLabels } from '../../../src/data/idx';
import type { DecodedImage } from '../../../src/data/image-folder';
import type { NamedBytes } from '../../../src/data/local-files';

/** Pixels that encode (image, position), so a misplaced byte shows. */
export function patternPixels(count: number, perImage: number, salt = 0): Uint8Array {
  return Uint8Array.from({ length: count * perImage }, (_, i) => (i * 7 + salt * 13 + 3) & 255);
}

/** The four IDX files of a small MNIST-format set (names as Fashion-MNIST ships them, not gzipped). */
export function idxFiles(options: { train?: number; test?: number; side?: number; classes?: number } = {}): NamedBytes[] {
  const { train = 12, test = 5, side = 28, classes = 10 } = options;
  const labels = (count: number) => Uint8Array.from({ length: count }, (_, i) => i % classes);
  return [
    { name: 'train-images-idx3-ubyte', bytes: encodeIdxImages(patternPixels(train, side * side), train, side, side) },
    { name: 'train-labels-idx1-ubyte', bytes: encodeIdxLabels(labels(train)) },
    { name: 't10k-images-idx3-ubyte', bytes: encodeIdxImages(patternPixels(test, side * side, 1), test, side, side) },
    { name: 't10k-labels-idx1-ubyte', bytes: encodeIdxLabels(labels(test)) },
  ];
}

/** Replaces the file whose name contains `part`. */
export function withFile(files: NamedBytes[], part: string, bytes: Uint8Array, name?: string): NamedBytes[] {
  return files.map((file) => (file.name.includes(part) ? { name: name ?? file.name, bytes } : file));
}

/** CIFAR-10 binary records: label byte, then R, G, B planes of 32x32. Pixel p of image i is (i, p, channel)-dependent. */
export function cifarBatch(labels: readonly number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, i) => {
    const record = i * 3073;
    out[record] = label;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) out[record + 1 + c * 1024 + p] = cifarPixel(i, p, c);
    }
  });
  return out;
}

export function cifarPixel(image: number, pixel: number, channel: number): number {
  return (image * 31 + pixel * 3 + channel * 85) & 255;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * A test image file: the PNG signature, "RAWI", width and height (one byte each), then
 * RGBA bytes. Only `decodeRawImage` reads it.
 */
export function rawImage(width: number, height: number, rgba: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const out = new Uint8Array(14 + width * height * 4);
  out.set(PNG_SIGNATURE);
  out.set([0x52, 0x41, 0x57, 0x49], 8);
  out[12] = width;
  out[13] = height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out.set(rgba(x, y), 14 + (y * width + x) * 4);
  }
  return out;
}

/** A gray opaque test image of one value. */
export function grayImage(width: number, height: number, value: number): Uint8Array {
  return rawImage(width, height, () => [value, value, value, 255]);
}

/** Decodes `rawImage` files; anything else is "undecodable", as a browser decoder would reject it. */
export async function decodeRawImage(bytes: Uint8Array): Promise<DecodedImage> {
  const tag = String.fromCharCode(...bytes.subarray(8, 12));
  if (tag !== 'RAWI' || bytes.length < 14) throw new Error('not a test image');
  const width = bytes[12];
  const height = bytes[13];
  const rgba = bytes.subarray(14);
  if (rgba.length !== width * height * 4) throw new Error('truncated test image');
  return { width, height, rgba };
}

/** A PNG signature followed by garbage: named and sniffed as PNG, but undecodable. */
export function brokenPng(): Uint8Array {
  return Uint8Array.from([...PNG_SIGNATURE, 1, 2, 3, 4, 5]);
}

/** Runs a loader expected to refuse its input and returns the DatasetError. */
export async function refusal(load: () => Promise<unknown> | unknown): Promise<DatasetError> {
  try {
    await load();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error('expected the loader to refuse its input');
}
