/** A dataset backend over memory, for the dataset slice's and the Dataset panel's tests. */
import type {
  DatasetBackend,
  DatasetChoice,
  DatasetLoadOutcome,
  DatasetLoadRequest,
  StoredDatasetInfo,
} from '../../../src/training/protocol';
import { MNIST_IDENTITY } from '../../../src/training/protocol';

export const ID = 'a'.repeat(64);
export const INFO: StoredDatasetInfo = {
  id: ID,
  identity: { ...MNIST_IDENTITY, name: 'Shapes', classNames: ['circle', 'square', 'triangle'], builtIn: null, fingerprint: ID },
  format: 'idx',
  trainCount: 300,
  testCount: 60,
  bytes: 283_000,
  savedAt: 1,
};

/** A dataset backend over memory: answers `outcome` to a load, keeping the info on success. */
export function fakeDatasets(outcome: DatasetLoadOutcome): DatasetBackend & { kept: StoredDatasetInfo[]; choice: DatasetChoice; requests: DatasetLoadRequest[] } {
  const fake = {
    kept: [] as StoredDatasetInfo[],
    requests: [] as DatasetLoadRequest[],
    choice: { kind: 'built-in' } as DatasetChoice,
    async load(request: DatasetLoadRequest, onProgress: (p: { phase: 'reading'; done: number; total: number }) => void) {
      fake.requests.push(request);
      onProgress({ phase: 'reading', done: 0, total: 4 });
      if (outcome.ok) fake.kept = [outcome.info];
      return outcome;
    },
    list: async () => fake.kept,
    async forget(id: string) {
      fake.kept = fake.kept.filter((info) => info.id !== id);
    },
    chosen: () => fake.choice,
    choose(choice: DatasetChoice) {
      fake.choice = choice;
    },
  };
  return fake;
}
