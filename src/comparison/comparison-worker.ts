/**
 * The comparison worker: loads MNIST the way the training worker does and runs a
 * TrainerComparison in time slices, exposed to the page with Comlink. The only file of
 * the comparison that knows it lives in a worker.
 */
import * as Comlink from 'comlink';
import { MnistBrowserLoader } from '../data/browser-loader';
import { parseNetwork } from '../engine/parse';
import { resolveTrainer } from '../engine/spec';
import { errorMessage } from '../engine/error-message';
import { createYieldScheduler } from '../parallel/yield-scheduler';
import type { ActionResult } from '../training/protocol';
import { TrainerComparison } from './comparison-runner';
import type { ComparisonApi, ComparisonEvents, ComparisonRequest, ComparisonStartOptions, ComparisonUpdate } from './protocol';

/** Training runs this long before yielding, so pause and stop are served promptly. */
const SLICE_MS = 15;
/** Progress reaches the page at most this often while training (the chart redraws once a second). */
const UPDATE_PERIOD_MS = 250;

class ComparisonWorker implements ComparisonApi {
  private comparison: TrainerComparison | null = null;
  private loader: MnistBrowserLoader | null = null;
  private callbacks: ComparisonEvents | null = null;
  private running = false;
  private waitingForData = false;
  private dataMessage: string | null = 'Loading MNIST…';
  private lastPush = 0;
  private failed = false;
  /** At most one slice is queued, however often pause and resume alternate. */
  private readonly scheduler = createYieldScheduler({ messageChannelOnly: true });

  start(request: ComparisonRequest, options: ComparisonStartOptions, callbacks: ComparisonEvents): ActionResult {
    if (this.comparison) return { ok: false, error: 'a comparison is already running in this worker' };
    let comparison: TrainerComparison;
    try {
      const { layers } = parseNetwork(request.definitionText);
      const trainers = request.trainers.map((t, i) => {
        try {
          return resolveTrainer(t);
        } catch (error) {
          throw new Error(`${request.labels[i] ?? `trainer ${i + 1}`}: ${errorMessage(error)}`);
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
      return { ok: false, error: errorMessage(error) };
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
      this.dataMessage = errorMessage(error);
    }
    this.push();
  }

  private schedule(): void {
    this.scheduler(() => this.slice());
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
      this.callbacks?.fault(`The comparison stopped: a training step failed in its worker (${errorMessage(error)}).`);
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

Comlink.expose(new ComparisonWorker());
