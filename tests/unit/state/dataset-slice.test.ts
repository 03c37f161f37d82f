import { afterEach, describe, expect, it } from 'vitest';
import { readDatasetChoice, writeDatasetChoice, DATASET_CHOICE_KEY } from '../../../src/data/dataset-client';
import { createFakeBackend, type FakeBackend } from '../../../src/state/fake-backend';
import { createDashboardStore, type DashboardStore } from '../../../src/state/store';
import type { DatasetBackend, DatasetLoadRequest } from '../../../src/training/protocol';
import { fakeDatasets, ID, INFO } from '../data/fake-datasets';

const REQUEST: DatasetLoadRequest = { files: [], format: 'auto', imageSide: 28, channels: 1 };

let store: DashboardStore | null = null;
afterEach(() => store?.dispose());

function storeWith(datasets: DatasetBackend): { store: DashboardStore; backend: FakeBackend } {
  const backend = createFakeBackend();
  store = createDashboardStore(backend, { datasets });
  return { store, backend };
}

describe('the dataset slice', () => {
  it('keeps a loaded dataset, chooses it and starts a fresh run on it', async () => {
    const datasets = fakeDatasets({ ok: true, info: INFO, skippedCounts: { 'not an image file': 2 }, skippedExamples: [{ path: 'a/x.txt', reason: 'not an image file' }] });
    const { store, backend } = storeWith(datasets);
    await store.getState().actions.loadDataset(REQUEST);
    const panel = store.getState().datasetPanel;
    expect(panel.status).toBe('loaded');
    expect(panel.choice).toEqual({ kind: 'stored', id: ID });
    expect(panel.kept).toEqual([INFO]);
    expect(panel.skipped?.counts).toEqual({ 'not an image file': 2 });
    expect(datasets.choice).toEqual({ kind: 'stored', id: ID });
    expect(backend.callsTo('restart')).toEqual([[]]);
  });

  it('leaves everything as it was when a load is refused: the choice, the kept list and the running session', async () => {
    const datasets = fakeDatasets({ ok: false, error: 'train-images-idx3-ubyte: the magic number is 1234, not 2051' });
    const { store, backend } = storeWith(datasets);
    await store.getState().actions.loadDataset(REQUEST);
    const panel = store.getState().datasetPanel;
    expect(panel).toMatchObject({ status: 'refused', error: 'train-images-idx3-ubyte: the magic number is 1234, not 2051', choice: { kind: 'built-in' } });
    expect(panel.kept).toEqual([]);
    expect(datasets.choice).toEqual({ kind: 'built-in' });
    expect(backend.callsTo('restart')).toEqual([]);
  });

  it('forgetting the dataset in force goes back to MNIST; forgetting another keeps the run', async () => {
    const datasets = fakeDatasets({ ok: true, info: INFO, skippedCounts: {}, skippedExamples: [] });
    const { store, backend } = storeWith(datasets);
    await store.getState().actions.loadDataset(REQUEST);
    await store.getState().actions.forgetDataset('b'.repeat(64));
    expect(backend.callsTo('restart')).toHaveLength(1);
    await store.getState().actions.forgetDataset(ID);
    expect(store.getState().datasetPanel.choice).toEqual({ kind: 'built-in' });
    expect(store.getState().datasetPanel.kept).toEqual([]);
    expect(backend.callsTo('restart')).toHaveLength(2);
  });

  it('starts from the remembered choice', () => {
    const datasets = fakeDatasets({ ok: false, error: 'unused' });
    datasets.choice = { kind: 'stored', id: ID };
    const { store } = storeWith(datasets);
    expect(store.getState().datasetPanel.choice).toEqual({ kind: 'stored', id: ID });
  });
});

describe('the remembered dataset choice', () => {
  const memory = () => {
    const map = new Map<string, string>();
    return { getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
  };

  it('round-trips a kept dataset and falls back to MNIST on anything else', () => {
    const m = memory();
    expect(readDatasetChoice(m)).toEqual({ kind: 'built-in' });
    writeDatasetChoice({ kind: 'stored', id: ID }, m);
    expect(readDatasetChoice(m)).toEqual({ kind: 'stored', id: ID });
    m.setItem(DATASET_CHOICE_KEY, '{"kind":"stored","id":"../../etc"}');
    expect(readDatasetChoice(m)).toEqual({ kind: 'built-in' });
    m.setItem(DATASET_CHOICE_KEY, 'not json');
    expect(readDatasetChoice(m)).toEqual({ kind: 'built-in' });
  });
});
