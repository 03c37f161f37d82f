/**
 * What every slice of the dashboard store is made with (zustand's slices pattern): the
 * store's own set and get, the backend, and the store's options. A slice creator returns
 * its state and its actions; createDashboardStore combines them into one store.
 */
import type { StoreApi } from 'zustand/vanilla';
import { errorMessage } from '../../engine';
import type { ComparisonBackend } from '../../comparison/comparison-client';
import type { DatasetBackend, LossPoint, Promised, TrainingApi, TrainingEvents, TrainingStats } from '../../training/protocol';
import type { ResumeFrom, SessionCheckpoint } from '../../training/checkpoint';
import type { DashboardActions, DashboardState, SavedRunSummary } from '../types';

/**
 * Everything the store needs from the training side: the training API with promised
 * results (the bridge wraps the worker; tests use a fake built from the same list), plus
 * the bridge's own connect and restart.
 */
export interface DashboardBackend extends Promised<TrainingApi> {
  /**
   * Called once by the store: from then on the backend pushes through `events`. With
   * `resume`, the first worker goes on with that saved run instead of starting one.
   */
  connect(events: TrainingEvents, resume?: ResumeFrom): void;
  /**
   * Throws the session away (after a fault) and starts a fresh one, or goes on from `from`'s
   * checkpoint; with `workers`, that many training threads from then on.
   */
  restart(from?: ResumeFrom | null, workers?: number): Promise<void>;
}

/** A run read back from the autosave at page load (see src/state/autosave.ts). */
export interface RestoredRun {
  checkpoint: SessionCheckpoint;
  lossHistory: readonly LossPoint[];
  stats: TrainingStats;
  /** When it was saved, ms since the epoch. */
  savedAt: number;
}

export interface DashboardStoreOptions {
  /** Start from this saved run, paused, with the autosave banner, instead of a fresh run. */
  restored?: RestoredRun | null;
  /** Why an autosave found at page load could not be used (the banner says so); a fresh run starts. */
  autosaveRefusal?: string | null;
  /** Forgets this tab's saved run: "Start fresh", or a saved run the worker refused. */
  discardAutosave?: () => Promise<void>;
  /** This tab's run and the other saved runs (src/state/autosave-tab.ts); absent without autosave. */
  savedRuns?: SavedRunsAccess;
  /** The trainer comparison's backend; default: a comparison worker, made on the first start. */
  comparison?: ComparisonBackend;
  /** Loading and keeping datasets, and which one is chosen; default: a dataset worker and this browser's storage. */
  datasets?: DatasetBackend;
}

/** What the store may do with the runs the autosave keeps. */
export interface SavedRunsAccess {
  /** This tab's run id at page load. */
  readonly runId: string;
  /** The runs to offer at page load (none when the tab went back to its own run), newest first. */
  readonly offer: readonly SavedRunSummary[];
  /** A message when the tab's run was open in another tab at load (so a new run started), else null. */
  readonly openElsewhere: string | null;
  /** Makes `id` this tab's run and reads it, or says why not (another tab has it open, its record is damaged). */
  open(id: string): Promise<{ ok: true; run: RestoredRun } | { ok: false; error: string }>;
  /** Forgets run `id`, or says why not; answers the runs left to offer. */
  remove(id: string): Promise<{ ok: true; runs: SavedRunSummary[] } | { ok: false; error: string }>;
}

export interface SliceContext {
  set: StoreApi<DashboardState>['setState'];
  get: () => DashboardState;
  backend: DashboardBackend;
  options: DashboardStoreOptions;
  /** Runs a backend call; a throw becomes the fault banner instead of an unhandled rejection. */
  guarded<T>(what: string, call: () => Promise<T>, fallback: T): Promise<T>;
}

/** A slice creator: its part of the state, and its actions. */
export type Slice<State, ActionName extends keyof DashboardActions> = (context: SliceContext) => State & {
  actions: Pick<DashboardActions, ActionName>;
};

/** The fault banner, with training shown as stopped. */
export function withFault(state: DashboardState, message: string): Partial<DashboardState> {
  return { fault: message, stats: state.stats ? { ...state.stats, running: false } : state.stats };
}

export function sliceContext(
  set: SliceContext['set'],
  get: SliceContext['get'],
  backend: DashboardBackend,
  options: DashboardStoreOptions,
): SliceContext {
  return {
    set,
    get,
    backend,
    options,
    async guarded(what, call, fallback) {
      try {
        return await call();
      } catch (error) {
        set(withFault(get(), `${what} failed: ${errorMessage(error)}`));
        return fallback;
      }
    },
  };
}

/** A rejected action's answer when the worker itself failed. */
export const WORKER_FAILED = { ok: false, error: 'the training worker failed' } as const;
