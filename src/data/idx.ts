/**
 * Reader for the IDX format MNIST ships in (http://yann.lecun.com/exdb/mnist/).
 *
 * Layout, all integers big-endian 32-bit:
 *   images: magic 2051 | count | rows | cols | count*rows*cols pixel bytes (0..255)
 *   labels: magic 2049 | count | count label bytes
 *
 * Every check that can fail throws an IdxError naming the file and the problem, and
 * nothing is returned until every check has passed: a damaged file can never yield a
 * partial data set.
 */
import { DatasetError } from './dataset-error';

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

/** A damaged IDX file; a DatasetError, so the dataset loaders pass it on as it is. */
export class IdxError extends DatasetError {
  constructor(file: string, problem: string) {
    super(file, problem);
    this.name = 'IdxError';
  }
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count*rows*cols bytes, image i at offset i*rows*cols, row-major. */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

/** Checks the magic number (first, since it says what the file is) and the header length. */
function readHeader(bytes: Uint8Array, file: string, headerBytes: number, expectedMagic: number): DataView {
  const kind = expectedMagic === IDX_IMAGES_MAGIC ? 'images' : 'labels';
  if (bytes.length === 0) throw new IdxError(file, `the ${kind} file is empty`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 4) checkMagic(view, file, expectedMagic);
  if (bytes.length < headerBytes) {
    throw new IdxError(
      file,
      `the ${kind} file is truncated: ${bytes.length} bytes, shorter than its ${headerBytes}-byte header`,
    );
  }
  return view;
}

function checkMagic(view: DataView, file: string, expected: number): void {
  const magic = view.getUint32(0, false);
  if (magic === expected) return;
  const hint =
    magic === IDX_IMAGES_MAGIC
      ? ' (that is an images file)'
      : magic === IDX_LABELS_MAGIC
        ? ' (that is a labels file)'
        : ' (not an IDX file, or a compressed one)';
  const wanted = expected === IDX_IMAGES_MAGIC ? 'images' : 'labels';
  throw new IdxError(file, `magic number ${magic}${hint}, expected ${expected} for IDX ${wanted}`);
}

function checkLength(bytes: Uint8Array, file: string, expected: number, what: string): void {
  if (bytes.length === expected) return;
  const problem =
    bytes.length < expected
      ? `truncated: the header announces ${what} (${expected} bytes) but the file has ${bytes.length}`
      : `${bytes.length - expected} unexpected trailing bytes after ${what} (${expected} bytes expected, ${bytes.length} found)`;
  throw new IdxError(file, problem);
}

/** Parses an IDX images file. The returned pixels are a view into `bytes` (no copy). */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const view = readHeader(bytes, file, IMAGES_HEADER_BYTES, IDX_IMAGES_MAGIC);
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (count === 0) throw new IdxError(file, 'the header announces 0 images');
  if (rows === 0 || cols === 0) throw new IdxError(file, `images of ${rows}x${cols} pixels are empty`);
  const expected = IMAGES_HEADER_BYTES + count * rows * cols;
  checkLength(bytes, file, expected, `${count} images of ${rows}x${cols}`);
  return { count, rows, cols, pixels: bytes.subarray(IMAGES_HEADER_BYTES, expected) };
}

/**
 * Parses an IDX labels file. `numClasses` bounds the values: a label outside 0..numClasses-1
 * is corruption, and training on it would silently teach garbage.
 */
export function parseIdxLabels(bytes: Uint8Array, file: string, numClasses = 10): IdxLabels {
  const view = readHeader(bytes, file, LABELS_HEADER_BYTES, IDX_LABELS_MAGIC);
  const count = view.getUint32(4, false);
  if (count === 0) throw new IdxError(file, 'the header announces 0 labels');
  const expected = LABELS_HEADER_BYTES + count;
  checkLength(bytes, file, expected, `${count} labels`);
  const labels = bytes.subarray(LABELS_HEADER_BYTES, expected);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= numClasses) {
      throw new IdxError(file, `label ${i} is ${labels[i]}, outside 0..${numClasses - 1}`);
    }
  }
  return { count, labels };
}

/** Encodes images as an IDX file (used to build browser chunks and test fixtures). */
export function encodeIdxImages(pixels: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  if (pixels.length !== count * rows * cols) {
    throw new Error(`encodeIdxImages: ${pixels.length} pixels do not make ${count} images of ${rows}x${cols}`);
  }
  const out = new Uint8Array(IMAGES_HEADER_BYTES + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_IMAGES_MAGIC, false);
  view.setUint32(4, count, false);
  view.setUint32(8, rows, false);
  view.setUint32(12, cols, false);
  out.set(pixels, IMAGES_HEADER_BYTES);
  return out;
}

/** Encodes labels as an IDX file. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(LABELS_HEADER_BYTES + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_LABELS_MAGIC, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, LABELS_HEADER_BYTES);
  return out;
}

/** Byte length of an IDX labels file holding `count` labels. */
export function idxLabelsByteLength(count: number): number {
  return LABELS_HEADER_BYTES + count;
}
