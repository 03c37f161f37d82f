/**
 * The comparison worker: loads MNIST the way the training worker does and runs a
 * TrainerComparison in time slices, exposed to the page with Comlink. The only file of
 * the comparison that knows it lives in a worker.
 */
import * as Comlink from 'comlink';
import { MnistBrowserLoader } from '../data/browser-loader';
import { parseNetwork } from '../engine/parse';
import { resolveTrainer } from '../engine/spec';
import type { ActionResult } from '../training/protocol';
import { TrainerComparison } from './comparison-runner';
import type { ComparisonRequest, ComparisonUpdate } from './protocol';

/** Training runs this long before yielding, so pause and stop are served promptly. */
const SLICE_MS = 15;
/** Progress reaches the page at most this often while training (the chart redraws once a second). */
const UPDATE_PERIOD_MS = 250;

export interface ComparisonStartOptions {
  /** URL of the directory holding the MNIST chunks' manifest.json. */
  dataUrl: string;
}

export interface ComparisonCallbacks {
  update(update: ComparisonUpdate): void;
  fault(message: string): void;
}

class ComparisonWorker {
  private comparison: TrainerComparison | null = null;
  private loader: MnistBrowserLoader | null = null;
  private callbacks: ComparisonCallbacks | null = null;
  private running = false;
  private waitingForData = false;
  private dataMessage: string | null = 'Loading MNIST…';
  private lastPush = 0;
  private failed = false;
  /** A slice is queued: at most one at a time, however often pause and resume alternate. */
  private scheduled = false;
  private readonly channel = new MessageChannel();

  constructor() {
    // A MessageChannel message, unlike setTimeout(0), is not clamped to 4 ms when nested.
    this.channel.port1.onmessage = () => {
      this.scheduled = false;
      this.slice();
    };
  }

  /**
   * Checks the request, builds the networks and starts training as soon as data is in.
   * A rejected request changes nothing and says why.
   */
  start(request: ComparisonRequest, options: ComparisonStartOptions, callbacks: ComparisonCallbacks): ActionResult {
    if (this.comparison) return { ok: false, error: 'a comparison is already running in this worker' };
    let comparison: TrainerComparison;
    try {
      const { layers } = parseNetwork(request.definitionText);
      const trainers = request.trainers.map((t, i) => {
        try {
          return resolveTrainer(t);
        } catch (error) {
          throw new Error(`${request.labels[i] ?? `trainer ${i + 1}`}: ${messageOf(error)}`);
        }
      });
      const loader = new MnistBrowserLoader({
        baseUrl: options.dataUrl,
        onProgress: (p) => {
          if (p.totalBytes > 0) this.dataMessage = `Loading MNIST… ${Math.floor((100 * p.loadedBytes) / p.totalBytes)}%`;
          // The first examples have arrived: the loop, idle while it waited, starts again.
          if (this.running && this.waitingForData && loader.train.count > 0) {
            this.waitingForData = false;
            this.schedule();
          }
        },
      });
      comparison = new TrainerComparison(
        {
          get train() {
            return loader.train;
          },
          get trainTotal() {
            return loader.manifest?.sets.train.count ?? 0;
          },
        },
        { layers, trainers, labels: request.labels, seed: request.seed },
      );
      this.loader = loader;
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
    this.comparison = comparison;
    this.callbacks = callbacks;
    this.running = true;
    void this.loadData();
    this.schedule();
    this.push();
    return { ok: true };
  }

  pause(): void {
    this.running = false;
    this.push();
  }

  resume(): void {
    if (!this.comparison || this.failed) return;
    this.running = true;
    this.schedule();
    this.push();
  }

  private async loadData(): Promise<void> {
    const loader = this.loader!;
    try {
      await loader.load();
      this.dataMessage = null;
    } catch (error) {
      this.dataMessage = messageOf(error);
    }
    this.push();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.channel.port2.postMessage(null);
  }

  private slice(): void {
    const comparison = this.comparison;
    if (!comparison || !this.running || this.failed) return;
    const end = performance.now() + SLICE_MS;
    try {
      let outcome: ReturnType<TrainerComparison['trainNext']> = 'trained';
      while (performance.now() < end && outcome === 'trained') outcome = comparison.trainNext();
      this.waitingForData = outcome === 'no-data';
      if (outcome === 'finished') this.running = false;
    } catch (error) {
      this.failed = true;
      this.running = false;
      this.callbacks?.fault(`The comparison stopped: a training step failed in its worker (${messageOf(error)}).`);
      return;
    }
    if (performance.now() - this.lastPush >= UPDATE_PERIOD_MS || !this.running) this.push();
    // While no example has arrived, the loader's progress restarts the loop.
    if (this.running && !this.waitingForData) this.schedule();
  }

  private push(): void {
    const comparison = this.comparison;
    if (!comparison || !this.callbacks || this.failed) return;
    this.lastPush = performance.now();
    const waiting = this.waitingForData || comparison.reports().every((r) => r.examples === 0);
    const update: ComparisonUpdate = {
      phase: !this.running ? 'paused' : waiting && this.dataMessage !== null ? 'waiting-for-data' : 'running',
      runs: comparison.reports(),
      dataMessage: this.dataMessage,
    };
    this.callbacks.update(update);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type ComparisonWorkerApi = ComparisonWorker;

Comlink.expose(new ComparisonWorker());
