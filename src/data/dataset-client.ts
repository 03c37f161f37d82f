/**
 * The page's side of datasets: a dataset worker made on first use, the kept datasets in
 * IndexedDB, and which dataset the page trains on, remembered in localStorage so a reload
 * trains on it again (the bridge reads it at every training-worker start).
 */
import * as Comlink from 'comlink';
import { BUILT_IN_CHOICE, type DatasetBackend, type DatasetChoice, type DatasetWorkerApi } from './dataset-protocol';
import { forgetStoredDataset, listStoredDatasets } from './dataset-store';

export const DATASET_CHOICE_KEY = 'mnist-cnn-dashboard.dataset';

/** The bits of localStorage the choice needs; tests pass a Map-backed one. */
export interface ChoiceMemory {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function browserMemory(): ChoiceMemory | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage blocked (a sandboxed frame, some privacy settings): the page stays on MNIST.
    return null;
  }
}

/** The remembered choice; MNIST when none, or when what is remembered is not a choice. */
export function readDatasetChoice(memory: ChoiceMemory | null = browserMemory()): DatasetChoice {
  const text = memory?.getItem(DATASET_CHOICE_KEY);
  if (!text) return BUILT_IN_CHOICE;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'kind' in value) {
      if (value.kind === 'stored' && 'id' in value && typeof value.id === 'string' && /^[0-9a-f]{64}$/.test(value.id)) {
        return { kind: 'stored', id: value.id };
      }
    }
  } catch {
    // Not JSON: fall through to MNIST.
  }
  return BUILT_IN_CHOICE;
}

export function writeDatasetChoice(choice: DatasetChoice, memory: ChoiceMemory | null = browserMemory()): void {
  try {
    memory?.setItem(DATASET_CHOICE_KEY, JSON.stringify(choice));
  } catch {
    // A full or blocked storage: the choice lasts for this page only.
  }
}

/** The app's dataset backend: a dataset worker for loading, IndexedDB for what is kept. */
export function createWorkerDatasetBackend(memory: ChoiceMemory | null = browserMemory()): DatasetBackend {
  let api: Comlink.Remote<DatasetWorkerApi> | null = null;
  const worker = () => {
    if (!api) {
      const created = new Worker(new URL('./dataset-worker.ts', import.meta.url), { type: 'module', name: 'dataset worker' });
      api = Comlink.wrap<DatasetWorkerApi>(created);
    }
    return api;
  };
  return {
    load: (request, onProgress) => worker().load(request, Comlink.proxy(onProgress)),
    list: () => listStoredDatasets(),
    forget: (id) => forgetStoredDataset(id),
    chosen: () => readDatasetChoice(memory),
    choose: (choice) => writeDatasetChoice(choice, memory),
  };
}
