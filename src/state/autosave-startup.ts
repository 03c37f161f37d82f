/**
 * Page start with the autosave: finds the tab's run (briefly: a slow or blocked IndexedDB
 * must not keep the page blank), starts the dashboard from it, and saves the run from
 * then on. The one place that wires autosave, runs, locks, store and worker.
 */
import { Autosaver, AUTOSAVE_READ_TIMEOUT_MS, restoreOptions } from './autosave';
import { browserRunLocks } from './autosave-locks';
import { indexedDbStorage, SavedRuns } from './autosave-runs';
import { openTabRun, TabRuns, unreadTabRun, type TabMemory, type TabStart } from './autosave-tab';
import { startDashboard, type WorkerBackendOptions } from './bridge';
import type { DashboardStore } from './store';

export async function startAutosavedDashboard(options: WorkerBackendOptions = {}): Promise<DashboardStore> {
  let runs: SavedRuns;
  try {
    runs = new SavedRuns(indexedDbStorage());
  } catch {
    // No IndexedDB (private mode in some browsers, or blocked): the app runs without autosave.
    return startDashboard(options);
  }
  const locks = browserRunLocks();
  const memory = tabMemory();
  const url = new URLSearchParams(location.search);
  let start: TabStart | null = null;
  try {
    start = await withDeadline(openTabRun({ runs, locks, url, memory }), AUTOSAVE_READ_TIMEOUT_MS, null);
  } catch {
    start = null;
  }
  start ??= await unreadTabRun(locks, memory);
  const autosaver = new Autosaver({ runs, runId: start.runId, locks });
  const savedRuns = new TabRuns(start, runs, locks, memory, autosaver);
  const store = startDashboard(options, { ...restoreOptions(start.found), savedRuns, discardAutosave: () => autosaver.discard() });
  autosaver.attach(store);
  return store;
}

/** sessionStorage, or a stand-in where it is blocked (the tab then forgets its run on reload). */
function tabMemory(): TabMemory {
  try {
    sessionStorage.getItem('probe');
    return sessionStorage;
  } catch {
    const kept = new Map<string, string>();
    return { getItem: (key) => kept.get(key) ?? null, setItem: (key, value) => void kept.set(key, value) };
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms))]);
}
