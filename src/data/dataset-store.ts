/**
 * Loaded datasets kept in IndexedDB, so a reload trains on them again without the files.
 * A database of its own (not the autosave's): each dataset is two records, its small
 * description (`info:<id>`, what the panel lists) and its images (`data:<id>`, read only
 * by the training worker), written in one transaction. The id is the content fingerprint,
 * so loading the same files twice keeps one copy.
 *
 * Runs in the dataset worker (writes), the training worker (reads) and the page (lists,
 * forgets); tests use fake-indexeddb.
 */
import { createStore, delMany, get, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import {
  datasetIdentity,
  DatasetError,
  formatBytes,
  imageBytes,
  type Dataset,
  type DatasetIdentity,
  type DatasetSource,
} from './dataset';

/** What the panel shows of a kept dataset, without reading its images. */
export interface StoredDatasetInfo {
  /** The content fingerprint. */
  id: string;
  identity: DatasetIdentity;
  format: string;
  trainCount: number;
  testCount: number;
  /** Bytes of pixels and labels kept. */
  bytes: number;
  /** ms since the epoch. */
  savedAt: number;
}

/** How much all kept datasets may take together (the browser's quota may allow less). */
export const MAX_STORED_DATASET_BYTES = 400 * 1024 * 1024;

const INFO = 'info:';
const DATA = 'data:';

let appDatabase: UseStore | null = null;

/** Where kept datasets live: the app's own database (one connection per thread), or one a test passes. */
export function datasetDatabase(): UseStore {
  return (appDatabase ??= createStore('mnist-cnn-datasets', 'datasets'));
}

function storedBytes(dataset: Pick<Dataset, 'train' | 'test'>): number {
  return dataset.train.images.length + dataset.train.labels.length + dataset.test.images.length + dataset.test.labels.length;
}

/** Every kept dataset's description, newest first. */
export async function listStoredDatasets(db: UseStore = datasetDatabase()): Promise<StoredDatasetInfo[]> {
  const names = (await keys(db)).filter((key): key is string => typeof key === 'string' && key.startsWith(INFO));
  const infos = (await getMany(names, db)) as (StoredDatasetInfo | undefined)[];
  return infos.filter((info): info is StoredDatasetInfo => info !== undefined).sort((a, b) => b.savedAt - a.savedAt);
}

/**
 * Keeps `dataset` (a local one: its id is its fingerprint). Refused with a message when it
 * would take the kept datasets past the cap; nothing is written then.
 */
export async function storeDataset(dataset: Dataset, db: UseStore = datasetDatabase(), now = Date.now()): Promise<StoredDatasetInfo> {
  if (dataset.source.kind !== 'local') throw new Error('only a dataset loaded from files is kept; the built-in MNIST is always there');
  const id = dataset.source.fingerprint;
  const bytes = storedBytes(dataset);
  const others = (await listStoredDatasets(db)).filter((info) => info.id !== id);
  const othersBytes = others.reduce((sum, info) => sum + info.bytes, 0);
  if (othersBytes + bytes > MAX_STORED_DATASET_BYTES) {
    const hint = others.length > 0 ? `; forget ${others.map((info) => `"${info.identity.name}"`).join(', ')} first` : '';
    throw new DatasetError(
      dataset.name,
      `needs ${formatBytes(bytes)} of browser storage, and kept datasets may take ${formatBytes(MAX_STORED_DATASET_BYTES)} together` +
        `${others.length > 0 ? ` (${formatBytes(othersBytes)} are in use)` : ''}${hint}`,
    );
  }
  const info: StoredDatasetInfo = {
    id,
    identity: datasetIdentity(dataset),
    format: dataset.source.format,
    trainCount: dataset.train.count,
    testCount: dataset.test.count,
    bytes,
    savedAt: now,
  };
  const { train, test, validationFraction, augmentation, source } = dataset;
  const content: StoredContent = { train, test, validationFraction, augmentation, source };
  await setMany([[DATA + id, content], [INFO + id, info]], db);
  return info;
}

type StoredContent = Pick<Dataset, 'train' | 'test' | 'validationFraction' | 'augmentation' | 'source'>;

/** A kept dataset, whole; refused with a sentence when it is gone or damaged. */
export async function readStoredDataset(id: string, db: UseStore = datasetDatabase()): Promise<Dataset> {
  const [info, content] = (await getMany([INFO + id, DATA + id], db)) as [StoredDatasetInfo | undefined, StoredContent | undefined];
  if (!info || !content) {
    throw new Error('The dataset chosen for this page is no longer kept in this browser (it was forgotten or the storage was cleared); load its files again.');
  }
  const { name, classNames, width, height, channels } = info.identity;
  const dataset: Dataset = { name, classNames, width, height, channels, ...content, source: content.source as DatasetSource };
  const perImage = imageBytes(dataset);
  for (const set of [dataset.train, dataset.test]) {
    if (!(set.images instanceof Uint8Array) || set.images.length !== set.count * perImage || set.labels.length !== set.count) {
      throw new Error(`The kept dataset "${name}" is damaged (its images do not match its size); forget it and load its files again.`);
    }
  }
  return dataset;
}

/** Whether a dataset is kept, without reading its images. */
export async function hasStoredDataset(id: string, db: UseStore = datasetDatabase()): Promise<boolean> {
  return (await get(INFO + id, db)) !== undefined;
}

/** Forgets a kept dataset (both records, in one transaction). */
export async function forgetStoredDataset(id: string, db: UseStore = datasetDatabase()): Promise<void> {
  await delMany([INFO + id, DATA + id], db);
}
