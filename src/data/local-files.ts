/**
 * What every local-file loader shares: the file type they take (a name and its bytes),
 * gzip decompression detected from the bytes, the input-size cap, class-name files, and
 * the last step that checks and fingerprints a loaded dataset.
 */
import { Gunzip } from 'fflate';
import {
  checkDataset,
  datasetFingerprint,
  DatasetError,
  DEFAULT_DATASET_CAPS,
  formatBytes,
  type Dataset,
  type DatasetCaps,
  type DatasetFormat,
} from './dataset';

/** A file as a loader sees it: its name (or its path inside a folder or zip) and its bytes. */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/** gzip's first two bytes (RFC 1952). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A tar archive has "ustar" at byte 257 of its first header. */
function isTar(bytes: Uint8Array): boolean {
  if (bytes.length < 262) return false;
  return String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar';
}

/**
 * Compressed bytes fed to the decompressor per step: one step can then produce at most
 * about 1032 times as much (deflate's best ratio, so 66 MB), and a small file that expands
 * past the cap is stopped within one step of it, not after filling the memory. Smaller
 * steps cost time: fflate's stream restarts its bookkeeping on every push.
 */
const GUNZIP_STEP_BYTES = 64 * 1024;

/**
 * The file's bytes, decompressed when they start with gzip's magic bytes (whatever the
 * file is called). Throws a DatasetError when the data is damaged or expands past `maxBytes`.
 */
export function gunzipIfCompressed(file: NamedBytes, maxBytes = DEFAULT_DATASET_CAPS.maxInputBytes): Uint8Array {
  const { name, bytes } = file;
  if (!isGzip(bytes)) return bytes;
  const pieces: Uint8Array[] = [];
  let total = 0;
  let overCap = false;
  const gunzip = new Gunzip((piece) => {
    total += piece.length;
    if (total > maxBytes) overCap = true;
    else pieces.push(piece);
  });
  try {
    for (let at = 0; at < bytes.length && !overCap; at += GUNZIP_STEP_BYTES) {
      const end = Math.min(bytes.length, at + GUNZIP_STEP_BYTES);
      gunzip.push(bytes.subarray(at, end), end === bytes.length);
    }
  } catch {
    throw new DatasetError(name, 'is gzip-compressed but damaged or truncated; download it again');
  }
  if (overCap) {
    throw new DatasetError(name, `decompresses to more than ${formatBytes(maxBytes)}, past the limit for loaded data`);
  }
  const out = joinPieces(pieces, total);
  if (isTar(out)) {
    throw new DatasetError(name, 'is a tar archive; extract it and pick the files inside');
  }
  return out;
}

/** Decompressed pieces as one array (the piece itself when there is one). */
export function joinPieces<Buffer extends ArrayBufferLike>(pieces: readonly Uint8Array<Buffer>[], total: number): Uint8Array<Buffer | ArrayBuffer> {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

/**
 * Counts input bytes against the cap as files are read, so the message names the file
 * that crossed it.
 */
export class InputBudget {
  private used = 0;
  constructor(private readonly maxBytes: number) {}

  take(file: string, bytes: number): void {
    this.used += bytes;
    if (this.used > this.maxBytes) {
      throw new DatasetError(
        file,
        `brings the input to ${formatBytes(this.used)}, past the ${formatBytes(this.maxBytes)} a dataset may load`,
      );
    }
  }
}

const MAX_CLASS_NAME_CHARS = 60;
/** Class-name files are a few hundred bytes; anything far larger is some other file. */
const MAX_CLASS_NAMES_FILE_BYTES = 64 * 1024;

/**
 * Class names from a small file: a JSON array of strings, or plain text with one name a
 * line (blank lines ignored, as CIFAR-10's batches.meta.txt ends with some).
 */
export function parseClassNames(file: NamedBytes): string[] {
  const { name, bytes } = file;
  if (bytes.length > MAX_CLASS_NAMES_FILE_BYTES) {
    throw new DatasetError(name, `is ${bytes.length} bytes, too large for a list of class names`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(name, 'is not UTF-8 text, so not a list of class names');
  }
  const trimmed = text.trim();
  let names: string[];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new DatasetError(name, 'starts like a JSON array but is not valid JSON');
    }
    if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'string')) {
      throw new DatasetError(name, 'must be a JSON array of strings, one class name each');
    }
    names = parsed.map((entry: string) => entry.trim());
  } else {
    names = trimmed.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  }
  return checkClassNames(names, name);
}

/** Class names must be non-empty, short, distinct, and at least two of them. */
export function checkClassNames(names: readonly string[], where: string): string[] {
  if (names.length < 2) {
    throw new DatasetError(where, `lists ${names.length} class name${names.length === 1 ? '' : 's'}; a classifier needs at least two`);
  }
  if (names.length > 256) throw new DatasetError(where, `lists ${names.length} class names; at most 256 are possible`);
  const seen = new Set<string>();
  names.forEach((className, i) => {
    if (className === '') throw new DatasetError(where, `class name ${i + 1} is empty`);
    if (className.length > MAX_CLASS_NAME_CHARS) {
      throw new DatasetError(where, `class name ${i + 1} is longer than ${MAX_CLASS_NAME_CHARS} characters`);
    }
    if (seen.has(className)) throw new DatasetError(where, `class name ${i + 1} repeats an earlier one`);
    seen.add(className);
  });
  return [...names];
}

/** The last step of every loader: the consistency checks, then the content fingerprint. */
export async function finishLocalDataset(
  content: Omit<Dataset, 'source'>,
  format: DatasetFormat,
  caps: DatasetCaps,
): Promise<Dataset> {
  const unchecked: Dataset = { ...content, source: { kind: 'local', format, fingerprint: '' } };
  checkDataset(unchecked, caps);
  return { ...content, source: { kind: 'local', format, fingerprint: await datasetFingerprint(content) } };
}

/** The last part of a path: 'a/b/train.gz' -> 'train.gz'. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}
