/**
 * The views slice: the layer views the panels on screen draw, the person's own image the
 * views may show, and the pinned example. Refreshing is wired once (refreshViewsWhenDue):
 * actions only mark the views stale or change which layers are visible.
 */
import type { StoreApi } from 'zustand/vanilla';
import { errorMessage } from '../../engine';
import type { ClassifyResult, LayerView } from '../../training/protocol';
import type { DashboardState, ViewsSlice } from '../types';
import { WORKER_FAILED, type DashboardBackend, type Slice } from './context';

/** Layer views refresh at this period while training runs (a few times a second). */
export const LAYER_VIEWS_PERIOD_MS = 250;

type ViewsActions = 'classifyImage' | 'clearInspectedImage' | 'layerViews' | 'layerTrainingHistory' | 'freezeExample' | 'setVisibleLayers';

export const createViewsSlice: Slice<ViewsSlice, ViewsActions> = ({ set, get, backend, guarded }) => ({
  layerViews: {},
  userImage: null,
  exampleFrozen: false,
  visibleLayers: [],
  viewsStale: true,
  actions: {
    async classifyImage(pixels) {
      // The worker may take ownership of the buffer; keep our own copy for display.
      const copy = new Uint8Array(pixels);
      const result = await guarded<ClassifyResult>('Classifying the image', () => backend.classifyImage(new Uint8Array(pixels)), WORKER_FAILED);
      if (!result.ok) return result;
      set({ userImage: { pixels: copy, top3: result.top3 }, viewsStale: true });
      return { ok: true };
    },
    // The store's action also forgets the image it shows; the views refresh once the worker let it go.
    clearInspectedImage() {
      set({ userImage: null });
      void guarded('Clearing the image', () => backend.clearInspectedImage(), undefined).then(() => set({ viewsStale: true }));
    },
    layerViews: (indices) => guarded('Reading the layer inspector', () => backend.layerViews(indices), []),
    layerTrainingHistory: () => guarded('Reading the layer statistics', () => backend.layerTrainingHistory(), []),
    async freezeExample(frozen) {
      const pinned = await guarded('Freezing the example', () => backend.freezeExample(frozen), false);
      set({ exampleFrozen: pinned, viewsStale: true });
    },
    setVisibleLayers(indices) {
      const next = [...new Set(indices)].sort((a, b) => a - b);
      const added = next.some((i) => !get().visibleLayers.includes(i));
      set(added ? { visibleLayers: next, viewsStale: true } : { visibleLayers: next });
    },
  },
});

/**
 * Keeps the visible layers' views fresh: at once when they become stale (a step, a new
 * image, a new run, a panel scrolled into view), and every LAYER_VIEWS_PERIOD_MS while
 * training runs or they are stale. Returns the stop function.
 */
export function refreshViewsWhenDue(store: StoreApi<DashboardState>, backend: DashboardBackend): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  // One request at a time; kept here, not in the state, so it never re-runs the selectors.
  const request = { inFlight: false };
  const refresh = () => void refreshViews(store, backend, request);
  const unsubscribe = store.subscribe((state, previous) => {
    const wanted = state.visibleLayers.length > 0;
    if (wanted && timer === null) {
      timer = setInterval(() => {
        const { stats, viewsStale } = store.getState();
        if ((stats?.running ?? false) || viewsStale) refresh();
      }, LAYER_VIEWS_PERIOD_MS);
    } else if (!wanted && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
    const becameDue = !previous.viewsStale || state.runId !== previous.runId || state.visibleLayers !== previous.visibleLayers;
    if (state.viewsStale && becameDue) refresh();
  });
  return () => {
    unsubscribe();
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
}

/** Asks for the visible layers' views, one request at a time, dropping answers from an old run. */
async function refreshViews(store: StoreApi<DashboardState>, backend: DashboardBackend, request: { inFlight: boolean }): Promise<void> {
  const { visibleLayers, runId, network } = store.getState();
  if (request.inFlight || visibleLayers.length === 0 || runId === null) return;
  const indices = network ? visibleLayers.filter((i) => i < network.layers.length) : visibleLayers;
  if (indices.length === 0) return;
  request.inFlight = true;
  store.setState({ viewsStale: false });
  try {
    const views = await backend.layerViews(indices);
    if (runId !== store.getState().runId) return;
    const next: Record<number, LayerView> = { ...store.getState().layerViews };
    for (const view of views) next[view.index] = view;
    store.setState({ layerViews: next });
  } catch (error) {
    store.setState({ fault: `Reading the layer views failed: ${errorMessage(error)}` });
  } finally {
    request.inFlight = false;
  }
}
