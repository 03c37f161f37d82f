/**
 * The run slice: data progress, statistics, the network in force, the metrics chart, the
 * fault and notice banners, and the run bookkeeping (which run is shown, where a restart
 * goes back to). It also turns the worker's events into state (runEvents).
 */
import { MNIST_IDENTITY, type DataProgress, type LossPoint, type SessionUpdate, type TrainingEvents, type TrainingStats } from '../../training/protocol';
import type { SessionCheckpoint } from '../../training/checkpoint';
import { LossHistory } from '../loss-history';
import type { DashboardState, RunSlice } from '../types';
import { WORKER_FAILED, withFault, type Slice, type SliceContext } from './context';
import { IDLE_EVALUATION, evaluationOfNewRun } from './evaluation';
import { predictionsAfterUpdate } from './predictions';

export const MAX_LOSS_POINTS = 2000;
/** How long a checkpoint may take to come back before the worker counts as not answering, ms. */
export const CHECKPOINT_TIMEOUT_MS = 5000;

export const INITIAL_DATA: DataProgress = { phase: 'loading', loaded: 0, total: 0, message: null };

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

type RunActions =
  | 'pause'
  | 'resume'
  | 'step'
  | 'setTrainer'
  | 'setNetwork'
  | 'restartRun'
  | 'dismissNotice'
  | 'saveSnapshot'
  | 'loadSnapshot'
  | 'saveOnnx'
  | 'loadOnnx'
  | 'clearLossHistory'
  | 'retryData'
  | 'restartTraining'
  | 'setTrainingWorkers'
  | 'exportCheckpoint';

export const createRunSlice: Slice<RunSlice, RunActions> = (context) => {
  const { set, get, backend, guarded } = context;
  const restored = context.options.restored ?? null;
  const chartHistory = new LossHistory(MAX_LOSS_POINTS);
  if (restored) chartHistory.add(pointsUpTo(restored.lossHistory, restored.checkpoint.examples));
  return {
    data: { ...INITIAL_DATA },
    stats: restored ? { ...restored.stats, examplesSeen: restored.checkpoint.examples, examplesPerSecond: 0, running: false } : null,
    network: null,
    dataset: MNIST_IDENTITY,
    lossHistory: chartHistory.values,
    chartHistory,
    fault: null,
    notice: null,
    runId: null,
    continuesRun: restored !== null,
    lastCheckpoint: restored?.checkpoint ?? null,
    trainingWorkers: null,
    actions: {
      // pause and step: the layer views then show the weights training stopped at.
      async pause() {
        await guarded('Pause', () => backend.pause(), undefined);
        set({ viewsStale: true });
      },
      async resume() {
        await guarded('Resume', () => backend.resume(), undefined);
      },
      async step() {
        await guarded('Step', () => backend.step(), undefined);
        set({ viewsStale: true });
      },
      setTrainer: (changes) => guarded('Changing the trainer', () => backend.setTrainer(changes), WORKER_FAILED),
      setNetwork: (text) => guarded('Changing the network', () => backend.setNetwork(text), WORKER_FAILED),
      restartRun: (seed) => guarded('Restarting the run', () => backend.restartRun(seed), WORKER_FAILED),
      dismissNotice() {
        set({ notice: null });
      },
      saveSnapshot: () => backend.saveSnapshot(),
      loadSnapshot: (text) => guarded('Loading the snapshot', () => backend.loadSnapshot(text), WORKER_FAILED),
      saveOnnx: () => backend.saveOnnx(),
      loadOnnx: (bytes) => guarded('Loading the ONNX model', () => backend.loadOnnx(bytes), WORKER_FAILED),
      clearLossHistory() {
        get().chartHistory.clear();
        set({ lossHistory: get().chartHistory.values, testEvaluationPoints: [] });
      },
      async retryData() {
        set({ data: { ...INITIAL_DATA }, fault: null });
        await guarded('Reloading the data', () => backend.retryData(), undefined);
      },
      async restartTraining() {
        const checkpoint = get().lastCheckpoint;
        if (checkpoint) return restartFromCheckpoint(context, checkpoint, { paused: false });
        set(clearedRun(get()));
        await guarded('Restarting training', () => backend.restart(), undefined);
      },
      async setTrainingWorkers(workers) {
        if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`training threads must be a whole number of at least 1, got ${workers}`);
        const paused = !(get().stats?.running ?? false);
        // A checkpoint taken now, so the new workers lose nothing; after a fault, the last one.
        const checkpoint = (await get().actions.exportCheckpoint()) ?? get().lastCheckpoint;
        set({ trainingWorkers: workers });
        if (checkpoint) return restartFromCheckpoint(context, checkpoint, { paused, workers });
        set(clearedRun(get()));
        await guarded('Restarting training', () => backend.restart(null, workers), undefined);
      },
      async exportCheckpoint() {
        if (get().fault) return null;
        try {
          const checkpoint = await withTimeout(backend.exportCheckpoint(), CHECKPOINT_TIMEOUT_MS);
          set({ lastCheckpoint: checkpoint });
          return checkpoint;
        } catch {
          return null;
        }
      },
    },
  };
};

/** The state while a new worker starts a run: nothing of the old run shown (its chart is emptied here). */
export function clearedRun(state: DashboardState): Partial<DashboardState> {
  state.chartHistory.clear();
  return {
    runId: null,
    data: { ...INITIAL_DATA },
    stats: null,
    network: null,
    lossHistory: state.chartHistory.values,
    testEvaluationPoints: [],
    layerViews: {},
    predictions: [],
    heldPredictions: [],
    userImage: null,
    fault: null,
    notice: null,
    evaluation: IDLE_EVALUATION,
    evaluationGeneration: state.evaluationGeneration + 1,
    viewsStale: true,
  };
}

/**
 * A new worker that goes on from the checkpoint: the chart keeps what led up to it (points
 * after it are dropped, as that training is lost) and the statistics stay until the new
 * worker reports its own, restored with the run. `how.workers`: the new worker trains on that many threads.
 */
async function restartFromCheckpoint(
  { set, get, backend, guarded }: SliceContext,
  checkpoint: SessionCheckpoint,
  how: { paused: boolean; workers?: number },
): Promise<void> {
  const state = get();
  const kept = pointsUpTo(state.chartHistory.values, checkpoint.examples);
  state.chartHistory.clear();
  state.chartHistory.add(kept);
  const stats = state.stats;
  set({
    runId: null,
    continuesRun: true,
    data: { ...INITIAL_DATA },
    stats: stats ? { ...stats, examplesSeen: checkpoint.examples, examplesPerSecond: 0, running: false } : stats,
    lossHistory: state.chartHistory.values,
    layerViews: {},
    userImage: null,
    fault: null,
    evaluation: IDLE_EVALUATION,
    evaluationGeneration: state.evaluationGeneration + 1,
    viewsStale: true,
  });
  await guarded('Restarting training', () => backend.restart({ checkpoint, paused: how.paused }, how.workers), undefined);
}

/** How the store takes the worker's pushes. */
export function runEvents({ set, get, options }: SliceContext): TrainingEvents {
  return {
    data(progress) {
      set({ data: progress });
    },
    update(update) {
      set(stateAfterUpdate(get(), update));
    },
    fault(message) {
      set(withFault(get(), message));
    },
    notice(message) {
      set({ notice: addNotice(get().notice, message) });
    },
    resumeRefused(message) {
      // The fresh run the worker started instead is a run of its own: nothing restored stays.
      const history = get().chartHistory;
      history.clear();
      set({ continuesRun: false, lastCheckpoint: null, runId: null, lossHistory: history.values, autosave: { kind: 'refused', message } });
      void options.discardAutosave?.().catch(() => undefined);
    },
  };
}

/** One line each: a broken link can have both a bad seed and a bad network. */
export function addNotice(current: string | null, message: string): string {
  return current ? `${current}\n${message}` : message;
}

/** The state after one push of the session: a new run drops what belonged to the old one. */
function stateAfterUpdate(state: DashboardState, update: SessionUpdate): Partial<DashboardState> {
  // The first run of a worker started from a checkpoint is the run the chart already shows.
  const changed = update.runId !== state.runId;
  const continued = changed && state.continuesRun;
  const newRun = changed && !continued;
  const history = state.chartHistory;
  if (newRun) history.clear();
  const chartChanged = history.add(update.lossPoints);
  const patch: Partial<DashboardState> = { stats: update.stats, runId: update.runId };
  if (continued) patch.continuesRun = false;
  if (newRun) {
    // A checkpoint of the old network is no place to restart the new one from.
    patch.lastCheckpoint = null;
    patch.viewsStale = true;
    patch.layerViews = {};
    // A new run forgets the pinned example (the session drops it with the old network).
    patch.exampleFrozen = false;
    if (state.testEvaluationPoints.length > 0) patch.testEvaluationPoints = [];
    Object.assign(patch, evaluationOfNewRun(state.evaluation, update.runId));
  }
  if (state.autosave?.kind === 'resumed' && (newRun || update.stats.running)) patch.autosave = null;
  if (newRun || chartChanged) patch.lossHistory = history.values;
  Object.assign(patch, predictionsAfterUpdate(state, update.predictions, newRun));
  if (update.network) patch.network = update.network;
  if (update.dataset) patch.dataset = update.dataset;
  // Training stopped: the views show where it stopped.
  if ((state.stats?.running ?? false) && !update.stats.running) patch.viewsStale = true;
  return patch;
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
