/**
 * The bridge between the page and the training worker: starts the worker, wraps it with
 * Comlink, and gives the store its backend: every TrainingApi operation under its own
 * name (one loop over TRAINING_METHODS), plus connect and restart, which are the
 * bridge's own. The worker already limits its pushes (~10 a second); the store turns
 * each into one state change.
 */
import * as Comlink from 'comlink';
import { errorMessage } from '../engine';
import { TRAINING_EVENTS, TRAINING_METHODS, type TrainingApi, type TrainingEvents, type TrainingWorkerApi } from '../training/protocol';
import { createDashboardStore, type DashboardBackend, type DashboardStore, type DashboardStoreOptions } from './store';
import type { ResumeFrom } from '../training/checkpoint';
import { startHeartbeat } from './heartbeat';
import { readRunConfig } from './run-url';
import { followRunInUrl } from './run-url-sync';
import { readDatasetChoice } from '../data/dataset-client';

export interface WorkerBackendOptions {
  /** Directory URL of the MNIST chunks (manifest.json); default `mnist/` next to the page. */
  dataUrl?: string;
  seed?: number;
  /** Workers that train; default: the page URL's `?workers=N`, else the worker picks from the cores (trainingWorkerCount). */
  workers?: number;
}

/** `?workers=N` in the page's URL asks for N training workers, at most the cores (see trainingWorkerCount). */
function workersFromUrl(): number | undefined {
  const value = new URLSearchParams(globalThis.location?.search ?? '').get('workers');
  return value === null ? undefined : Number(value);
}

export function createWorkerBackend(options: WorkerBackendOptions = {}): DashboardBackend {
  let events: TrainingEvents | null = null;
  let worker: Worker | null = null;
  let api: Comlink.Remote<TrainingWorkerApi> | null = null;
  /** Bumped per worker, so a dying worker's late events cannot reach the new run. */
  let generation = 0;

  const dataUrl = options.dataUrl ?? new URL('mnist/', document.baseURI).href;
  let workers = options.workers ?? workersFromUrl();

  /** Stops the current worker's heartbeat (before it is terminated on purpose). */
  let stopHeartbeat = () => {};

  function spawn(resume?: ResumeFrom): void {
    stopHeartbeat();
    const mine = ++generation;
    const sink = events!;
    const current = (fn: () => void) => {
      if (mine === generation) fn();
    };
    worker = new Worker(new URL('../training/worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('error', (event) => {
      // Handled here: shown as a banner with "Restart training", not logged as uncaught.
      event.preventDefault();
      const detail = event instanceof ErrorEvent && event.message ? event.message : 'it could not start or crashed';
      current(() => sink.fault(`The training worker failed: ${detail}.`));
    });
    worker.addEventListener('messageerror', () => {
      current(() => sink.fault('The training worker sent a message that could not be read.'));
    });
    api = Comlink.wrap<TrainingWorkerApi>(worker);
    const pinged = api;
    // From the moment the worker is up (loading its script may take a while on a slow link;
    // a worker that fails to load fires 'error' above).
    const watch = () => {
      stopHeartbeat = startHeartbeat({
        ping: () => pinged.ping(),
        onDead: (silentMs) =>
          current(() =>
            sink.fault(
              `The training worker stopped answering (no reply for ${Math.round(silentMs / 1000)} s): it was closed or ran out of memory.`,
            ),
          ),
      });
    };
    // Every event of this worker reaches the store only while it is the current one.
    const callbacks = {} as TrainingEvents;
    for (const name of TRAINING_EVENTS) {
      callbacks[name] = (arg: never) => current(() => (sink[name] as (arg: unknown) => void)(arg));
    }
    // Read at every spawn: after a restart the address bar holds the run in force (see followRunInUrl).
    const link = readRunConfig(new URLSearchParams(globalThis.location?.search ?? ''));
    for (const problem of link.problems) sink.notice(problem);
    const seed = link.config.seed ?? options.seed;
    // The dataset the Dataset panel chose (remembered in localStorage), read at every spawn like the link.
    const dataset = readDatasetChoice();
    api
      .start({ dataUrl, seed, definitionText: link.config.definitionText, workers, resume, dataset }, Comlink.proxy(callbacks))
      .then(() => current(watch))
      .catch((error: unknown) => {
        current(() => sink.fault(`Starting training failed: ${errorMessage(error)}`));
      });
  }

  function remote(): Comlink.Remote<TrainingWorkerApi> {
    if (!api) throw new Error('the training worker is not running');
    return api;
  }

  const backend = {
    connect(e, resume) {
      events = e;
      spawn(resume);
    },
    async restart(from, threads) {
      if (threads !== undefined) workers = threads;
      stopHeartbeat();
      generation++;
      api?.[Comlink.releaseProxy]();
      worker?.terminate();
      worker = null;
      api = null;
      spawn(from ?? undefined);
    },
  } as DashboardBackend;
  for (const name of TRAINING_METHODS) {
    // A function argument (evaluateTestSet's progress) is called back across the worker boundary.
    const call = (...args: unknown[]) =>
      (remote()[name] as (...a: unknown[]) => Promise<unknown>)(...args.map((a) => (typeof a === 'function' ? Comlink.proxy(a) : a)));
    (backend as Record<keyof TrainingApi, unknown>)[name] = call;
  }
  return backend;
}

/** The app's store, backed by a fresh training worker. Called once from main.tsx. */
export function startDashboard(options: WorkerBackendOptions = {}, storeOptions: DashboardStoreOptions = {}): DashboardStore {
  const store = createDashboardStore(createWorkerBackend(options), storeOptions);
  followRunInUrl(store);
  return store;
}
