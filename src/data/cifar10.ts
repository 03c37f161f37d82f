/**
 * CIFAR-10 in its binary version (https://www.cs.toronto.edu/~kriz/cifar.html): five
 * training batches data_batch_1.bin .. data_batch_5.bin, one test_batch.bin, and
 * batches.meta.txt with the class names. Each record is 1 label byte and 3072 pixel
 * bytes: the 1024 red values, then the green, then the blue, each plane 32x32 row-major.
 * Records are converted to the Dataset's interleaved layout (R, G, B per pixel).
 *
 * Any subset of the training batches may be given (at least one); the test batch is
 * required. Files may be gzip-compressed individually; a .tar.gz must be extracted first.
 * Pure: bytes in, a checked Dataset or a DatasetError out.
 */
import { CIFAR10_AUGMENTATION, DatasetError, DEFAULT_DATASET_CAPS, type Dataset, type DatasetCaps, type ImageSet } from './dataset';
import { baseName, finishLocalDataset, gunzipIfCompressed, InputBudget, parseClassNames, type NamedBytes } from './local-files';
import { DEFAULT_VALIDATION_FRACTION } from './splits';

export const CIFAR10_SIDE = 32;
const PLANE = CIFAR10_SIDE * CIFAR10_SIDE;
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;
/** Records in each batch file of the official distribution. */
export const CIFAR10_BATCH_RECORDS = 10_000;
export const CIFAR10_CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

const TRAIN_BATCH = /^data_batch_([1-5])\.bin(\.gz)?$/;
const TEST_BATCH = /^test_batch\.bin(\.gz)?$/;
const META = /^batches\.meta\.txt$/;

interface CifarFiles {
  train: NamedBytes[];
  test: NamedBytes;
  meta: NamedBytes | null;
  ignored: string[];
}

/** Sorts picked files by name; training batches in batch order so the result does not depend on pick order. */
export function identifyCifar10Files(files: readonly NamedBytes[]): CifarFiles {
  const train: Array<{ index: number; file: NamedBytes }> = [];
  let test: NamedBytes | null = null;
  let meta: NamedBytes | null = null;
  const ignored: string[] = [];
  for (const file of files) {
    const base = baseName(file.name).toLowerCase();
    const trainMatch = TRAIN_BATCH.exec(base);
    if (trainMatch) {
      const index = Number(trainMatch[1]);
      const twin = train.find((entry) => entry.index === index);
      if (twin) throw new DatasetError(file.name, `and ${twin.file.name} are both training batch ${index}; pick one`);
      train.push({ index, file });
    } else if (TEST_BATCH.test(base)) {
      if (test) throw new DatasetError(file.name, `and ${test.name} are both the test batch; pick one`);
      test = file;
    } else if (META.test(base)) {
      meta = file;
    } else {
      ignored.push(file.name);
    }
  }
  if (train.length === 0) {
    throw new DatasetError('the CIFAR-10 files', 'include no training batch (data_batch_1.bin .. data_batch_5.bin)');
  }
  if (!test) throw new DatasetError('the CIFAR-10 files', 'include no test batch (test_batch.bin)');
  train.sort((a, b) => a.index - b.index);
  return { train: train.map((entry) => entry.file), test, meta, ignored };
}

/** Checks one batch file's size; returns its record count. */
function recordCount(bytes: Uint8Array, file: string): number {
  if (bytes.length === 0) throw new DatasetError(file, 'is empty');
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetError(
      file,
      `is ${bytes.length} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records ` +
        `(a batch is ${CIFAR10_BATCH_RECORDS * CIFAR10_RECORD_BYTES} bytes; is it the binary version, not the Python or MATLAB one?)`,
    );
  }
  return bytes.length / CIFAR10_RECORD_BYTES;
}

/**
 * Decodes batch files into one set: labels checked against the class count, planes
 * interleaved into R, G, B per pixel.
 */
export function decodeCifar10Batches(batches: ReadonlyArray<NamedBytes>, classCount: number): ImageSet {
  const counts = batches.map((batch) => recordCount(batch.bytes, batch.name));
  const count = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  let image = 0;
  batches.forEach((batch, b) => {
    const bytes = batch.bytes;
    for (let r = 0; r < counts[b]; r++, image++) {
      const record = r * CIFAR10_RECORD_BYTES;
      const label = bytes[record];
      if (label >= classCount) {
        throw new DatasetError(batch.name, `record ${r} has label ${label}, outside 0..${classCount - 1}`);
      }
      labels[image] = label;
      const out = image * 3 * PLANE;
      for (let p = 0; p < PLANE; p++) {
        images[out + 3 * p] = bytes[record + 1 + p];
        images[out + 3 * p + 1] = bytes[record + 1 + PLANE + p];
        images[out + 3 * p + 2] = bytes[record + 1 + 2 * PLANE + p];
      }
    }
  });
  return { count, images, labels };
}

export interface Cifar10Options {
  name?: string;
  caps?: DatasetCaps;
}

/** Reads, checks and fingerprints CIFAR-10 binary batches. */
export async function datasetFromCifar10(files: readonly NamedBytes[], options: Cifar10Options = {}): Promise<Dataset> {
  const caps = options.caps ?? DEFAULT_DATASET_CAPS;
  const found = identifyCifar10Files(files);
  const classNames = found.meta ? parseClassNames(found.meta) : [...CIFAR10_CLASS_NAMES];
  const budget = new InputBudget(caps.maxInputBytes);
  const open = (file: NamedBytes): NamedBytes => {
    const bytes = gunzipIfCompressed(file, caps.maxInputBytes);
    budget.take(file.name, bytes.length);
    return { name: file.name, bytes };
  };
  const trainFiles = found.train.map(open);
  const testFile = open(found.test);
  // Sizes are checked before the conversion allocates anything.
  const total = [...trainFiles, testFile].reduce((sum, file) => sum + recordCount(file.bytes, file.name), 0);
  if (total > caps.maxImages) {
    throw new DatasetError(testFile.name, `with the training batches holds ${total} images, more than the ${caps.maxImages} a dataset may have`);
  }
  return finishLocalDataset(
    {
      name: options.name ?? 'CIFAR-10',
      classNames,
      width: CIFAR10_SIDE,
      height: CIFAR10_SIDE,
      channels: 3,
      train: decodeCifar10Batches(trainFiles, classNames.length),
      test: decodeCifar10Batches([testFile], classNames.length),
      validationFraction: DEFAULT_VALIDATION_FRACTION,
      augmentation: CIFAR10_AUGMENTATION,
    },
    'cifar10',
    caps,
  );
}
