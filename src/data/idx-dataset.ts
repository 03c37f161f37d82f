/**
 * A dataset in MNIST's format (Fashion-MNIST, KMNIST, EMNIST and the like): the four IDX
 * files, each raw or gzip-compressed (told apart by the bytes, not the name), and
 * optionally a class-names file (JSON array or one name a line). Grayscale, any size,
 * as long as the training and test images agree.
 *
 * Pure: bytes in, a checked Dataset or a DatasetError out; runs in Node and the browser.
 */
import { DatasetError, DEFAULT_DATASET_CAPS, augmentationFor, type Dataset, type DatasetCaps } from './dataset';
import { parseIdxImages, parseIdxLabels, type IdxImages, type IdxLabels } from './idx';
import {
  baseName,
  checkClassNames,
  finishLocalDataset,
  gunzipIfCompressed,
  InputBudget,
  parseClassNames,
  type NamedBytes,
} from './local-files';
import { DEFAULT_VALIDATION_FRACTION } from './splits';

export interface IdxFiles {
  trainImages: NamedBytes;
  trainLabels: NamedBytes;
  testImages: NamedBytes;
  testLabels: NamedBytes;
  /** Optional: a JSON array of names or one name a line. */
  classNames?: NamedBytes;
}

type IdxRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels' | 'classNames';

const ROLE_WORDS: Record<Exclude<IdxRole, 'classNames'>, string> = {
  trainImages: 'training images (e.g. train-images-idx3-ubyte.gz)',
  trainLabels: 'training labels (e.g. train-labels-idx1-ubyte.gz)',
  testImages: 'test images (e.g. t10k-images-idx3-ubyte.gz)',
  testLabels: 'test labels (e.g. t10k-labels-idx1-ubyte.gz)',
};

/** What a file's name says it is, or null for a file that is none of the dataset's files. */
export function idxRoleOf(name: string): IdxRole | null {
  const base = baseName(name).toLowerCase();
  if (/\.(txt|json)$/.test(base)) return /class|label|name|meta/.test(base) ? 'classNames' : null;
  const test = /t10k|test/.test(base);
  const train = !test && /train/.test(base);
  const images = /image|img|idx3/.test(base);
  const labels = !images && /label|lbl|idx1/.test(base);
  if (!(test || train) || !(images || labels)) return null;
  return `${train ? 'train' : 'test'}${images ? 'Images' : 'Labels'}`;
}

/**
 * Sorts picked files into the four IDX roles (and the class-names file) by their names.
 * Files no role fits are returned as `ignored`; a missing or doubled role is refused.
 */
export function identifyIdxFiles(files: readonly NamedBytes[]): { files: IdxFiles; ignored: string[] } {
  const found: Partial<Record<IdxRole, NamedBytes>> = {};
  const ignored: string[] = [];
  for (const file of files) {
    const role = idxRoleOf(file.name);
    if (role === null) {
      ignored.push(file.name);
      continue;
    }
    const earlier = found[role];
    if (earlier) {
      const what = role === 'classNames' ? 'class names' : ROLE_WORDS[role].replace(/ \(.*\)$/, '');
      throw new DatasetError(file.name, `and ${earlier.name} both look like the ${what}; pick only one`);
    }
    found[role] = file;
  }
  const { trainImages, trainLabels, testImages, testLabels, classNames } = found;
  if (!trainImages || !trainLabels || !testImages || !testLabels) {
    const missing = (Object.keys(ROLE_WORDS) as Array<keyof typeof ROLE_WORDS>).filter((role) => !found[role]);
    throw new DatasetError(
      'the MNIST-format files',
      `lack the ${missing.map((role) => ROLE_WORDS[role]).join(', ')}; an MNIST-format dataset is four IDX files`,
    );
  }
  return { files: { trainImages, trainLabels, testImages, testLabels, classNames }, ignored };
}

export interface IdxDatasetOptions {
  /** Shown to people; defaults to "MNIST-format dataset". */
  name?: string;
  /** Class names typed by the person; they win over a class-names file. */
  classNames?: readonly string[];
  caps?: DatasetCaps;
}

function pairOf(images: IdxImages, labels: IdxLabels, imagesFile: string, labelsFile: string): void {
  if (images.count !== labels.count) {
    throw new DatasetError(
      imagesFile,
      `holds ${images.count} images but ${labelsFile} holds ${labels.count} labels; the files do not belong together`,
    );
  }
}

/** Reads, checks and fingerprints an MNIST-format dataset. */
export async function datasetFromIdx(
  input: IdxFiles | readonly NamedBytes[],
  options: IdxDatasetOptions = {},
): Promise<Dataset> {
  const files = Array.isArray(input) ? identifyIdxFiles(input as readonly NamedBytes[]).files : (input as IdxFiles);
  const caps = options.caps ?? DEFAULT_DATASET_CAPS;
  const budget = new InputBudget(caps.maxInputBytes);
  const open = (file: NamedBytes): Uint8Array => {
    const bytes = gunzipIfCompressed(file, caps.maxInputBytes);
    budget.take(file.name, bytes.length);
    return bytes;
  };
  const { trainImages, trainLabels, testImages, testLabels } = files;
  const train = parseIdxImages(open(trainImages), trainImages.name);
  const test = parseIdxImages(open(testImages), testImages.name);
  if (train.count + test.count > caps.maxImages) {
    throw new DatasetError(
      trainImages.name,
      `with ${testImages.name} holds ${train.count + test.count} images, more than the ${caps.maxImages} a dataset may have`,
    );
  }
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DatasetError(
      testImages.name,
      `holds ${test.cols}x${test.rows} images but ${trainImages.name} holds ${train.cols}x${train.rows}; both sets need one size`,
    );
  }

  let classNames: string[] | null = null;
  if (options.classNames) classNames = checkClassNames(options.classNames, 'the class names');
  else if (files.classNames) classNames = parseClassNames(files.classNames);
  // Without names, any byte is a label for now; the class count then follows the labels.
  const bound = classNames?.length ?? 256;
  const trainY = parseIdxLabels(open(trainLabels), trainLabels.name, bound);
  const testY = parseIdxLabels(open(testLabels), testLabels.name, bound);
  pairOf(train, trainY, trainImages.name, trainLabels.name);
  pairOf(test, testY, testImages.name, testLabels.name);
  if (!classNames) classNames = numberedClasses(trainY.labels, testY.labels, trainLabels.name);

  const width = train.cols;
  const height = train.rows;
  return finishLocalDataset(
    {
      name: options.name ?? 'MNIST-format dataset',
      classNames,
      width,
      height,
      channels: 1,
      train: { count: train.count, images: train.pixels, labels: trainY.labels },
      test: { count: test.count, images: test.pixels, labels: testY.labels },
      validationFraction: DEFAULT_VALIDATION_FRACTION,
      augmentation: augmentationFor(width, height, 1),
    },
    'idx',
    caps,
  );
}

/** Names "0".."n-1" for labels 0..n-1, n being one more than the largest label seen. */
function numberedClasses(trainLabels: Uint8Array, testLabels: Uint8Array, labelsFile: string): string[] {
  let largest = 0;
  for (const labels of [trainLabels, testLabels]) for (const label of labels) if (label > largest) largest = label;
  if (largest === 0) {
    throw new DatasetError(labelsFile, 'every label is 0: a single class, and a classifier needs at least two');
  }
  return Array.from({ length: largest + 1 }, (_, i) => String(i));
}
