/**
 * The bridge between the page and the training worker: starts the worker, wraps it with
 * Comlink, and implements the store's DashboardBackend on top of it. The worker already
 * limits its pushes (~10 a second); the store turns each into one state change.
 */
import * as Comlink from 'comlink';
import type { TrainingWorkerApi, WorkerCallbacks } from '../training/worker';
import { createDashboardStore, type DashboardBackend, type DashboardEvents, type DashboardStore } from './store';

export interface WorkerBackendOptions {
  /** Directory URL of the MNIST chunks (manifest.json); default `mnist/` next to the page. */
  dataUrl?: string;
  seed?: number;
  /** Workers that train (1 or 2); default: the page URL's `?workers=` or 1. */
  workers?: number;
}

/** `?workers=2` in the page's URL asks for two training workers (see TrainingWorker.start). */
function workersFromUrl(): number | undefined {
  const value = new URLSearchParams(globalThis.location?.search ?? '').get('workers');
  return value === null ? undefined : Number(value);
}

export function createWorkerBackend(options: WorkerBackendOptions = {}): DashboardBackend {
  let events: DashboardEvents | null = null;
  let worker: Worker | null = null;
  let api: Comlink.Remote<TrainingWorkerApi> | null = null;
  /** Bumped per worker, so a dying worker's late events cannot reach the new run. */
  let generation = 0;

  const dataUrl = options.dataUrl ?? new URL('mnist/', document.baseURI).href;
  const workers = options.workers ?? workersFromUrl();

  function spawn(): void {
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
    const callbacks: WorkerCallbacks = {
      update: (update) => current(() => sink.update(update)),
      data: (progress) => current(() => sink.data(progress)),
      fault: (message) => current(() => sink.fault(message)),
    };
    api.start({ dataUrl, seed: options.seed, workers }, Comlink.proxy(callbacks)).catch((error: unknown) => {
      current(() => sink.fault(`Starting training failed: ${error instanceof Error ? error.message : String(error)}`));
    });
  }

  function remote(): Comlink.Remote<TrainingWorkerApi> {
    if (!api) throw new Error('the training worker is not running');
    return api;
  }

  return {
    connect(e) {
      events = e;
      spawn();
    },
    pause: () => remote().pause(),
    resume: () => remote().resume(),
    step: () => remote().step(),
    setTrainer: (changes) => remote().setTrainer(changes),
    changeNetwork: (text) => remote().setNetwork(text),
    saveSnapshot: () => remote().exportSnapshot(),
    loadSnapshot: (text) => remote().importSnapshot(text),
    classifyImage: (pixels) => remote().classifyImage(pixels),
    clearInspectedImage: () => remote().clearInspectedImage(),
    layerSnapshots: (indices) => remote().layerSnapshots(indices),
    layerTrainingHistory: () => remote().layerTrainingHistory(),
    freezeExample: (frozen) => remote().freezeExample(frozen),
    retryData: () => remote().retryData(),
    evaluateTestSet: (onProgress) => remote().evaluateTestSet(Comlink.proxy(onProgress)),
    cancelEvaluation: () => remote().cancelEvaluation(),
    testImages: (indices) => remote().testImages(indices),
    async restart() {
      generation++;
      api?.[Comlink.releaseProxy]();
      worker?.terminate();
      worker = null;
      api = null;
      spawn();
    },
  };
}

/** The app's store, backed by a fresh training worker. Called once from main.tsx. */
export function startDashboard(options: WorkerBackendOptions = {}): DashboardStore {
  return createDashboardStore(createWorkerBackend(options));
}
