/**
 * Picked files to a Dataset, whatever they are: zips are opened (fflate), the format is
 * told from the names (CIFAR-10 batches, MNIST-format IDX files, or images in class
 * folders) unless the person chose one, and the matching loader reads them. Pure: the
 * image decoder is injected (the browser's in the dataset worker, a test's own in Node).
 */
import { unzipSync } from 'fflate';
import { DatasetError, DEFAULT_DATASET_CAPS, type Channels, type Dataset, type DatasetCaps, type DatasetFormat } from './dataset';
import { datasetFromCifar10 } from './cifar10';
import { datasetFromIdx, idxRoleOf } from './idx-dataset';
import { datasetFromImageFolder, type ImageDecoder, type SkipReason, type SkippedFile } from './image-folder';
import { baseName, checkClassNames, InputBudget, type NamedBytes } from './local-files';

export const CIFAR10_BATCH_NAME = /^(data_batch_[1-5]|test_batch)\.bin(\.gz)?$/i;
export const IMAGE_FILE = /\.(png|jpe?g|webp|gif|bmp)$/i;
const ZIP_FILE = /\.zip$/i;

/** Whether a name is one of the four IDX data files (not a class-names file). */
export function isIdxDataFile(name: string): boolean {
  const role = idxRoleOf(name);
  return role !== null && role !== 'classNames';
}

/** The format the names say, or null when none fits. Images must sit in a folder (their class). */
export function formatOfNames(names: readonly string[]): DatasetFormat | null {
  if (names.some((name) => CIFAR10_BATCH_NAME.test(baseName(name)))) return 'cifar10';
  if (names.some(isIdxDataFile)) return 'idx';
  if (names.some((name) => IMAGE_FILE.test(name) && /[\\/]/.test(name))) return 'images';
  return null;
}

/**
 * The files with every .zip replaced by the files inside it (paths kept, folders and
 * macOS's __MACOSX copies left out). The sizes the zip declares count against the input cap
 * before anything is inflated.
 */
export function expandZips(files: readonly NamedBytes[], caps: DatasetCaps = DEFAULT_DATASET_CAPS): NamedBytes[] {
  const out: NamedBytes[] = [];
  for (const file of files) {
    if (!ZIP_FILE.test(file.name)) {
      out.push(file);
      continue;
    }
    const budget = new InputBudget(caps.maxInputBytes);
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(file.bytes, {
        filter: (entry) => {
          if (entry.name.endsWith('/') || /(^|\/)__MACOSX\//.test(entry.name)) return false;
          budget.take(`${file.name}: ${entry.name}`, entry.originalSize);
          return true;
        },
      });
    } catch (error) {
      if (error instanceof DatasetError) throw error;
      throw new DatasetError(file.name, 'is not a zip archive this page can open (damaged, encrypted or another format)');
    }
    for (const [path, bytes] of Object.entries(entries)) out.push({ name: path, bytes });
  }
  return out;
}

/** Class names typed by a person: one a line or separated by commas. */
export function classNamesFromText(text: string): string[] {
  const names = text.split(/[\n,]/).map((name) => name.trim()).filter((name) => name !== '');
  return checkClassNames(names, 'the class names field');
}

export interface LocalDatasetOptions {
  /** 'auto' (or absent): told from the names. */
  format?: DatasetFormat | 'auto';
  name?: string;
  /** Class names typed by the person (IDX only; they win over a class-names file). */
  classNamesText?: string;
  /** Images: the side every image is resized to, and gray or colour. */
  imageSide?: number;
  channels?: Channels;
  seed?: number;
  decode?: ImageDecoder;
  caps?: DatasetCaps;
  /** Images: after each file is decoded or skipped. */
  onProgress?: (done: number, total: number) => void;
}

export interface LocalDatasetResult {
  dataset: Dataset;
  /** Files left out of an image folder, with why (empty for the other formats). */
  skipped: SkippedFile[];
  skippedCounts: Partial<Record<SkipReason, number>>;
}

/** Reads picked files (zips opened) into a checked, fingerprinted Dataset; throws a DatasetError naming the file. */
export async function loadLocalDataset(files: readonly NamedBytes[], options: LocalDatasetOptions = {}): Promise<LocalDatasetResult> {
  const caps = options.caps ?? DEFAULT_DATASET_CAPS;
  if (files.length === 0) throw new DatasetError('the picked files', 'are none; pick the dataset\'s files, a folder or a .zip');
  const expanded = expandZips(files, caps);
  const format = options.format && options.format !== 'auto' ? options.format : formatOfNames(expanded.map((file) => file.name));
  const name = options.name?.trim() || undefined;
  const nothingSkipped = { skipped: [], skippedCounts: {} };
  switch (format) {
    case 'idx': {
      const classNames = options.classNamesText?.trim() ? classNamesFromText(options.classNamesText) : undefined;
      return { dataset: await datasetFromIdx(expanded, { name, classNames, caps }), ...nothingSkipped };
    }
    case 'cifar10':
      return { dataset: await datasetFromCifar10(expanded, { name, caps }), ...nothingSkipped };
    case 'images': {
      if (!options.decode) throw new Error('loading images needs an image decoder');
      const side = options.imageSide ?? 28;
      return datasetFromImageFolder(expanded, {
        name,
        decode: options.decode,
        size: { width: side, height: side },
        channels: options.channels ?? 1,
        seed: options.seed,
        caps,
        onProgress: options.onProgress,
      });
    }
    default:
      throw new DatasetError(
        files.length === 1 ? files[0].name : `the ${files.length} picked files`,
        'are neither MNIST-format IDX files (train-images-idx3-ubyte.gz, ...) nor CIFAR-10 batches (data_batch_1.bin, ...) ' +
          'nor images in one folder per class; rename them so, or choose the format',
      );
  }
}
