/**
 * Fuzzing the IDX reader with damaged MNIST files: rewritten header fields (magic,
 * count, rows, cols), truncation, trailing bytes, flipped bytes, random files, and
 * buffers that start at an odd offset. Every rejection is an IdxError naming the file,
 * within the time bound; an accepted file is returned as views into the input bytes
 * (nothing allocated, whatever the header claims) and matches its header exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  IdxError,
  encodeIdxImages,
  encodeIdxLabels,
  parseIdxImages,
  parseIdxLabels,
} from '../../../src/data/idx';
import { mnistSetFromIdx } from '../../../src/data/mnist';
import { expectSafeOutcome, fuzzParams, outcomeOf, runsFor, timeoutFor } from './fuzz-support';

const COUNT = 3;
const SIDE = 28;
const PIXELS = Uint8Array.from({ length: COUNT * SIDE * SIDE }, (_, i) => (i * 31 + 7) & 255);
const LABELS = Uint8Array.from([7, 2, 1]);
const IMAGES_FILE = encodeIdxImages(PIXELS, COUNT, SIDE, SIDE);
const LABELS_FILE = encodeIdxLabels(LABELS);

/** Header words worth trying: the real magics and sizes, off by one, zero, and the extremes. */
const headerWord = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 27, 28, 29, 784, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, 2 ** 16, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1),
  fc.nat({ max: 2 ** 32 - 1 }),
);

type ByteEdit =
  | { kind: 'word'; at: number; value: number }
  | { kind: 'truncate'; length: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'flip'; at: number; value: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('word' as const), at: fc.nat({ max: 3 }), value: headerWord }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), length: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }) },
);

function applyByteEdit(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  switch (edit.kind) {
    case 'word': {
      const out = bytes.slice();
      const offset = edit.at * 4;
      if (offset + 4 <= out.length) new DataView(out.buffer).setUint32(offset, edit.value, false);
      return out;
    }
    case 'truncate':
      return bytes.slice(0, edit.length % (bytes.length + 1));
    case 'append': {
      const out = new Uint8Array(bytes.length + edit.bytes.length);
      out.set(bytes);
      out.set(edit.bytes, bytes.length);
      return out;
    }
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[edit.at % out.length] = edit.value;
      return out;
    }
  }
}

/** The bytes placed `offset` bytes into a larger buffer, as a fetch or file read may hand them over. */
function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const buffer = new Uint8Array(bytes.length + offset + 3);
  buffer.set(bytes, offset);
  return buffer.subarray(offset, offset + bytes.length);
}

const damaged = (base: Uint8Array) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.array(byteEdit, { minLength: 1, maxLength: 4 }), fc.nat({ max: 7 })).map(([edits, offset]) => atOffset(edits.reduce(applyByteEdit, base), offset)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  );

/** An IdxError names the file it was raised for, first. */
function expectNamesFile(error: IdxError | null, ...names: string[]): void {
  if (error === null) return;
  expect(names).toContain(error.file);
  expect(error.message.startsWith(`${error.file}: `)).toBe(true);
}

const RUNS = runsFor(300);

describe('fuzz: IDX files', () => {
  it(
    'damaged image files are rejected naming the file, or read as views that match their header',
    () => {
      fc.assert(
        fc.property(damaged(IMAGES_FILE), (bytes) => {
          const outcome = outcomeOf(() => parseIdxImages(bytes, 'train-images.idx'));
          expectNamesFile(expectSafeOutcome(outcome, IdxError), 'train-images.idx');
          if (!outcome.ok) return;
          const { count, rows, cols, pixels } = outcome.value;
          expect(Math.min(count, rows, cols)).toBeGreaterThanOrEqual(1);
          expect(pixels.length).toBe(count * rows * cols);
          expect(bytes.length).toBe(16 + pixels.length);
          // A view into the input: the header's claim never sized an allocation.
          expect(pixels.buffer).toBe(bytes.buffer);
          expect(pixels.byteOffset).toBe(bytes.byteOffset + 16);
          expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, false)).toBe(IDX_IMAGES_MAGIC);
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'damaged label files are rejected naming the file, or read with every label in range',
    () => {
      fc.assert(
        fc.property(damaged(LABELS_FILE), fc.integer({ min: 1, max: 256 }), (bytes, numClasses) => {
          const outcome = outcomeOf(() => parseIdxLabels(bytes, 'train-labels.idx', numClasses));
          expectNamesFile(expectSafeOutcome(outcome, IdxError), 'train-labels.idx');
          if (!outcome.ok) return;
          const { count, labels } = outcome.value;
          expect(count).toBeGreaterThanOrEqual(1);
          expect(labels.length).toBe(count);
          expect(bytes.length).toBe(8 + count);
          expect(labels.buffer).toBe(bytes.buffer);
          for (const label of labels) expect(label).toBeLessThan(numClasses);
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'a damaged pair of MNIST files is rejected naming one of them, or pairs 28x28 images with as many labels',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(damaged(IMAGES_FILE), fc.constant(IMAGES_FILE)),
          fc.oneof(damaged(LABELS_FILE), fc.constant(LABELS_FILE), damaged(IMAGES_FILE)),
          (images, labels) => {
            const outcome = outcomeOf(() => mnistSetFromIdx(images, 'images.idx', labels, 'labels.idx'));
            expectNamesFile(expectSafeOutcome(outcome, IdxError), 'images.idx', 'labels.idx');
            if (!outcome.ok) return;
            const set = outcome.value;
            expect(set.images.length).toBe(set.count * SIDE * SIDE);
            expect(set.labels.length).toBe(set.count);
            for (const label of set.labels) expect(label).toBeLessThan(10);
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});
