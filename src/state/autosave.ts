/**
 * Autosave: the run is written to IndexedDB (through idb-keyval) so that a reload, a
 * crash or a closed tab loses at most ~10 s of training.
 *
 * What: one record holding the session checkpoint (network, weights, optimizer state,
 * generator, statistics windows), the chart history, the statistics shown and the run's
 * configuration. When: every AUTOSAVE_PERIOD_MS while training runs, when training pauses,
 * when the network or trainer changes, and when the page is hidden (the last chance before
 * a tab is closed or discarded). On load the record is checked before anything uses it.
 *
 * Atomic by construction: the whole record is one value under one key, and idb-keyval's
 * `set` is one `put` in one readwrite transaction. IndexedDB commits a transaction
 * entirely or not at all, so a save cut short (tab closed, crash, quota) leaves the
 * previous record as it was; no reader ever sees a new checkpoint beside an old chart.
 */
import { createStore, del, get, set } from 'idb-keyval';
import { SEED_DEFINITION_TEXT } from '../engine';
import { checkpointProblem, type SessionCheckpoint } from '../training/checkpoint';
import type { LossPoint, TrainingStats } from '../training/protocol';
import { carriesRunConfig, DEFAULT_SEED, readRunConfig, type RunInForce } from './run-url';
import type { DashboardState } from './types';
import { EMPTY_STATS, type DashboardStore, type DashboardStoreOptions, type RestoredRun } from './store';
import { addNotice } from './slices/run';
import { errorMessage } from '../engine';

export const AUTOSAVE_KEY = 'run';
export const AUTOSAVE_VERSION = 1;
/** While training runs, a save at most this often: the most training a reload can lose, ms. */
export const AUTOSAVE_PERIOD_MS = 10_000;
/** Reading the autosave at page load may not hold the page up longer than this, ms. */
export const AUTOSAVE_READ_TIMEOUT_MS = 3000;

export interface AutosaveRecord {
  version: typeof AUTOSAVE_VERSION;
  /** ms since the epoch. */
  savedAt: number;
  checkpoint: SessionCheckpoint;
  /** The loss chart as shown (downsampled), oldest first. */
  lossHistory: LossPoint[];
  stats: TrainingStats;
  /** The run's configuration, as a link carries it (see run-url.ts). */
  config: RunInForce;
}

/** Where the record lives: one value under one key. IndexedDB in the app, a Map in tests. */
export interface AutosaveStorage {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

/** The app's storage: a database of its own, so nothing else on the origin can clash with it. */
export function indexedDbStorage(): AutosaveStorage {
  const store = createStore('mnist-cnn-dashboard', 'autosave');
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
  };
}

/** Why `value` is not a usable autosave record (a sentence naming the field), or null. */
export function autosaveProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'the saved record is not an object';
  const record = value as Partial<Record<keyof AutosaveRecord, unknown>>;
  if (record.version !== AUTOSAVE_VERSION) {
    return `it was saved by another version of the app (record version ${String(record.version)}, this app reads ${AUTOSAVE_VERSION})`;
  }
  if (typeof record.savedAt !== 'number' || !Number.isFinite(record.savedAt)) return 'savedAt must be a time';
  const checkpoint = checkpointProblem(record.checkpoint);
  if (checkpoint) return checkpoint;
  if (!Array.isArray(record.lossHistory) || !record.lossHistory.every(isLossPoint)) {
    return 'lossHistory must be a list of {examples, loss} points';
  }
  const stats = record.stats as Partial<TrainingStats> | null | undefined;
  if (typeof stats !== 'object' || stats === null || typeof stats.examplesSeen !== 'number') return 'stats are missing';
  const config = record.config as Partial<RunInForce> | null | undefined;
  if (typeof config !== 'object' || config === null || typeof config.definitionText !== 'string' || typeof config.seed !== 'number') {
    return 'config must hold the definition text and the seed';
  }
  return null;
}

function isLossPoint(value: unknown): value is LossPoint {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<LossPoint>;
  return typeof p.examples === 'number' && typeof p.loss === 'number';
}

/** What the page found at load. */
export type FoundAutosave =
  | { kind: 'none' }
  | { kind: 'found'; record: AutosaveRecord }
  /** A record that cannot be used: why, in a sentence. */
  | { kind: 'refused'; problem: string }
  /** A good record of another run than the one the page's link asks for: left alone. */
  | { kind: 'other-run' };

/**
 * Reads the autosave. With a run configuration in the URL (a shared link), only a record
 * of that same run is used; the link wins otherwise. A damaged record is refused.
 */
export async function readAutosave(storage: AutosaveStorage, url: URLSearchParams): Promise<FoundAutosave> {
  let value: unknown;
  try {
    value = await storage.get(AUTOSAVE_KEY);
  } catch (error) {
    return { kind: 'refused', problem: `it could not be read (${errorMessage(error)})` };
  }
  if (value === undefined) return { kind: 'none' };
  const problem = autosaveProblem(value);
  if (problem) return { kind: 'refused', problem };
  const record = value as AutosaveRecord;
  if (carriesRunConfig(url)) {
    const { config } = readRunConfig(url);
    const wanted: RunInForce = { definitionText: config.definitionText ?? SEED_DEFINITION_TEXT, seed: config.seed ?? DEFAULT_SEED };
    if (wanted.definitionText !== record.config.definitionText || wanted.seed !== record.config.seed) return { kind: 'other-run' };
  }
  return { kind: 'found', record };
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
  storage: AutosaveStorage;
  periodMs?: number;
  /** Wall clock, ms (Date.now). */
  now?: () => number;
  page?: PageVisibility | null;
}

/** Why the last save failed (e.g. the storage quota), or null after a good one. */
export type AutosaveError = string | null;

/**
 * Saves the run of a dashboard store when it is due (see the file comment). Create it
 * first, give its `discard` to the store (the banner's "Start fresh"), then `attach`.
 */
export class Autosaver {
  private readonly storage: AutosaveStorage;
  private readonly periodMs: number;
  private readonly now: () => number;
  private readonly page: PageVisibility | null;
  private store: DashboardStore | null = null;
  private unsubscribe: (() => void) | null = null;
  /** When the periodic clock started: the last save, or the moment training (re)started. */
  private periodFrom = 0;
  private saving: Promise<void> | null = null;
  private saveAgain = false;
  /** Bumped by discard, so a save in flight when the person chose "Start fresh" is dropped. */
  private generation = 0;
  lastError: AutosaveError = null;
  /** Examples seen in the last record written (for tests and diagnostics). */
  lastSavedExamples: number | null = null;

  constructor(options: AutosaverOptions) {
    this.storage = options.storage;
    this.periodMs = options.periodMs ?? AUTOSAVE_PERIOD_MS;
    this.now = options.now ?? (() => Date.now());
    this.page = options.page === undefined ? (typeof document === 'undefined' ? null : document) : options.page;
  }

  /** Starts watching the store and the page. */
  attach(store: DashboardStore): void {
    this.detach();
    this.store = store;
    this.periodFrom = this.now();
    this.unsubscribe = store.subscribe((state, previous) => this.onChange(state, previous));
    this.page?.addEventListener('visibilitychange', this.onVisibility);
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.page?.removeEventListener('visibilitychange', this.onVisibility);
    this.store = null;
  }

  /** Forgets the saved run ("Start fresh"); a save in flight is dropped too. */
  async discard(): Promise<void> {
    this.generation++;
    this.periodFrom = this.now();
    await this.storage.del(AUTOSAVE_KEY);
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
    if (state.fault) return;
    const running = state.stats?.running ?? false;
    const wasRunning = previous.stats?.running ?? false;
    const now = this.now();
    // The period counts training time: it starts again when training (re)starts.
    if (running && !wasRunning) this.periodFrom = now;
    if (wasRunning && !running) {
      void this.save();
    } else if (state.network !== previous.network && previous.network !== null && state.network !== null) {
      // A new network or trainer setting: worth keeping at once, not up to 10 s later.
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

  private async writeRecord(): Promise<void> {
    const store = this.store;
    if (!store || store.getState().fault || store.getState().stats === null) return;
    const generation = this.generation;
    const checkpoint = await store.getState().actions.exportCheckpoint();
    if (!checkpoint || generation !== this.generation) return;
    const state = store.getState();
    const record: AutosaveRecord = {
      version: AUTOSAVE_VERSION,
      savedAt: this.now(),
      checkpoint,
      lossHistory: state.lossHistory.filter((p) => p.examples <= checkpoint.examples),
      stats: { ...(state.stats ?? EMPTY_STATS), examplesSeen: checkpoint.examples },
      config: { definitionText: checkpoint.definitionText, seed: checkpoint.seed },
    };
    try {
      await this.storage.set(AUTOSAVE_KEY, record);
      this.lastError = null;
      this.lastSavedExamples = checkpoint.examples;
      this.periodFrom = Math.max(this.periodFrom, record.savedAt);
    } catch (error) {
      // The previous record stays (the transaction aborted); the next due save tries again.
      const firstFailure = this.lastError === null;
      this.lastError = errorMessage(error);
      // Said once per spell of failures (not every 10 s), in the notice the Run card shows.
      if (firstFailure) {
        const notice = `Autosave failed (${this.lastError}); training goes on, but a reload would go back to the last good save.`;
        store.setState({ notice: addNotice(store.getState().notice, notice) });
      }
    }
  }
}
