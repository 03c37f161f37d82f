/**
 * Fuzzing the local dataset loaders as the IDX reader is fuzzed: damaged MNIST-format
 * files (raw and gzipped, truncated gzip streams), damaged CIFAR-10 batches, folders of
 * odd paths and broken images, and random class-name files. Every refusal is a
 * DatasetError whose message starts with a file the case supplied (or a phrase about the
 * whole set), within the time bound; every accepted dataset passes the consistency checks.
 */
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { datasetFromCifar10 } from '../../../src/data/cifar10';
import { checkDataset, DatasetError, type Dataset } from '../../../src/data/dataset';
import { datasetFromIdx } from '../../../src/data/idx-dataset';
import { datasetFromImageFolder } from '../../../src/data/image-folder';
import { parseClassNames, type NamedBytes } from '../../../src/data/local-files';
import { brokenPng, cifarBatch, decodeRawImage, grayImage, idxFiles } from '../data/dataset-fixtures';
import { CASE_TIME_LIMIT_MS, expectSafeOutcome, fuzzParams, outcomeOf, runsFor, timeoutFor, type Outcome } from './fuzz-support';

async function asyncOutcomeOf<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  const start = performance.now();
  try {
    const value = await call();
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

/** A refusal names one of the case's files, or speaks of the set as a whole. */
function expectNamesInput(error: DatasetError | null, files: readonly NamedBytes[]): void {
  if (error === null) return;
  const named = files.some((file) => error.file === file.name) || /^(the |test\/)/.test(error.file);
  expect(named, `"${error.message}" names no file of the case`).toBe(true);
  expect(error.message.startsWith(`${error.file}: `)).toBe(true);
}

function expectConsistent(dataset: Dataset): void {
  expect(() => checkDataset(dataset)).not.toThrow();
  expect(dataset.source.kind === 'local' && /^[0-9a-f]{64}$/.test(dataset.source.fingerprint)).toBe(true);
}

type Edit = { kind: 'word'; at: number; value: number } | { kind: 'truncate'; keep: number } | { kind: 'flip'; at: number; value: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat({ max: 3 }),
    value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 28, 2049, 2051, 2 ** 31, 2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
);

function applyEdit(bytes: Uint8Array, e: Edit): Uint8Array {
  const out = bytes.slice();
  if (e.kind === 'truncate') return out.subarray(0, e.keep % (out.length + 1));
  if (out.length === 0) return out;
  if (e.kind === 'flip') out[e.at % out.length] = e.value;
  else if (e.at * 4 + 4 <= out.length) new DataView(out.buffer).setUint32(e.at * 4, e.value, false);
  return out;
}

/** How a damaged file is handed over: raw, gzipped, or a gzip stream cut short. */
const wrapping = fc.constantFrom('raw', 'gzip', 'cut-gzip');

function wrap(bytes: Uint8Array, how: string): Uint8Array {
  if (how === 'raw') return bytes;
  const packed = gzipSync(bytes);
  return how === 'gzip' ? packed : packed.subarray(0, Math.max(2, packed.length >> 1));
}

const RUNS = runsFor(100);

describe('fuzz: local dataset loaders', () => {
  it(
    'damaged MNIST-format files are refused naming a file, or read into a consistent dataset',
    async () => {
      const base = idxFiles({ train: 4, test: 2, side: 6, classes: 3 });
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: 3 }),
          fc.array(edit, { minLength: 0, maxLength: 3 }),
          wrapping,
          fc.option(fc.constantFrom('["a","b","c"]', '["a"]', 'x\ny', ''), { nil: undefined }),
          async (which, edits, how, names) => {
            const files = base.map((file, i) => (i === which ? { name: file.name, bytes: wrap(edits.reduce(applyEdit, file.bytes), how) } : file));
            if (names !== undefined) files.push({ name: 'classes.txt', bytes: new TextEncoder().encode(names) });
            const outcome = await asyncOutcomeOf(() => datasetFromIdx(files));
            expectNamesInput(expectSafeOutcome(outcome, DatasetError), files);
            if (outcome.ok) expectConsistent(outcome.value);
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'damaged CIFAR-10 batches are refused naming a file, or read into a consistent dataset',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat({ max: 12 }), { minLength: 1, maxLength: 3 }),
          fc.array(edit, { maxLength: 2 }),
          wrapping,
          async (labels, edits, how) => {
            const files = [
              { name: 'data_batch_1.bin', bytes: wrap(edits.reduce(applyEdit, cifarBatch(labels)), how) },
              { name: 'test_batch.bin', bytes: cifarBatch([labels[0] % 10]) },
            ];
            const outcome = await asyncOutcomeOf(() => datasetFromCifar10(files));
            expectNamesInput(expectSafeOutcome(outcome, DatasetError), files);
            if (outcome.ok) expectConsistent(outcome.value);
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  const segment = fc.constantFrom('a', 'b', 'c', 'test', 'train', 'TEST', '.hidden', '__MACOSX', 'root', '', '.', 'x y');
  const fileName = fc.constantFrom('1.png', '2.jpg', 'n.txt', '.DS_Store', 'p.webp', 'noext');
  const content = fc.oneof(
    fc.record({ w: fc.integer({ min: 1, max: 6 }), h: fc.integer({ min: 1, max: 6 }), v: fc.nat({ max: 255 }) }).map(({ w, h, v }) => grayImage(w, h, v)),
    fc.constant(brokenPng()),
    fc.uint8Array({ maxLength: 24 }),
  );
  const entry = fc.record({ path: fc.array(segment, { maxLength: 3 }), name: fileName, bytes: content, folder: fc.boolean() });
  /** A usable folder to start from (2-3 classes of 2-4 images of one size), so damage is tried on data that can load. */
  const usableFolder = fc
    .record({ classes: fc.integer({ min: 2, max: 3 }), perClass: fc.integer({ min: 2, max: 4 }), side: fc.integer({ min: 1, max: 6 }) })
    .map(({ classes, perClass, side }) =>
      Array.from({ length: classes * perClass }, (_, i) => ({
        path: ['root', ['a', 'b', 'c'][i % classes]],
        name: `${i}.png`,
        bytes: grayImage(side, side, i * 20),
        folder: false,
      })),
    );

  it(
    'folders of odd paths and broken images are refused with a DatasetError, or give a consistent dataset and an honest skip count',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.array(entry, { maxLength: 14 }),
            fc.tuple(usableFolder, fc.array(entry, { maxLength: 4 })).map(([usable, extra]) => [...usable, ...extra]),
          ),
          fc.oneof(fc.constant('as-is' as const), fc.record({ width: fc.integer({ min: 1, max: 5 }), height: fc.integer({ min: 1, max: 5 }) })),
          fc.constantFrom(1 as const, 3 as const),
          async (entries, size, channels) => {
            const files = entries.map((e) =>
              e.folder ? { name: `${[...e.path, 'f'].join('/')}/`, bytes: new Uint8Array(0) } : { name: [...e.path, e.name].join('/'), bytes: e.bytes },
            );
            const outcome = await asyncOutcomeOf(() => datasetFromImageFolder(files, { decode: decodeRawImage, size, channels }));
            expectNamesInput(expectSafeOutcome(outcome, DatasetError), files);
            if (!outcome.ok) return;
            const { dataset, skipped } = outcome.value;
            expectConsistent(dataset);
            expect(dataset.channels).toBe(channels);
            const used = dataset.train.count + dataset.test.count;
            expect(used + skipped.length).toBeLessThanOrEqual(files.length);
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it('random class-name files are refused with a DatasetError or give distinct, non-empty names', () => {
    const runs = runsFor(300);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s))), (bytes) => {
        const outcome = outcomeOf(() => parseClassNames({ name: 'names.txt', bytes }));
        expect(outcome.ms).toBeLessThan(CASE_TIME_LIMIT_MS);
        expectNamesInput(expectSafeOutcome(outcome, DatasetError), [{ name: 'names.txt', bytes }]);
        if (!outcome.ok) return;
        const names = outcome.value;
        expect(names.length).toBeGreaterThanOrEqual(2);
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) expect(name.length).toBeGreaterThan(0);
      }),
      fuzzParams(runs),
    );
  });
});
