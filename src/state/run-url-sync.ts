/**
 * Keeps the address bar on the run in force: whenever the session reports its network
 * summary (a changed network, a live trainer change, a Reset with a seed, a loaded
 * snapshot), the URL's `net` and `seed` are rewritten in place (replaceState, so Back
 * is not flooded with every trainer tweak). Copying the address then shares the run.
 * The tab's autosaved run id goes in `run` (see autosave-tab.ts) whenever it changes, and
 * the training threads picked in the stats card in `workers` (the bridge reads it at load).
 */
import type { DashboardStore } from './store';
import { RUN_PARAM, WORKERS_PARAM, writeRunConfig } from './run-url';

/** The bits of window.location / window.history this needs; tests pass their own. */
export interface AddressBar {
  readonly location: { readonly href: string };
  readonly history: { readonly state: unknown; replaceState(data: unknown, unused: string, url: string): void };
  addEventListener?(type: 'popstate', listener: () => void): void;
  removeEventListener?(type: 'popstate', listener: () => void): void;
}

/** Starts following the store; returns the unsubscribe function. */
export function followRunInUrl(store: DashboardStore, bar: AddressBar = window): () => void {
  const write = () => {
    const { network, savedRunId, trainingWorkers } = store.getState();
    const url = new URL(bar.location.href);
    if (savedRunId !== null) url.searchParams.set(RUN_PARAM, savedRunId);
    // Only a count picked on the page is written: a link's own ?workers= stays as it came.
    if (trainingWorkers !== null) url.searchParams.set(WORKERS_PARAM, String(trainingWorkers));
    // A summary without a seed was not made by a session (tests); nothing to reproduce.
    if (network && network.seed !== undefined) {
      url.search = writeRunConfig(url.searchParams, { definitionText: network.definitionText, seed: network.seed }).toString();
    }
    if (url.href !== bar.location.href) bar.history.replaceState(bar.history.state, '', url.href);
  };
  write();
  // Back and Forward land on entries written before the last change (e.g. the inspector's
  // `?layer=` entries); they get the run in force too.
  bar.addEventListener?.('popstate', write);
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.network !== previous.network || state.savedRunId !== previous.savedRunId || state.trainingWorkers !== previous.trainingWorkers) write();
  });
  return () => {
    unsubscribe();
    bar.removeEventListener?.('popstate', write);
  };
}
