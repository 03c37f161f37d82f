/**
 * Page start with the autosave: reads the saved run (briefly: a slow or blocked IndexedDB
 * must not keep the page blank), starts the dashboard from it when it fits the page's
 * link, and saves the run from then on. The one place that wires autosave, store and worker.
 */
import {
  Autosaver,
  AUTOSAVE_READ_TIMEOUT_MS,
  indexedDbStorage,
  readAutosave,
  restoreOptions,
  type AutosaveStorage,
  type FoundAutosave,
} from './autosave';
import { startDashboard, type WorkerBackendOptions } from './bridge';
import type { DashboardStore } from './store';

export async function startAutosavedDashboard(options: WorkerBackendOptions = {}): Promise<DashboardStore> {
  let storage: AutosaveStorage | null = null;
  let found: FoundAutosave = { kind: 'none' };
  try {
    storage = indexedDbStorage();
    found = await withDeadline(readAutosave(storage, new URLSearchParams(location.search)), AUTOSAVE_READ_TIMEOUT_MS, found);
  } catch {
    // No IndexedDB (private mode in some browsers, or blocked): the app runs without autosave.
    storage = null;
  }
  if (!storage) return startDashboard(options);
  const autosaver = new Autosaver({ storage });
  const store = startDashboard(options, { ...restoreOptions(found), discardAutosave: () => autosaver.discard() });
  autosaver.attach(store);
  return store;
}

function withDeadline<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms))]);
}
