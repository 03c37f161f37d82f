import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createStore } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadLocalDataset } from '../../../src/data/dataset-files';
import { mnistDataset, type Dataset } from '../../../src/data/dataset';
import {
  forgetStoredDataset,
  hasStoredDataset,
  listStoredDatasets,
  MAX_STORED_DATASET_BYTES,
  readStoredDataset,
  storeDataset,
} from '../../../src/data/dataset-store';
import { idxFiles } from './dataset-fixtures';

let db: ReturnType<typeof createStore>;
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  db = createStore('test-datasets', 'datasets');
});

async function madeDataset(classNamesText = 'a,b,c'): Promise<Dataset> {
  return (await loadLocalDataset(idxFiles({ train: 9, test: 3, classes: 3 }), { name: 'Made', classNamesText })).dataset;
}

describe('the dataset store', () => {
  it('keeps a dataset and gives it back whole, listed by its fingerprint', async () => {
    const dataset = await madeDataset();
    const info = await storeDataset(dataset, db, 1000);
    expect(info).toMatchObject({ id: dataset.source.kind === 'local' ? dataset.source.fingerprint : '', trainCount: 9, testCount: 3, savedAt: 1000 });
    expect(info.identity.classNames).toEqual(['a', 'b', 'c']);
    const back = await readStoredDataset(info.id, db);
    expect(back.train.images).toEqual(dataset.train.images);
    expect(back.test.labels).toEqual(dataset.test.labels);
    expect(back).toMatchObject({ name: 'Made', width: 28, height: 28, channels: 1, source: dataset.source, augmentation: dataset.augmentation });
    expect(await listStoredDatasets(db)).toEqual([info]);
  });

  it('keeps one copy of the same contents, and lists the newest first', async () => {
    const first = await madeDataset();
    const other = await madeDataset('x,y,z');
    await storeDataset(first, db, 1);
    await storeDataset(other, db, 2);
    await storeDataset(first, db, 3);
    const listed = await listStoredDatasets(db);
    expect(listed.map((info) => info.savedAt)).toEqual([3, 2]);
  });

  it('refuses a dataset past the cap with a message, writing nothing', async () => {
    const dataset = await madeDataset();
    const huge = { ...dataset, train: { ...dataset.train, images: new Uint8Array(MAX_STORED_DATASET_BYTES + 1) } };
    await expect(storeDataset(huge, db)).rejects.toThrow(/Made.*needs .* MB of browser storage/);
    expect(await listStoredDatasets(db)).toEqual([]);
  });

  it('forgets a dataset, after which reading it says to load the files again', async () => {
    const info = await storeDataset(await madeDataset(), db);
    await forgetStoredDataset(info.id, db);
    expect(await hasStoredDataset(info.id, db)).toBe(false);
    await expect(readStoredDataset(info.id, db)).rejects.toThrow(/no longer kept in this browser.*load its files again/);
  });

  it('does not keep the built-in MNIST', async () => {
    const empty = { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) };
    await expect(storeDataset(mnistDataset(empty, empty), db)).rejects.toThrow(/built-in MNIST/);
  });
});
