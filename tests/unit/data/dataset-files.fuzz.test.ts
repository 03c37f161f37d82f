/**
 * Fuzzing the picked-files path (zips opened, the format told from the names, the class
 * names field) as the loaders are fuzzed: damaged zips, random names and random class-name
 * text. Every refusal is a DatasetError whose message starts with what it names; every
 * accepted dataset passes the consistency checks; no case hangs.
 */
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkDataset, DatasetError } from '../../../src/data/dataset';
import { classNamesFromText, loadLocalDataset } from '../../../src/data/dataset-files';
import { CASE_TIME_LIMIT_MS, fuzzParams, runsFor, timeoutFor } from '../fuzz/fuzz-support';
import { idxFiles } from './dataset-fixtures';

const RUNS = runsFor(60);
const ZIP = zipSync(Object.fromEntries(idxFiles({ train: 6, test: 3, classes: 3 }).map((f) => [`set/${f.name}`, f.bytes])));

type Loaded = Awaited<ReturnType<typeof loadLocalDataset>>;

/** What loading answered (the dataset, or what it threw) and how long it took. */
async function refusalOf(call: () => Promise<Loaded>): Promise<{ value: Loaded | null; error: unknown; ms: number }> {
  const start = performance.now();
  try {
    const value = await call();
    return { value, error: null, ms: performance.now() - start };
  } catch (error) {
    return { value: null, error, ms: performance.now() - start };
  }
}

describe('picked files, fuzzed', () => {
  it(
    'a damaged zip is opened or refused with a message naming it or a file in it',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ at: fc.nat({ max: ZIP.length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 6 }),
          fc.option(fc.nat({ max: ZIP.length }), { nil: undefined }),
          async (flips, keep) => {
            const bytes = ZIP.slice(0, keep ?? ZIP.length);
            for (const { at, value } of flips) if (at < bytes.length) bytes[at] = value;
            const outcome = await refusalOf(() => loadLocalDataset([{ name: 'made.zip', bytes }], { classNamesText: 'a, b, c' }));
            expect(outcome.ms).toBeLessThan(CASE_TIME_LIMIT_MS);
            if (outcome.value !== null) return;
            expect(outcome.error).toBeInstanceOf(DatasetError);
            const error = outcome.error as DatasetError;
            expect(error.message.startsWith(`${error.file}: `)).toBe(true);
            expect(/^(made\.zip|set\/|the )/.test(error.file), `"${error.message}" names nothing of the case`).toBe(true);
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'random names and class-name text load a consistent dataset or are refused by name',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 80 }), fc.string({ maxLength: 30 }), async (text, suffix) => {
          const files = idxFiles({ train: 6, test: 3, classes: 3 }).map((f) => ({ ...f, name: f.name + suffix }));
          const outcome = await refusalOf(() => loadLocalDataset(files, { classNamesText: text }));
          expect(outcome.ms).toBeLessThan(CASE_TIME_LIMIT_MS);
          if (outcome.value !== null) {
            const { dataset } = outcome.value;
            expect(() => checkDataset(dataset)).not.toThrow();
            if (text.trim() !== '') expect(dataset.classNames).toEqual(classNamesFromText(text));
            return;
          }
          expect(outcome.error).toBeInstanceOf(DatasetError);
          expect((outcome.error as DatasetError).message.startsWith(`${(outcome.error as DatasetError).file}: `)).toBe(true);
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});
