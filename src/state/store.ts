/**
 * The dashboard store (zustand). Components read it through selectors and call its
 * actions; they never see the worker.
 *
 * How to use it:
 * - The app: `startDashboard()` (src/state/bridge.ts) creates the worker-backed store;
 *   wrap the tree in `<DashboardContext.Provider value={store}>` and read with
 *   `useDashboard((s) => s.stats)` / `useDashboardActions()`.
 * - Component tests: `createDashboardStore(createFakeBackend())` (src/state/fake-backend.ts)
 *   gives the same store over a scripted backend; push data with `backend.emitUpdate(...)`.
 *
 * Selectors must return stable values (a field, not a new object each call); pick several
 * fields with `useShallow` from 'zustand/react/shallow'.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ActionResult,
  ClassifyResult,
  DataProgress,
  LayerView,
  LayerStatsPoint,
  LossPoint,
  SessionUpdate,
  TestPrediction,
  TrainingStats,
} from '../training/protocol';
import type { TrainerSpec } from '../engine/spec';
import type { DashboardActions, DashboardState, EvaluationState, TestEvaluationPoint } from './types';
import type { EvaluationOutcome, EvaluationProgress, TestEvaluation } from '../training/evaluation';
import { LossHistory } from './loss-history';
import type { ResumeFrom, SessionCheckpoint } from '../training/checkpoint';

/** What the backend pushes to the store. */
export interface DashboardEvents {
  data(progress: DataProgress): void;
  update(update: SessionUpdate): void;
  /** Something stopped training for good (worker exception); shown as a banner. */
  fault(message: string): void;
  /** Something worth saying that did not stop training; shown until dismissed. */
  notice(message: string): void;
  /** The saved run the worker was to resume was refused (damaged, another version): a fresh run trains; says why. */
  resumeRefused(message: string): void;
}

/**
 * Everything the store needs from the training side. The worker bridge implements it;
 * tests use a fake. Calls that can be rejected resolve with { ok: false, error } and
 * change nothing; a call that throws means the backend itself failed (shown as a fault).
 */
export interface DashboardBackend {
  /**
   * Called once by the store: from then on the backend pushes through `events`. With
   * `resume`, the first worker goes on with that saved run instead of starting one.
   */
  connect(events: DashboardEvents, resume?: ResumeFrom): void;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Trains one mini-batch while paused. */
  step(): Promise<void>;
  setTrainer(changes: Partial<TrainerSpec>): Promise<ActionResult>;
  setNetwork(definitionText: string): Promise<ActionResult>;
  /** Same network and trainer, fresh weights from the seed; a seed out of range is refused. */
  restartRun(seed: number): Promise<ActionResult>;
  saveSnapshot(): Promise<string>;
  loadSnapshot(jsonText: string): Promise<ActionResult>;
  /** Classifies the image and makes the layer snapshots show it until cleared. */
  classifyImage(pixels: Uint8Array): Promise<ClassifyResult>;
  clearInspectedImage(): Promise<void>;
  layerViews(indices: number[]): Promise<LayerView[]>;
  /** Per-layer weight norms, gradient norms and update ratios over the run (the inspector's charts). */
  layerTrainingHistory(): Promise<LayerStatsPoint[]>;
  /** Pins (true) or releases the last training example for the layer views; resolves whether one is pinned. */
  freezeExample(frozen: boolean): Promise<boolean>;
  retryData(): Promise<void>;
  /** Throws the session away (after a fault) and starts a fresh one, or goes on from `from`'s checkpoint. */
  restart(from?: ResumeFrom | null): Promise<void>;
  /** A copy of the run to go on with later (autosave, restart after a fault). */
  exportCheckpoint(): Promise<SessionCheckpoint>;
  /** Evaluates the whole test set beside training; onProgress hears ~10 times a second until it settles. */
  evaluateTestSet(onProgress: (progress: EvaluationProgress) => void): Promise<EvaluationOutcome>;
  cancelEvaluation(): Promise<void>;
  /** Raw pixels of test images, 784 bytes each, in the order asked. */
  testImages(indices: number[]): Promise<Uint8Array>;
}

export const IDLE_EVALUATION: EvaluationState = { status: 'idle', done: 0, total: 0, result: null, error: null };

export const MAX_PREDICTIONS = 200;
export const MAX_LOSS_POINTS = 2000;
/** Evaluations are started by hand and take seconds each; the chart keeps the latest this many. */
export const MAX_TEST_EVALUATION_POINTS = 200;
/** Layer views refresh at this period while training runs (a few times a second). */
export const SNAPSHOT_PERIOD_MS = 250;
/**
 * New test predictions reach the list at most this often. Each arrival shifts the whole
 * grid of 200 digits, so a few per second would keep the page busy re-laying it out.
 */
export const PREDICTIONS_PERIOD_MS = 1000;

export type DashboardStore = StoreApi<DashboardState> & {
  /** Stops the snapshot timer (tests, hot reload). */
  dispose(): void;
};

const INITIAL_DATA: DataProgress = { phase: 'loading', loaded: 0, total: 0, message: null };

/** How long a checkpoint may take to come back before the worker counts as not answering, ms. */
export const CHECKPOINT_TIMEOUT_MS = 5000;

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
  /** Forgets the autosave: "Start fresh", or a saved run the worker refused. */
  discardAutosave?: () => Promise<void>;
}

export function createDashboardStore(backend: DashboardBackend, options: DashboardStoreOptions = {}): DashboardStore {
  const history = new LossHistory(MAX_LOSS_POINTS);
  const restored = options.restored ?? null;
  if (restored) history.add(pointsUpTo(restored.lossHistory, restored.checkpoint.examples));
  /** The last checkpoint the worker gave (autosave): where a restart after a fault goes back to. */
  let lastCheckpoint: SessionCheckpoint | null = restored?.checkpoint ?? null;
  /** Set while a worker starts from a checkpoint: its run goes on with the chart shown, not a new one. */
  let continuesRun = restored !== null;
  let runId: number | null = null;
  let visibleLayers: number[] = [];
  /** Layer views need a refresh even though training is not running (step, pause, new image). */
  let snapshotsStale = true;
  let snapshotRequestInFlight = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  /** Predictions received but not yet shown (oldest first), and when the list last changed. */
  let heldPredictions: TestPrediction[] = [];
  let predictionsShownAt = -Infinity;
  let predictionsTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every evaluation start and cancel, so a superseded evaluation's answers are ignored. */
  let evaluationGeneration = 0;

  const store = createStore<DashboardState>()((set, get) => {
    /** Runs a backend call; a throw becomes the fault banner instead of an unhandled rejection. */
    async function guarded<T>(what: string, call: () => Promise<T>, fallback: T): Promise<T> {
      try {
        return await call();
      } catch (err) {
        reportFault(`${what} failed: ${errorMessage(err)}`);
        return fallback;
      }
    }

    const actions: DashboardActions = {
      async pause() {
        await guarded('Pause', () => backend.pause(), undefined);
        snapshotsStale = true;
      },
      async resume() {
        await guarded('Resume', () => backend.resume(), undefined);
      },
      async step() {
        await guarded('Step', () => backend.step(), undefined);
        snapshotsStale = true;
        void refreshSnapshots();
      },
      async setTrainer(changes) {
        return guarded('Changing the trainer', () => backend.setTrainer(changes), failed('the training worker failed'));
      },
      async setNetwork(text) {
        return guarded('Changing the network', () => backend.setNetwork(text), failed('the training worker failed'));
      },
      async restartRun(seed) {
        return guarded('Restarting the run', () => backend.restartRun(seed), failed('the training worker failed'));
      },
      dismissNotice() {
        set({ notice: null });
      },
      async saveSnapshot() {
        return backend.saveSnapshot();
      },
      async loadSnapshot(text) {
        return guarded('Loading the snapshot', () => backend.loadSnapshot(text), failed('the training worker failed'));
      },
      async classifyImage(pixels) {
        // The worker may take ownership of the buffer; keep our own copy for display.
        const copy = new Uint8Array(pixels);
        const result = await guarded<ClassifyResult>(
          'Classifying the image',
          () => backend.classifyImage(new Uint8Array(pixels)),
          failed('the training worker failed'),
        );
        if (!result.ok) return result;
        set({ userImage: { pixels: copy, top3: result.top3 } });
        snapshotsStale = true;
        void refreshSnapshots();
        return { ok: true };
      },
      clearUserImage() {
        set({ userImage: null });
        snapshotsStale = true;
        void guarded('Clearing the image', () => backend.clearInspectedImage(), undefined).then(() => refreshSnapshots());
      },
      async inspectLayers(indices) {
        return guarded('Reading the layer inspector', () => backend.layerViews(indices), []);
      },
      async fetchLayerTrainingHistory() {
        return guarded('Reading the layer statistics', () => backend.layerTrainingHistory(), []);
      },
      async freezeExample(frozen) {
        const pinned = await guarded('Freezing the example', () => backend.freezeExample(frozen), false);
        set({ exampleFrozen: pinned });
        snapshotsStale = true;
        void refreshSnapshots();
      },
      clearLossHistory() {
        history.clear();
        set({ lossHistory: history.values, testEvaluationPoints: [] });
      },
      setVisibleLayers(indices) {
        const next = [...new Set(indices)].sort((a, b) => a - b);
        const added = next.some((i) => !visibleLayers.includes(i));
        visibleLayers = next;
        if (added) snapshotsStale = true;
        updateTimer();
        if (added) void refreshSnapshots();
      },
      async retryData() {
        set({ data: { ...INITIAL_DATA }, fault: null });
        await guarded('Reloading the data', () => backend.retryData(), undefined);
      },
      async restartTraining() {
        if (lastCheckpoint) return restartFromCheckpoint(lastCheckpoint);
        runId = null;
        history.clear();
        dropHeldPredictions();
        set({
          data: { ...INITIAL_DATA },
          stats: null,
          network: null,
          lossHistory: history.values,
          testEvaluationPoints: [],
          layerViews: {},
          predictions: [],
          userImage: null,
          fault: null,
          notice: null,
          evaluation: IDLE_EVALUATION,
        });
        evaluationGeneration++;
        snapshotsStale = true;
        await guarded('Restarting training', () => backend.restart(), undefined);
      },
      async evaluateTestSet() {
        if (get().evaluation.status === 'running') return;
        const mine = ++evaluationGeneration;
        const ours = () => mine === evaluationGeneration;
        set({ evaluation: { ...get().evaluation, status: 'running', done: 0, total: 0, error: null } });
        const outcome = await guarded<EvaluationOutcome>(
          'Evaluating the test set',
          () =>
            backend.evaluateTestSet(({ done, total }) => {
              if (ours()) set({ evaluation: { ...get().evaluation, done, total } });
            }),
          { ok: false, cancelled: false, error: 'the training worker failed' },
        );
        if (!ours()) return;
        const current = get().evaluation;
        if (!outcome.ok) {
          set({ evaluation: { ...current, status: outcome.cancelled ? 'cancelled' : 'error', error: outcome.cancelled ? null : outcome.error } });
        } else if (outcome.evaluation.runId !== runId) {
          // The network changed meanwhile: the result describes weights that are gone.
          set({ evaluation: { ...IDLE_EVALUATION, status: 'error', error: 'The network changed during the evaluation; evaluate again.' } });
        } else {
          const { total } = outcome.evaluation;
          set({
            evaluation: { status: 'done', done: total, total, result: outcome.evaluation, error: null },
            testEvaluationPoints: [...get().testEvaluationPoints, testEvaluationPoint(outcome.evaluation)].slice(-MAX_TEST_EVALUATION_POINTS),
          });
        }
      },
      cancelEvaluation() {
        if (get().evaluation.status !== 'running') return;
        evaluationGeneration++;
        set({ evaluation: { ...get().evaluation, status: 'cancelled' } });
        void guarded('Cancelling the evaluation', () => backend.cancelEvaluation(), undefined);
      },
      testImages(indices) {
        return backend.testImages(indices);
      },
      async exportCheckpoint() {
        if (get().fault) return null;
        try {
          const checkpoint = await withTimeout(backend.exportCheckpoint(), CHECKPOINT_TIMEOUT_MS);
          lastCheckpoint = checkpoint;
          return checkpoint;
        } catch {
          return null;
        }
      },
      async resumeFromAutosave() {
        set({ autosave: null });
        await actions.resume();
      },
      async startFresh() {
        set({ autosave: null });
        lastCheckpoint = null;
        continuesRun = false;
        await options.discardAutosave?.().catch(() => undefined);
        await actions.restartTraining();
      },
      dismissAutosaveNotice() {
        set({ autosave: null });
      },
    };

    /**
     * A new worker that goes on from the checkpoint: the chart keeps what led up to it (points
     * after it are dropped, as that training is lost) and the statistics stay until the new
     * worker reports its own, restored with the run.
     */
    async function restartFromCheckpoint(checkpoint: SessionCheckpoint) {
      runId = null;
      continuesRun = true;
      const kept = pointsUpTo(history.values, checkpoint.examples);
      history.clear();
      history.add(kept);
      const stats = get().stats;
      set({
        data: { ...INITIAL_DATA },
        stats: stats ? { ...stats, examplesSeen: checkpoint.examples, examplesPerSecond: 0, running: false } : stats,
        lossHistory: history.values,
        layerViews: {},
        userImage: null,
        fault: null,
        evaluation: IDLE_EVALUATION,
      });
      evaluationGeneration++;
      snapshotsStale = true;
      await guarded('Restarting training', () => backend.restart({ checkpoint, paused: false }), undefined);
    }

    function reportFault(message: string) {
      const stats = get().stats;
      set({ fault: message, stats: stats ? { ...stats, running: false } : stats });
    }

    return {
      data: { ...INITIAL_DATA },
      stats: restored ? { ...restored.stats, examplesSeen: restored.checkpoint.examples, examplesPerSecond: 0, running: false } : null,
      network: null,
      lossHistory: history.values,
      testEvaluationPoints: [],
      layerViews: {},
      predictions: [],
      userImage: null,
      fault: null,
      notice: null,
      exampleFrozen: false,
      evaluation: IDLE_EVALUATION,
      autosave: restored
        ? { kind: 'resumed', examples: restored.checkpoint.examples, savedAt: restored.savedAt }
        : options.autosaveRefusal
          ? { kind: 'refused', message: options.autosaveRefusal }
          : null,
      actions,
    };
  });

  function applyUpdate(update: SessionUpdate) {
    const state = store.getState();
    // The first run of a worker started from a checkpoint is the run the chart already shows.
    const continued = update.runId !== runId && continuesRun;
    if (continued) continuesRun = false;
    const newRun = update.runId !== runId && !continued;
    runId = update.runId;
    // A checkpoint of the old network is no place to restart the new one from.
    if (newRun) lastCheckpoint = null;
    if (newRun) {
      history.clear();
      snapshotsStale = true;
    }
    const chartChanged = history.add(update.lossPoints);
    const patch: Partial<DashboardState> = { stats: update.stats };
    if (state.autosave?.kind === 'resumed' && (newRun || update.stats.running)) patch.autosave = null;
    if (newRun || chartChanged) patch.lossHistory = history.values;
    if (newRun && state.testEvaluationPoints.length > 0) patch.testEvaluationPoints = [];
    if (newRun) {
      dropHeldPredictions();
      patch.predictions = [];
    }
    holdPredictions(update.predictions);
    if (heldPredictions.length > 0 && Date.now() - predictionsShownAt >= PREDICTIONS_PERIOD_MS) {
      patch.predictions = takeHeldPredictions(newRun ? [] : state.predictions);
    } else if (heldPredictions.length > 0 && predictionsTimer === null) {
      predictionsTimer = setTimeout(showHeldPredictions, PREDICTIONS_PERIOD_MS - (Date.now() - predictionsShownAt));
    }
    if (newRun) patch.layerViews = {};
    // A new run forgets the pinned example (the session drops it with the old network).
    if (newRun) patch.exampleFrozen = false;
    // An evaluation result describes the weights of its own run only.
    if (newRun && state.evaluation.result && state.evaluation.result.runId !== update.runId) {
      patch.evaluation = { ...state.evaluation, result: null, status: state.evaluation.status === 'running' ? 'running' : 'idle' };
    }
    if (update.network) patch.network = update.network;
    store.setState(patch);
    const wasRunning = state.stats?.running ?? false;
    if (wasRunning && !update.stats.running) snapshotsStale = true;
    updateTimer();
    if (newRun) void refreshSnapshots();
  }

  function holdPredictions(incoming: readonly TestPrediction[]) {
    if (incoming.length === 0) return;
    heldPredictions = [...heldPredictions, ...incoming].slice(-MAX_PREDICTIONS);
  }

  /** The list with the held predictions added; empties the hold. */
  function takeHeldPredictions(current: readonly TestPrediction[]): TestPrediction[] {
    const merged = mergePredictions(current, heldPredictions);
    heldPredictions = [];
    predictionsShownAt = Date.now();
    return merged;
  }

  function showHeldPredictions() {
    predictionsTimer = null;
    if (heldPredictions.length > 0) store.setState({ predictions: takeHeldPredictions(store.getState().predictions) });
  }

  function dropHeldPredictions() {
    heldPredictions = [];
    if (predictionsTimer !== null) clearTimeout(predictionsTimer);
    predictionsTimer = null;
  }

  /** Asks for the visible layers' snapshots, one request at a time, dropping answers from an old run. */
  async function refreshSnapshots(): Promise<void> {
    if (snapshotRequestInFlight || visibleLayers.length === 0 || runId === null) return;
    const network = store.getState().network;
    const indices = network ? visibleLayers.filter((i) => i < network.layers.length) : visibleLayers;
    if (indices.length === 0) return;
    snapshotRequestInFlight = true;
    snapshotsStale = false;
    const askedRun = runId;
    try {
      const snapshots = await backend.layerViews(indices);
      if (askedRun !== runId) return;
      const next: Record<number, LayerView> = { ...store.getState().layerViews };
      for (const s of snapshots) next[s.index] = s;
      store.setState({ layerViews: next });
    } catch (err) {
      store.setState({ fault: `Reading the layer views failed: ${errorMessage(err)}` });
    } finally {
      snapshotRequestInFlight = false;
    }
  }

  function updateTimer() {
    const wanted = visibleLayers.length > 0;
    if (wanted && timer === null) {
      timer = setInterval(() => {
        const running = store.getState().stats?.running ?? false;
        if (running || snapshotsStale) void refreshSnapshots();
      }, SNAPSHOT_PERIOD_MS);
    } else if (!wanted && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  backend.connect({
    data(progress) {
      store.setState({ data: progress });
    },
    update: applyUpdate,
    fault(message) {
      const stats = store.getState().stats;
      store.setState({ fault: message, stats: stats ? { ...stats, running: false } : stats });
    },
    notice(message) {
      const current = store.getState().notice;
      // One line each: a broken link can have both a bad seed and a bad network.
      store.setState({ notice: current ? `${current}\n${message}` : message });
    },
    resumeRefused(message) {
      // The fresh run the worker started instead is a run of its own: nothing restored stays.
      continuesRun = false;
      lastCheckpoint = null;
      runId = null;
      history.clear();
      store.setState({ lossHistory: history.values, autosave: { kind: 'refused', message } });
      void options.discardAutosave?.().catch(() => undefined);
    },
  }, restored ? { checkpoint: restored.checkpoint, paused: true } : undefined);

  return Object.assign(store, {
    dispose() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      dropHeldPredictions();
    },
  });
}

/** The chart points up to `examples` (a checkpoint's): what the run had drawn when it was saved. */
export function pointsUpTo(points: readonly LossPoint[], examples: number): LossPoint[] {
  return points.filter((p) => p.examples <= examples);
}

/** The promise's value, or a rejection once `ms` pass without one (a worker that died never answers). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Newest first, capped; incoming predictions arrive oldest first. */
export function mergePredictions(current: readonly TestPrediction[], incoming: readonly TestPrediction[]): TestPrediction[] {
  const newestFirst = [...incoming].reverse();
  return [...newestFirst, ...current].slice(0, MAX_PREDICTIONS);
}

/** The accuracy chart's point for a finished evaluation. */
export function testEvaluationPoint(evaluation: TestEvaluation): TestEvaluationPoint {
  const { examplesSeen, total, fourCropCorrect, centerCorrect } = evaluation;
  return { examples: examplesSeen, fourCropAccuracy: fourCropCorrect / total, centerAccuracy: centerCorrect / total };
}

/** Fraction correct over the predictions held (the last 200 test images); null when none. */
export function testAccuracy(predictions: readonly TestPrediction[]): number | null {
  if (predictions.length === 0) return null;
  return predictions.filter((p) => p.correct).length / predictions.length;
}

/** The stats a paused, empty session would show; handy for first renders and tests. */
export const EMPTY_STATS: TrainingStats = {
  examplesSeen: 0,
  examplesPerSecond: 0,
  forwardMs: 0,
  backwardMs: 0,
  classificationLoss: 0,
  l2DecayLoss: 0,
  trainingAccuracy: null,
  validationAccuracy: null,
  running: false,
  pausedReason: null,
};

function failed(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The store the component tree reads; provided by main.tsx (or a test). */
export const DashboardContext = createContext<DashboardStore | null>(null);

/** Reads a slice of the dashboard state; re-renders only when that slice changes. */
export function useDashboard<T>(selector: (state: DashboardState) => T): T {
  const store = useContext(DashboardContext);
  if (!store) throw new Error('useDashboard needs a <DashboardContext.Provider value={store}> above it');
  return useStore(store, selector);
}

export function useDashboardActions(): DashboardActions {
  return useDashboard((s) => s.actions);
}
