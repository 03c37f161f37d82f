/**
 * The page's side of the comparison: a small backend interface the panel talks to, and
 * its real implementation on top of a Comlink-wrapped comparison worker. Each comparison
 * gets a fresh worker; Stop terminates it, which frees its networks at once.
 */
import * as Comlink from 'comlink';
import type { ActionResult } from '../training/protocol';
import type { ComparisonCallbacks, ComparisonWorkerApi } from './comparison-worker';
import type { ComparisonRequest, ComparisonUpdate } from './protocol';

export interface ComparisonListener {
  update(update: ComparisonUpdate): void;
  /** The comparison stopped for good (worker crash, exception in a step). */
  fault(message: string): void;
}

/**
 * What the panel needs. start resolves { ok: false, error } for a request the worker
 * refuses (nothing starts); pause, resume and stop act on the comparison running, if any.
 */
export interface ComparisonBackend {
  start(request: ComparisonRequest, listener: ComparisonListener): Promise<ActionResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerComparisonOptions {
  /** Directory URL of the MNIST chunks (manifest.json); default `mnist/` next to the page. */
  dataUrl?: string;
}

export function createWorkerComparisonBackend(options: WorkerComparisonOptions = {}): ComparisonBackend {
  let worker: Worker | null = null;
  let api: Comlink.Remote<ComparisonWorkerApi> | null = null;
  /** Bumped per comparison, so a stopped worker's late messages are ignored. */
  let generation = 0;

  function end(): void {
    generation++;
    api?.[Comlink.releaseProxy]();
    worker?.terminate();
    worker = null;
    api = null;
  }

  return {
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
      api = Comlink.wrap<ComparisonWorkerApi>(worker);
      const callbacks: ComparisonCallbacks = {
        update: (update) => current(() => listener.update(update)),
        fault: (message) => current(() => listener.fault(message)),
      };
      const result = await api.start(request, { dataUrl }, Comlink.proxy(callbacks));
      if (!result.ok && mine === generation) end();
      return result;
    },
    async pause() {
      await api?.pause();
    },
    async resume() {
      await api?.resume();
    },
    async stop() {
      end();
    },
  };
}
