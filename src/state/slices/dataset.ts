/**
 * The dataset slice: the Dataset panel's state and actions. Loading goes to the dataset
 * backend (a worker that reads, decodes, checks and keeps the files); a refusal changes
 * nothing, and the running session keeps going. Choosing a dataset (a loaded one, a kept
 * one, or MNIST) remembers it and starts a new worker on it, which keeps the network in
 * force when it fits the dataset.
 */
import { createWorkerDatasetBackend } from '../../data/dataset-client';
import { errorMessage } from '../../engine';
import type { DatasetBackend, DatasetChoice } from '../../training/protocol';
import type { DatasetPanelState, DatasetSlice } from '../types';
import type { Slice, SliceContext } from './context';
import { clearedRun } from './run';

type DatasetActions = 'refreshDatasets' | 'loadDataset' | 'chooseDataset' | 'forgetDataset';

/** The dataset backend: the one given, or the worker-backed one made on first use. */
export function datasetBackendOf(given: DatasetBackend | undefined): () => DatasetBackend {
  let backend = given ?? null;
  return () => (backend ??= createWorkerDatasetBackend());
}

export const createDatasetSlice =
  (datasets: () => DatasetBackend, initialChoice: DatasetChoice): Slice<DatasetSlice, DatasetActions> =>
  (context) => {
    const { set, get } = context;
    const patch = (changes: Partial<DatasetPanelState>) => set({ datasetPanel: { ...get().datasetPanel, ...changes } });
    const refresh = async () => patch({ kept: await datasets().list() });
    const choose = async (choice: DatasetChoice) => {
      datasets().choose(choice);
      patch({ choice });
      await startOn(context);
    };
    return {
      datasetPanel: { choice: initialChoice, kept: [], status: 'idle', progress: null, error: null, skipped: null },
      actions: {
        async refreshDatasets() {
          try {
            await refresh();
          } catch (error) {
            patch({ error: `The kept datasets cannot be read: ${errorMessage(error)}` });
          }
        },
        async loadDataset(request) {
          if (get().datasetPanel.status === 'loading') return;
          patch({ status: 'loading', progress: null, error: null, skipped: null });
          let outcome;
          try {
            outcome = await datasets().load(request, (progress) => patch({ progress }));
          } catch (error) {
            outcome = { ok: false as const, error: `The dataset worker failed: ${errorMessage(error)}` };
          }
          if (!outcome.ok) {
            patch({ status: 'refused', progress: null, error: outcome.error });
            return;
          }
          const examples = outcome.skippedExamples.map(({ path, reason }) => ({ path, reason }));
          const skipped = examples.length > 0 ? { counts: outcome.skippedCounts, examples } : null;
          patch({ status: 'loaded', progress: null, skipped });
          await refresh().catch(() => undefined);
          await choose({ kind: 'stored', id: outcome.info.id });
        },
        chooseDataset: choose,
        async forgetDataset(id) {
          try {
            await datasets().forget(id);
          } catch (error) {
            patch({ error: `The dataset could not be forgotten: ${errorMessage(error)}` });
            return;
          }
          patch({ kept: get().datasetPanel.kept.filter((info) => info.id !== id), error: null });
          const choice = get().datasetPanel.choice;
          if (choice.kind === 'stored' && choice.id === id) await choose({ kind: 'built-in' });
        },
      },
    };
  };

/** A new worker on the chosen dataset: a fresh run (nothing of the old one is shown or restored). */
async function startOn({ set, get, backend, guarded }: SliceContext): Promise<void> {
  set({ ...clearedRun(get()), lastCheckpoint: null, continuesRun: false });
  await guarded('Switching the dataset', () => backend.restart(), undefined);
}
