/**
 * The format MNIST travels to the browser in: a manifest plus gzip-compressed chunks,
 * built from the package's IDX files by scripts/mnist-chunks.ts and read by
 * browser-loader.ts.
 *
 * A chunk holds `count` consecutive examples of one set as an IDX labels file followed by
 * an IDX images file, so the browser checks it with the same parser as Node does. The
 * manifest lists chunks in delivery order: a small training chunk first, so training can
 * start while the rest streams in; within a set, chunks are consecutive.
 */
import { IdxError } from './idx';
import { mnistSetFromIdx, type MnistSet } from './mnist';

export const MANIFEST_FORMAT = 'mnist-chunks/1';
export const MANIFEST_FILE = 'manifest.json';

export type MnistSetName = 'train' | 'test';

export interface ChunkInfo {
  /** File name relative to the manifest. */
  file: string;
  set: MnistSetName;
  /** Index of the chunk's first example in its set. */
  start: number;
  count: number;
  /** Compressed (gzip) size. */
  bytes: number;
  /** Decompressed size: labelsBytes of IDX labels, then the IDX images. */
  rawBytes: number;
  labelsBytes: number;
  /** Hex SHA-256 of the decompressed bytes. */
  sha256: string;
}

export interface MnistManifest {
  format: typeof MANIFEST_FORMAT;
  sets: Record<MnistSetName, { count: number }>;
  /** What the chunks were built from, to tell when they are stale. */
  source: { package: string; version: string; files: Record<string, number> };
  totalBytes: number;
  chunks: ChunkInfo[];
}

/** Delivery plan: [set, start, count] in order. The first chunk is small on purpose. */
export function planChunks(trainCount: number, testCount: number): Array<[MnistSetName, number, number]> {
  const plan: Array<[MnistSetName, number, number]> = [];
  const first = Math.min(4000, trainCount);
  plan.push(['train', 0, first]);
  const firstTest = Math.min(2000, testCount);
  if (firstTest > 0) plan.push(['test', 0, firstTest]);
  for (let s = first; s < trainCount; s += 8000) plan.push(['train', s, Math.min(8000, trainCount - s)]);
  for (let s = firstTest; s < testCount; s += 8000) plan.push(['test', s, Math.min(8000, testCount - s)]);
  return plan;
}

/** Checks a manifest's structure; throws a sentence naming the first problem. */
export function checkManifest(value: unknown): MnistManifest {
  const fail = (problem: string): never => {
    throw new Error(`MNIST manifest: ${problem}`);
  };
  if (typeof value !== 'object' || value === null) fail('not a JSON object');
  const m = value as Partial<MnistManifest>;
  if (m.format !== MANIFEST_FORMAT) fail(`format ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT}`);
  if (!Array.isArray(m.chunks) || m.chunks.length === 0) fail('no chunks listed');
  const sets = m.sets;
  if (!sets || !isCount(sets.train?.count) || !isCount(sets.test?.count)) fail('set sizes missing');
  const next: Record<MnistSetName, number> = { train: 0, test: 0 };
  let totalBytes = 0;
  m.chunks!.forEach((c, i) => {
    const where = `chunk ${i}`;
    if (typeof c !== 'object' || c === null) fail(`${where} is not an object`);
    if (typeof c.file !== 'string' || !/^[\w.-]+$/.test(c.file)) fail(`${where} has a bad file name`);
    if (c.set !== 'train' && c.set !== 'test') fail(`${where} (${c.file}) has unknown set ${String(c.set)}`);
    for (const key of ['start', 'count', 'bytes', 'rawBytes', 'labelsBytes'] as const) {
      if (!isCount(c[key])) fail(`${where} (${c.file}) has a bad ${key}`);
    }
    if (c.start !== next[c.set]) fail(`${where} (${c.file}) starts at ${c.start}, expected ${next[c.set]}`);
    if (typeof c.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(c.sha256)) fail(`${where} (${c.file}) has a bad sha256`);
    next[c.set] += c.count;
    totalBytes += c.bytes;
  });
  if (next.train !== sets!.train.count || next.test !== sets!.test.count) {
    fail(`chunks hold ${next.train} train and ${next.test} test examples, the manifest announces ${sets!.train.count} and ${sets!.test.count}`);
  }
  if (m.totalBytes !== totalBytes) fail(`totalBytes ${m.totalBytes} does not match the chunks' ${totalBytes}`);
  return m as MnistManifest;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Checks a decompressed chunk against its manifest entry and parses it. Throws an IdxError
 * naming the chunk file and the problem.
 */
export function decodeChunk(raw: Uint8Array, chunk: ChunkInfo): MnistSet {
  if (raw.length !== chunk.rawBytes) {
    throw new IdxError(chunk.file, `decompressed to ${raw.length} bytes, the manifest says ${chunk.rawBytes}`);
  }
  const set = mnistSetFromIdx(
    raw.subarray(chunk.labelsBytes),
    `${chunk.file} (images)`,
    raw.subarray(0, chunk.labelsBytes),
    `${chunk.file} (labels)`,
  );
  if (set.count !== chunk.count) {
    throw new IdxError(chunk.file, `holds ${set.count} examples, the manifest says ${chunk.count}`);
  }
  return set;
}

/** Lowercase hex of a digest. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}
