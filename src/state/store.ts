/**
 * The dashboard store (zustand, in slices). Components read it through selectors and call
 * its actions; they never see the worker.
 *
 * How to use it:
 * - The app: `startDashboard()` (src/state/bridge.ts) creates the worker-backed store;
 *   wrap the tree in `<DashboardContext.Provider value={store}>` and read with
 *   `useDashboard((s) => s.stats)` / `useDashboardActions()`.
 * - Component tests: `createDashboardStore(createFakeBackend())` (src/state/fake-backend.ts)
 *   gives the same store over a scripted backend; push data with `backend.emitUpdate(...)`.
 *
 * The slices (src/state/slices/): run (statistics, network, chart, banners), views (layer
 * views, the user's image), predictions, evaluation, autosave, comparison. Each owns its
 * state and actions; the timed side effects (refreshing layer views, showing held
 * predictions) are wired once here with `subscribe`.
 *
 * Selectors must return stable values (a field, not a new object each call); pick several
 * fields with `useShallow` from 'zustand/react/shallow'.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DashboardActions, DashboardState } from './types';
import { sliceContext, type DashboardBackend, type DashboardStoreOptions } from './slices/context';
import { createRunSlice, runEvents } from './slices/run';
import { createViewsSlice, refreshViewsWhenDue } from './slices/views';
import { createPredictionsSlice, showHeldPredictionsInTime } from './slices/predictions';
import { createEvaluationSlice } from './slices/evaluation';
import { createAutosaveSlice } from './slices/autosave';
import { comparisonBackendOf, createComparisonSlice } from './slices/comparison';
import { createDatasetSlice, datasetBackendOf } from './slices/dataset';
import { readDatasetChoice } from '../data/dataset-client';

export type { DashboardBackend, DashboardStoreOptions, RestoredRun } from './slices/context';
export { CHECKPOINT_TIMEOUT_MS, EMPTY_STATS, MAX_LOSS_POINTS, pointsUpTo } from './slices/run';
export { LAYER_VIEWS_PERIOD_MS } from './slices/views';
export { MAX_PREDICTIONS, PREDICTIONS_PERIOD_MS, mergePredictions, testAccuracy } from './slices/predictions';
export { IDLE_EVALUATION, MAX_TEST_EVALUATION_POINTS, testEvaluationPoint } from './slices/evaluation';

export type DashboardStore = StoreApi<DashboardState> & {
  /** Stops the timers and the comparison worker (tests, hot reload). */
  dispose(): void;
};

export function createDashboardStore(backend: DashboardBackend, options: DashboardStoreOptions = {}): DashboardStore {
  const comparisonBackend = comparisonBackendOf(options.comparison);
  const datasets = datasetBackendOf(options.datasets);
  const store = createStore<DashboardState>()((set, get) => {
    const context = sliceContext(set, get, backend, options);
    const slices = [
      createRunSlice(context),
      createViewsSlice(context),
      createEvaluationSlice(context),
      createAutosaveSlice(context),
      createComparisonSlice(comparisonBackend)(context),
      createDatasetSlice(datasets, options.datasets?.chosen() ?? readDatasetChoice())(context),
    ];
    const actions = Object.assign({}, ...slices.map((slice) => slice.actions)) as DashboardActions;
    return Object.assign({}, ...slices, createPredictionsSlice(), { actions }) as DashboardState;
  });
  const stopViews = refreshViewsWhenDue(store, backend);
  const stopPredictions = showHeldPredictionsInTime(store);
  const restored = options.restored;
  backend.connect(runEvents(sliceContext(store.setState, store.getState, backend, options)), restored ? { checkpoint: restored.checkpoint, paused: true } : undefined);
  return Object.assign(store, {
    dispose() {
      stopViews();
      stopPredictions();
      if (store.getState().comparison.status !== 'idle') void comparisonBackend().stop();
    },
  });
}

/** The store the component tree reads; provided by main.tsx (or a test). */
export const DashboardContext = createContext<DashboardStore | null>(null);

/** Reads a slice of the dashboard state; re-renders only when that slice changes. */
export function useDashboard<T>(selector: (state: DashboardState) => T): T {
  const store = useContext(DashboardContext);
  if (!store) throw new Error('useDashboard needs a <DashboardContext.Provider value={store}> above it');
  return useStore(store, selector);
}

export function useDashboardActions(): DashboardActions {
  return useDashboard((s) => s.actions);
}
