/**
 * The page's side of the comparison: the backend the store's comparison slice talks to,
 * and its real implementation on top of a Comlink-wrapped comparison worker. Each
 * comparison gets a fresh worker; stop terminates it, which frees its networks at once.
 */
import * as Comlink from 'comlink';
import type { ActionResult, Promised } from '../training/protocol';
import {
  COMPARISON_CONTROLS,
  COMPARISON_EVENTS,
  type ComparisonApi,
  type ComparisonControls,
  type ComparisonEvents,
  type ComparisonRequest,
} from './protocol';

/**
 * What the page needs. start resolves { ok: false, error } for a request the worker
 * refuses (nothing starts); pause, resume and stop act on the comparison running, if any.
 */
export interface ComparisonBackend extends Promised<ComparisonControls> {
  start(request: ComparisonRequest, events: ComparisonEvents): Promise<ActionResult>;
  stop(): Promise<void>;
}

export interface WorkerComparisonOptions {
  /** Directory URL of the MNIST chunks (manifest.json); default `mnist/` next to the page. */
  dataUrl?: string;
}

export function createWorkerComparisonBackend(options: WorkerComparisonOptions = {}): ComparisonBackend {
  let worker: Worker | null = null;
  let api: Comlink.Remote<ComparisonApi> | null = null;
  /** Bumped per comparison, so a stopped worker's late messages are ignored. */
  let generation = 0;

  function end(): void {
    generation++;
    api?.[Comlink.releaseProxy]();
    worker?.terminate();
    worker = null;
    api = null;
  }

  const backend = {
    async start(request, listener) {
      end();
      const mine = generation;
      const current = (fn: () => void) => {
        if (mine === generation) fn();
      };
      const dataUrl = options.dataUrl ?? new URL('mnist/', document.baseURI).href;
      worker = new Worker(new URL('./comparison-worker.ts', import.meta.url), { type: 'module' });
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        const detail = event instanceof ErrorEvent && event.message ? event.message : 'it could not start or crashed';
        current(() => listener.fault(`The comparison worker failed: ${detail}.`));
      });
      api = Comlink.wrap<ComparisonApi>(worker);
      // Every event of this worker reaches the page only while it is the current one.
      const events = {} as ComparisonEvents;
      for (const name of COMPARISON_EVENTS) {
        events[name] = (arg: never) => current(() => (listener[name] as (arg: unknown) => void)(arg));
      }
      const result = await api.start(request, { dataUrl }, Comlink.proxy(events));
      if (!result.ok && mine === generation) end();
      return result;
    },
    async stop() {
      end();
    },
  } as ComparisonBackend;
  for (const name of COMPARISON_CONTROLS) {
    // No comparison running: nothing to pause or resume.
    backend[name] = async () => {
      await api?.[name]();
    };
  }
  return backend;
}
