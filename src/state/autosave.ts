/**
 * Autosave: the run is written to IndexedDB so that a reload, a crash or a closed tab
 * loses at most one autosave period of training (10 s for networks up to ~1M parameters).
 *
 * What: this tab's run record (see autosave-runs.ts: checkpoint, chart, statistics,
 * configuration, and a summary to list it by). When: every period while training runs,
 * when training pauses, when the network or trainer changes, and when the page is hidden
 * (the last chance before a tab is closed or discarded).
 *
 * Atomic by construction: a record and its summary are written in one IndexedDB
 * transaction, which commits entirely or not at all, so a save cut short (tab closed,
 * crash, full storage) leaves the previous record as it was.
 *
 * Cost: a save copies the weights and the trainer's state out of the worker and into
 * IndexedDB, which grows with the network. Measured in Chromium on a loaded 2-core
 * machine, a 1M-parameter MLP with Adam (12 MB) took 0.44 s from asking the worker to the
 * committed write (tests/e2e/runs-across-tabs.test.ts prints it; the bare copy and put
 * were ~15 ms and 60-110 ms): ~0.45 ms per 1,000 parameters, 4.4% of a 10 s period. The
 * period is stretched so that a save takes at most 5% of it, first by that estimate, then
 * by the save times measured here (the Run card states both).
 */
import { errorMessage } from '../engine';
import type { SessionCheckpoint } from '../training/checkpoint';
import type { RunLocks } from './autosave-locks';
import {
  AUTOSAVE_VERSION,
  estimateBytes,
  MAX_KEPT_BYTES,
  MAX_KEPT_RUNS,
  summarizeRun,
  type AutosaveRecord,
  type FoundAutosave,
  type SavedRuns,
} from './autosave-runs';
import type { DashboardState } from './types';
import { EMPTY_STATS, type DashboardStore, type DashboardStoreOptions, type RestoredRun } from './store';
import { addNotice } from './slices/run';

/** While training runs, a save at most this often (stretched for big networks, see periodFor), ms. */
export const AUTOSAVE_PERIOD_MS = 10_000;
/** Reading the autosave at page load may not hold the page up longer than this, ms. */
export const AUTOSAVE_READ_TIMEOUT_MS = 3000;
/** The share of training time saves may take. */
export const AUTOSAVE_TIME_SHARE = 0.05;
/** What a save costs per parameter before one was measured (see the file comment), ms. */
export const SAVE_MS_PER_PARAM = 0.00045;

/** The period that keeps a save of `saveMs` within AUTOSAVE_TIME_SHARE, in whole seconds, never under AUTOSAVE_PERIOD_MS. */
export function periodFor(saveMs: number): number {
  return Math.max(AUTOSAVE_PERIOD_MS, Math.ceil(saveMs / AUTOSAVE_TIME_SHARE / 1000) * 1000);
}

/** The store options for what was found: a run to restore, or the refusal to show. */
export function restoreOptions(found: FoundAutosave): Pick<DashboardStoreOptions, 'restored' | 'autosaveRefusal'> {
  if (found.kind === 'found') {
    const { checkpoint, lossHistory, stats, savedAt } = found.record;
    const restored: RestoredRun = { checkpoint, lossHistory, stats, savedAt };
    return { restored };
  }
  if (found.kind === 'refused') {
    return { autosaveRefusal: `The autosaved run could not be restored, so a fresh run starts: ${found.problem}.` };
  }
  return {};
}

/** What the autosave needs of the page: its visibility (document in the app, a stand-in in tests). */
export interface PageVisibility {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export interface AutosaverOptions {
  runs: SavedRuns;
  /** This tab's run: the record it writes (the tab holds its lock). */
  runId: string;
  /** Which runs other tabs hold, so the cap never drops one of them. */
  locks?: RunLocks | null;
  /** The shortest period, ms (AUTOSAVE_PERIOD_MS; tests pass their own). */
  periodMs?: number;
  /** Wall clock, ms (Date.now); save times are measured with it too. */
  now?: () => number;
  page?: PageVisibility | null;
  /** Asks the browser to keep the site's storage under pressure (navigator.storage.persist); called before the first save. */
  persist?: (() => Promise<unknown>) | null;
  /** How much storage is free (navigator.storage.estimate), for the message when a save does not fit. */
  estimate?: (() => Promise<{ quota?: number; usage?: number }>) | null;
  /** The cap on runs kept (see SavedRuns.enforceCap); defaults there. */
  maxRuns?: number;
  maxBytes?: number;
}

/** Why the last save failed (e.g. the storage quota), or null after a good one. */
export type AutosaveError = string | null;

/**
 * Saves the run of a dashboard store when it is due (see the file comment). Create it
 * first, give its `discard` to the store (the banner's "Start fresh"), then `attach`.
 */
export class Autosaver {
  private readonly runs: SavedRuns;
  private runId: string;
  private readonly locks: RunLocks | null;
  private readonly minPeriodMs: number;
  private readonly now: () => number;
  private readonly page: PageVisibility | null;
  private readonly persist: (() => Promise<unknown>) | null;
  private readonly estimate: (() => Promise<{ quota?: number; usage?: number }>) | null;
  private readonly cap: { maxRuns?: number; maxBytes?: number };
  private store: DashboardStore | null = null;
  private unsubscribe: (() => void) | null = null;
  /** When the periodic clock started: the last save, or the moment training (re)started. */
  private periodFrom = 0;
  /** How long the last save of this network took, ms; null before one. */
  private measuredSaveMs: number | null = null;
  private persistAsked = false;
  private saving: Promise<void> | null = null;
  private saveAgain = false;
  /** Bumped by discard and switchRun, so a save in flight then is dropped. */
  private generation = 0;
  lastError: AutosaveError = null;
  /** Examples seen in the last record written (for tests and diagnostics). */
  lastSavedExamples: number | null = null;

  constructor(options: AutosaverOptions) {
    this.runs = options.runs;
    this.runId = options.runId;
    this.locks = options.locks ?? null;
    this.minPeriodMs = options.periodMs ?? AUTOSAVE_PERIOD_MS;
    this.now = options.now ?? (() => Date.now());
    this.page = options.page === undefined ? (typeof document === 'undefined' ? null : document) : options.page;
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    this.persist = options.persist === undefined ? (storage?.persist ? () => storage.persist() : null) : options.persist;
    this.estimate = options.estimate === undefined ? (storage?.estimate ? () => storage.estimate() : null) : options.estimate;
    this.cap = { maxRuns: options.maxRuns, maxBytes: options.maxBytes };
  }

  /** Starts watching the store and the page. */
  attach(store: DashboardStore): void {
    this.detach();
    this.store = store;
    this.periodFrom = this.now();
    this.unsubscribe = store.subscribe((state, previous) => this.onChange(state, previous));
    this.page?.addEventListener('visibilitychange', this.onVisibility);
    this.showPeriod();
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.page?.removeEventListener('visibilitychange', this.onVisibility);
    this.store = null;
  }

  /** How often a save is due while training runs, ms: stretched so saves take at most 5% of it. */
  get periodMs(): number {
    const params = this.store?.getState().network?.totalParams ?? 0;
    const saveMs = this.measuredSaveMs ?? params * SAVE_MS_PER_PARAM;
    return Math.max(this.minPeriodMs, periodFor(saveMs));
  }

  /** The run this tab saves from now on (the recent-runs offer's Resume); a save in flight is dropped. */
  switchRun(id: string): void {
    this.generation++;
    this.runId = id;
    this.periodFrom = this.now();
  }

  /** Forgets the saved run ("Start fresh"); a save in flight is dropped too. */
  async discard(): Promise<void> {
    this.generation++;
    this.periodFrom = this.now();
    await this.runs.remove(this.runId);
  }

  /**
   * Saves now (one at a time: a request during a save runs once after it). Resolves when
   * written, or when there was nothing to save (no run yet, a fault, no answer).
   */
  save(): Promise<void> {
    if (this.saving) {
      this.saveAgain = true;
      return this.saving;
    }
    this.saving = this.writeRecord().finally(() => {
      this.saving = null;
      if (this.saveAgain) {
        this.saveAgain = false;
        void this.save();
      }
    });
    return this.saving;
  }

  /** Resolves when no save is running or queued. */
  async settled(): Promise<void> {
    while (this.saving) await this.saving;
  }

  private onChange(state: DashboardState, previous: DashboardState): void {
    if (state.network !== previous.network && state.network?.totalParams !== previous.network?.totalParams) {
      // Another size of network: its saves cost something else.
      this.measuredSaveMs = null;
      this.showPeriod();
    }
    if (state.fault) return;
    const running = state.stats?.running ?? false;
    const wasRunning = previous.stats?.running ?? false;
    const now = this.now();
    // The period counts training time: it starts again when training (re)starts.
    if (running && !wasRunning) this.periodFrom = now;
    if (wasRunning && !running) {
      void this.save();
    } else if (state.network !== previous.network && previous.network !== null && state.network !== null) {
      // A new network or trainer setting: worth keeping at once, not a period later.
      void this.save();
    } else if (running && now - this.periodFrom >= this.periodMs) {
      this.periodFrom = now;
      void this.save();
    }
  }

  private readonly onVisibility = (): void => {
    if (this.page?.visibilityState !== 'hidden') return;
    const state = this.store?.getState();
    if (!state || state.fault || state.stats === null) return;
    void this.save();
  };

  /** Puts the period and the last save's time in the store, for the Run card. */
  private showPeriod(): void {
    const shown = { autosavePeriodMs: this.periodMs, autosaveSaveMs: this.measuredSaveMs };
    const store = this.store;
    if (!store) return;
    const state = store.getState();
    if (state.autosavePeriodMs !== shown.autosavePeriodMs || state.autosaveSaveMs !== shown.autosaveSaveMs) store.setState(shown);
  }

  private async writeRecord(): Promise<void> {
    const store = this.store;
    if (!store || store.getState().fault || store.getState().stats === null) return;
    if (!this.persistAsked && this.persist) {
      this.persistAsked = true;
      // Best effort: a browser may say no, and the saves go on either way.
      await this.persist().catch(() => undefined);
    }
    const generation = this.generation;
    const runId = this.runId;
    const startedAt = this.now();
    const checkpoint = await store.getState().actions.exportCheckpoint();
    if (!checkpoint || generation !== this.generation) return;
    const state = store.getState();
    const record: AutosaveRecord = {
      version: AUTOSAVE_VERSION,
      savedAt: this.now(),
      checkpoint,
      lossHistory: state.lossHistory.filter((p) => p.examples <= checkpoint.examples),
      stats: { ...(state.stats ?? EMPTY_STATS), examplesSeen: checkpoint.examples },
      // As the address bar holds it (run-url-sync): the text in force, live trainer changes included.
      config: { definitionText: textInForce(state, checkpoint), seed: checkpoint.seed },
    };
    try {
      await this.runs.write(runId, record, summarizeRun(runId, record));
    } catch (error) {
      await this.failed(store, error, record);
      return;
    }
    this.lastError = null;
    this.lastSavedExamples = checkpoint.examples;
    this.measuredSaveMs = this.now() - startedAt;
    this.periodFrom = Math.max(this.periodFrom, record.savedAt);
    this.showPeriod();
    await this.keepWithinCap(store, runId);
  }

  /** The previous record stays (the transaction aborted); training goes on, and the next due save tries again. */
  private async failed(store: DashboardStore, error: unknown, record: AutosaveRecord): Promise<void> {
    const firstFailure = this.lastError === null;
    this.lastError = errorMessage(error);
    // Said once per spell of failures (not at every period), in the notice the Run card shows.
    if (!firstFailure) return;
    const lastGood = this.lastSavedExamples === null ? 'the last good save' : `the last good save (${this.lastSavedExamples.toLocaleString('en-US')} examples)`;
    let notice: string;
    if (isQuotaError(error)) {
      const free = await this.freeBytes();
      const room = free === null ? '' : `, and ${megabytes(free)} are free`;
      notice =
        `Autosave stopped: this site's storage is full (the run's record needs about ${megabytes(estimateBytes(record))}${room}). ` +
        `Training goes on, but a reload would go back to ${lastGood}. Deleting saved runs you no longer need frees space.`;
    } else {
      notice = `Autosave failed (${this.lastError}); training goes on, but a reload would go back to ${lastGood}.`;
    }
    store.setState({ notice: addNotice(store.getState().notice, notice) });
  }

  private async freeBytes(): Promise<number | null> {
    try {
      const estimate = await this.estimate?.();
      return estimate?.quota === undefined || estimate.usage === undefined ? null : Math.max(0, estimate.quota - estimate.usage);
    } catch {
      return null;
    }
  }

  /** Drops the oldest runs beyond the cap (never this tab's, nor one open in another tab), with a note. */
  private async keepWithinCap(store: DashboardStore, runId: string): Promise<void> {
    try {
      const elsewhere = (await this.locks?.heldElsewhere()) ?? new Set<string>();
      const dropped = await this.runs.enforceCap(new Set([runId, ...elsewhere]), this.cap.maxRuns, this.cap.maxBytes);
      if (dropped.length === 0) return;
      const names = dropped.map((run) => `${run.network} at ${run.examples.toLocaleString('en-US')} examples`).join('; ');
      const notice = `Autosave keeps at most ${this.cap.maxRuns ?? MAX_KEPT_RUNS} runs (${megabytes(this.cap.maxBytes ?? MAX_KEPT_BYTES)}), so it dropped the oldest: ${names}.`;
      store.setState({ notice: addNotice(store.getState().notice, notice) });
    } catch {
      // The cap is housekeeping: a failure here must not stop saving.
    }
  }
}

/** The definition text in force for the checkpoint's run (the store's, unless it already shows another run). */
function textInForce(state: DashboardState, checkpoint: SessionCheckpoint): string {
  const network = state.network;
  return network && network.seed === checkpoint.seed ? network.definitionText : checkpoint.definitionText;
}

/** Storage full: Chromium and Firefox name it QuotaExceededError (Firefox's old name was NS_ERROR_DOM_QUOTA_REACHED). */
export function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
