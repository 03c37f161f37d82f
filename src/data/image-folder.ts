/**
 * A dataset from a person's own labelled images: a folder (or a zip) with one sub-folder
 * per class, as Teachable Machine takes them:
 *
 *   [root/] cat/1.png, cat/2.jpg, dog/a.webp, ...    training images, one folder per class
 *   [root/] test/cat/9.png, test/dog/b.png            optional test set, same class folders
 *   [root/] train/cat/1.png                           "train/" may wrap the training folders
 *
 * A single folder wrapping everything (as zips often have) is looked through. Without a
 * test/ folder, a seeded fraction of each class (15% by default) is held out as the test
 * set. Images are decoded by an injected `decode` (the browser's createImageBitmap in a
 * worker; tests use their own), converted to gray or colour and resized to the chosen
 * size. Files that cannot be used are skipped and counted by reason; problems with the
 * dataset as a whole (an empty class, a single class, mixed sizes when keeping the
 * images' size, sizes past the caps) refuse it with a DatasetError.
 */
import { Rng } from '../engine/rng';
import {
  augmentationFor,
  DatasetError,
  DEFAULT_DATASET_CAPS,
  formatBytes,
  type Channels,
  type Dataset,
  type DatasetCaps,
  type ImageSet,
} from './dataset';
import { finishLocalDataset, InputBudget, type NamedBytes } from './local-files';
import { resizeImage, rgbaToChannels } from './resize';
import { deriveSeed } from './seeds';
import { DEFAULT_VALIDATION_FRACTION } from './splits';

export interface DecodedImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA, row-major. */
  rgba: Uint8Array | Uint8ClampedArray;
}

/** Decodes one image file; rejects (with anything) when the bytes are not a decodable image. */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<DecodedImage>;

export type SkipReason =
  | 'hidden or system file'
  | 'not an image file'
  | 'not in a class folder'
  | 'not the image its name says'
  | 'could not be decoded'
  | 'too large to decode';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
}

export interface ImageFolderOptions {
  /** Shown to people; defaults to "My images". */
  name?: string;
  decode: ImageDecoder;
  /** Every image is resized to this; 'as-is' keeps the images' own size, which must then be one for all. */
  size: { width: number; height: number } | 'as-is';
  channels: Channels;
  /** Seeds the held-out test images when there is no test/ folder. */
  seed?: number;
  /** Share of each class held out as the test set when there is no test/ folder. */
  testFraction?: number;
  caps?: DatasetCaps;
  /** Called after each image is decoded (or skipped). */
  onProgress?: (done: number, total: number) => void;
}

export interface ImageFolderResult {
  dataset: Dataset;
  skipped: SkippedFile[];
  /** How many files were skipped for each reason. */
  skippedCounts: Partial<Record<SkipReason, number>>;
}

export const DEFAULT_TEST_FRACTION = 0.15;
/** A decoded image above this many pixels is skipped rather than converted (a 64-megapixel photo is 256 MB as RGBA). */
export const MAX_DECODED_PIXELS = 64 * 1024 * 1024;
const IMAGE_EXTENSION = /\.(png|jpe?g|webp|gif|bmp)$/i;

/** True when the bytes start like one of the formats browsers decode. */
export function looksLikeImage(bytes: Uint8Array): boolean {
  const starts = (...signature: number[]): boolean => signature.every((b, i) => bytes[i] === b);
  const ascii = (at: number, text: string): boolean => [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));
  return (
    starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) ||
    starts(0xff, 0xd8, 0xff) ||
    (ascii(0, 'RIFF') && ascii(8, 'WEBP')) ||
    ascii(0, 'GIF8') ||
    ascii(0, 'BM')
  );
}

interface Candidate {
  path: string;
  bytes: Uint8Array;
  className: string;
  isTest: boolean;
}

/** Path segments without empty ones and "."; backslashes count as separators. */
function segmentsOf(path: string): string[] {
  return path.split(/[\\/]/).filter((part) => part !== '' && part !== '.');
}

const isHidden = (segment: string): boolean => segment.startsWith('.') || segment === '__MACOSX' || segment === 'Thumbs.db';
const isSplitFolder = (segment: string): boolean => /^(train|test)$/i.test(segment);

/**
 * Sorts files into classes and sets by their paths. Folder entries (paths ending in "/",
 * as zips list them) make a class exist even when it holds no file, so an empty class
 * folder is reported rather than silently dropped.
 */
function layoutOf(files: readonly NamedBytes[], skip: (path: string, reason: SkipReason) => void) {
  const entries = files
    .map((file) => ({ file, folder: /[\\/]$/.test(file.name), parts: segmentsOf(file.name) }))
    .filter((entry) => entry.parts.length > 0);
  const visible = entries.filter((entry) => {
    if (!entry.parts.some(isHidden)) return true;
    if (!entry.folder) skip(entry.file.name, 'hidden or system file');
    return false;
  });
  // Look through single folders that wrap everything, e.g. "my-photos/cat/1.png" (a
  // README beside the class folders does not count as a class of its own).
  for (;;) {
    const images = visible.filter((entry) => !entry.folder && IMAGE_EXTENSION.test(entry.file.name));
    const root = images[0]?.parts[0];
    const wraps =
      root !== undefined &&
      !isSplitFolder(root) &&
      images.every((entry) => entry.parts.length >= 3) &&
      visible.every((entry) => entry.parts[0] === root && (entry.folder || entry.parts.length >= 2));
    if (!wraps) break;
    for (const entry of visible) entry.parts = entry.parts.slice(1);
  }
  const trainClasses = new Set<string>();
  const testClasses = new Set<string>();
  const candidates: Candidate[] = [];
  for (const { file, folder, parts } of visible) {
    if (parts.length === 0) continue; // the wrapping folder's own entry
    const isTest = parts[0].toLowerCase() === 'test';
    const rest = isSplitFolder(parts[0]) ? parts.slice(1) : parts;
    if (folder) {
      if (rest.length >= 1) (isTest ? testClasses : trainClasses).add(rest[0]);
      continue;
    }
    if (rest.length < 2) skip(file.name, 'not in a class folder');
    else if (!IMAGE_EXTENSION.test(rest[rest.length - 1])) skip(file.name, 'not an image file');
    else if (!looksLikeImage(file.bytes)) skip(file.name, 'not the image its name says');
    else {
      (isTest ? testClasses : trainClasses).add(rest[0]);
      candidates.push({ path: file.name, bytes: file.bytes, className: rest[0], isTest });
    }
  }
  return { trainClasses, testClasses, candidates };
}

function checkSize(options: ImageFolderOptions, caps: DatasetCaps): void {
  if (options.size === 'as-is') return;
  const { width, height } = options.size;
  for (const side of [width, height]) {
    if (!Number.isInteger(side) || side < 1 || side > caps.maxImageSide) {
      throw new DatasetError('the chosen size', `${width}x${height} is not a size of 1..${caps.maxImageSide} pixels a side`);
    }
  }
}

/** Reads a folder of labelled images into a checked, fingerprinted Dataset. */
export async function datasetFromImageFolder(
  files: readonly NamedBytes[],
  options: ImageFolderOptions,
): Promise<ImageFolderResult> {
  const caps = options.caps ?? DEFAULT_DATASET_CAPS;
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DatasetError('the test split', `a held-out fraction of ${testFraction} must be above 0 and below 1`);
  }
  checkSize(options, caps);
  const skipped: SkippedFile[] = [];
  const skip = (path: string, reason: SkipReason): void => void skipped.push({ path, reason });
  const budget = new InputBudget(caps.maxInputBytes);
  for (const file of files) budget.take(file.name, file.bytes.length);

  const { trainClasses, testClasses, candidates } = layoutOf(files, skip);
  const classNames = [...trainClasses].sort();
  if (classNames.length === 0) throw new DatasetError('the folder', 'has no class sub-folders holding images');
  if (classNames.length === 1) {
    throw new DatasetError(`the folder ${classNames[0]}`, 'is the only class; a classifier needs at least two class folders');
  }
  const strayTest = [...testClasses].find((name) => !trainClasses.has(name));
  if (strayTest !== undefined) {
    throw new DatasetError(`test/${strayTest}`, 'has no training folder of the same name; test classes must be training classes');
  }
  if (candidates.length > caps.maxImages) {
    throw new DatasetError('the folder', `holds ${candidates.length} images, more than the ${caps.maxImages} a dataset may have`);
  }
  if (options.size !== 'as-is') {
    const need = candidates.length * options.size.width * options.size.height * options.channels;
    if (need > caps.maxPixelBytes) {
      throw new DatasetError(
        'the folder',
        `${candidates.length} images at ${options.size.width}x${options.size.height} need ${formatBytes(need)}, ` +
          `more than the ${formatBytes(caps.maxPixelBytes)} a dataset may hold; choose a smaller size`,
      );
    }
  }

  const decoded = await decodeAll(candidates, options, caps, skip);
  const classIndex = new Map(classNames.map((name, i) => [name, i]));
  const perClass = classNames.map(() => ({ train: [] as Uint8Array[], test: [] as Uint8Array[] }));
  for (const { candidate, pixels } of decoded) {
    perClass[classIndex.get(candidate.className)!][candidate.isTest ? 'test' : 'train'].push(pixels);
  }
  const emptyClass = perClass.findIndex((entry) => entry.train.length === 0);
  if (emptyClass >= 0) {
    const name = classNames[emptyClass];
    // Every training image of the class that reached the decoder was skipped there.
    const lost = candidates.filter((candidate) => candidate.className === name && !candidate.isTest).length;
    throw new DatasetError(
      `the folder ${name}`,
      `has no usable training images${lost > 0 ? ` (${lost} skipped)` : ''}; every class needs some`,
    );
  }
  const hasTestFolder = candidates.some((candidate) => candidate.isTest);
  if (!hasTestFolder) holdOut(perClass, testFraction, options.seed ?? 1);

  const width = decoded[0].width;
  const height = decoded[0].height;
  const dataset = await finishLocalDataset(
    {
      name: options.name ?? 'My images',
      classNames,
      width,
      height,
      channels: options.channels,
      train: assemble(perClass.map((entry) => entry.train), width * height * options.channels),
      test: assemble(perClass.map((entry) => entry.test), width * height * options.channels),
      validationFraction: DEFAULT_VALIDATION_FRACTION,
      augmentation: augmentationFor(width, height, options.channels),
    },
    'images',
    caps,
  );
  const skippedCounts: Partial<Record<SkipReason, number>> = {};
  for (const { reason } of skipped) skippedCounts[reason] = (skippedCounts[reason] ?? 0) + 1;
  return { dataset, skipped, skippedCounts };
}

interface DecodedCandidate {
  candidate: Candidate;
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Decodes one image at a time (a folder of photos decoded at once would hold them all as RGBA). */
async function decodeAll(
  candidates: readonly Candidate[],
  options: ImageFolderOptions,
  caps: DatasetCaps,
  skip: (path: string, reason: SkipReason) => void,
): Promise<DecodedCandidate[]> {
  const out: DecodedCandidate[] = [];
  let first: { path: string; width: number; height: number } | null = null;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i];
    let image: DecodedImage | null = null;
    try {
      image = await options.decode(candidate.bytes, candidate.path);
    } catch {
      skip(candidate.path, 'could not be decoded');
    }
    if (image) {
      const { width, height, rgba } = image;
      const valid = Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1;
      if (!valid || rgba.length !== width * height * 4) skip(candidate.path, 'could not be decoded');
      else if (width * height > MAX_DECODED_PIXELS) skip(candidate.path, 'too large to decode');
      else {
        if (options.size === 'as-is') {
          if (!first) {
            if (width > caps.maxImageSide || height > caps.maxImageSide) {
              throw new DatasetError(candidate.path, `is ${width}x${height}, larger than ${caps.maxImageSide} a side; choose a size to resize to`);
            }
            first = { path: candidate.path, width, height };
          } else if (width !== first.width || height !== first.height) {
            throw new DatasetError(
              candidate.path,
              `is ${width}x${height} but ${first.path} is ${first.width}x${first.height}; ` +
                'images kept at their own size must all have one size (or choose a size to resize to)',
            );
          }
        }
        const target = options.size === 'as-is' ? { width, height } : options.size;
        const converted = rgbaToChannels(rgba, width * height, options.channels);
        const pixels = resizeImage(converted, width, height, options.channels, target.width, target.height);
        out.push({ candidate, pixels, width: target.width, height: target.height });
      }
    }
    options.onProgress?.(i + 1, candidates.length);
  }
  return out;
}

/** Moves a seeded share of each class's training images to its test images (at least one when a class has two). */
function holdOut(perClass: Array<{ train: Uint8Array[]; test: Uint8Array[] }>, fraction: number, seed: number): void {
  const rng = new Rng(deriveSeed(seed, 'test-holdout'));
  for (const entry of perClass) {
    const n = entry.train.length;
    const held = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    rng.shuffle(order);
    const heldSet = new Set(order.subarray(0, held));
    entry.test = entry.train.filter((_, i) => heldSet.has(i));
    entry.train = entry.train.filter((_, i) => !heldSet.has(i));
  }
  if (perClass.every((entry) => entry.test.length === 0)) {
    throw new DatasetError('the folder', 'has too few images to hold out a test set; add images or a test/ folder');
  }
}

/** One ImageSet from per-class image lists, class by class; labels are the class indices. */
function assemble(perClass: ReadonlyArray<readonly Uint8Array[]>, imageBytes: number): ImageSet {
  const count = perClass.reduce((sum, list) => sum + list.length, 0);
  const images = new Uint8Array(count * imageBytes);
  const labels = new Uint8Array(count);
  let i = 0;
  perClass.forEach((list, label) => {
    for (const pixels of list) {
      images.set(pixels, i * imageBytes);
      labels[i++] = label;
    }
  });
  return { count, images, labels };
}
