/**
 * A scripted DashboardBackend for component tests: it records every call, answers
 * with configurable results, and lets the test push data, updates and faults as the
 * worker would. No worker, no training.
 *
 *   const backend = createFakeBackend();
 *   const store = createDashboardStore(backend);
 *   backend.emitUpdate({ stats: { ...EMPTY_STATS, examplesSeen: 100 } });
 */
import type { TrainerSpec } from '../engine/spec';
import type {
  ActionResult,
  ClassifyResult,
  DataProgress,
  LayerView,
  LayerStatsPoint,
  NetworkSummary,
  SessionUpdate,
  TrainingStats,
} from '../training/protocol';
import { EMPTY_STATS, type DashboardBackend, type DashboardEvents } from './store';
import type { EvaluationOutcome, EvaluationProgress } from '../training/evaluation';
import type { SessionCheckpoint } from '../training/checkpoint';

export interface FakeCall {
  method: string;
  args: unknown[];
}

export interface FakeBackend extends DashboardBackend {
  readonly calls: FakeCall[];
  /** Answers for the next calls; change them before the action under test. */
  answers: {
    setTrainer: (changes: Partial<TrainerSpec>) => ActionResult;
    setNetwork: (text: string) => ActionResult;
    restartRun: (seed: number) => ActionResult;
    loadSnapshot: (text: string) => ActionResult;
    saveSnapshot: () => string;
    classifyImage: (pixels: Uint8Array) => ClassifyResult;
    layerViews: (indices: number[]) => LayerView[];
    /** Default: blank images. */
    testImages: (indices: number[]) => Uint8Array;
    layerTrainingHistory: () => LayerStatsPoint[];
    freezeExample: (frozen: boolean) => boolean;
    /** Default: throws, as a worker that cannot give one (the store then has no checkpoint). */
    exportCheckpoint: () => SessionCheckpoint;
  };
  emitData(progress: DataProgress): void;
  /** Pushes an update; missing fields default to the previous push (runId 1 at first). */
  emitUpdate(update: Partial<Omit<SessionUpdate, 'stats'>> & { stats?: Partial<TrainingStats>; network?: NetworkSummary }): void;
  emitFault(message: string): void;
  /** The worker refused the checkpoint it was to resume (it trains a fresh run instead). */
  emitResumeRefused(message: string): void;
  emitNotice(message: string): void;
  /** Drive the pending evaluateTestSet call, as the worker would. */
  emitEvaluationProgress(progress: EvaluationProgress): void;
  finishEvaluation(outcome: EvaluationOutcome): void;
  /** Calls of one method, in order. */
  callsTo(method: string): unknown[][];
}

export function createFakeBackend(): FakeBackend {
  let events: DashboardEvents | null = null;
  let lastStats: TrainingStats = { ...EMPTY_STATS };
  let lastRunId = 1;
  const calls: FakeCall[] = [];
  let evaluation: { onProgress: (p: EvaluationProgress) => void; resolve: (o: EvaluationOutcome) => void } | null = null;

  const sink = (): DashboardEvents => {
    if (!events) throw new Error('fake backend: no store connected yet');
    return events;
  };
  const record = (method: string, ...args: unknown[]) => {
    calls.push({ method, args });
  };

  const backend: FakeBackend = {
    calls,
    answers: {
      setTrainer: () => ({ ok: true }),
      setNetwork: () => ({ ok: true }),
      restartRun: () => ({ ok: true }),
      loadSnapshot: () => ({ ok: true }),
      saveSnapshot: () => '{"layers":[]}',
      classifyImage: () => ({ ok: true, top3: [] }),
      layerViews: () => [],
      testImages: (indices) => new Uint8Array(indices.length * 784),
      layerTrainingHistory: () => [],
      freezeExample: (frozen) => frozen,
      exportCheckpoint: () => {
        throw new Error('fake backend: no checkpoint scripted');
      },
    },
    connect(e, resume) {
      if (resume) record('connect', resume);
      events = e;
    },
    async pause() {
      record('pause');
      backend.emitUpdate({ stats: { running: false } });
    },
    async resume() {
      record('resume');
      backend.emitUpdate({ stats: { running: true, pausedReason: null } });
    },
    async step() {
      record('step');
    },
    async setTrainer(changes) {
      record('setTrainer', changes);
      return backend.answers.setTrainer(changes);
    },
    async setNetwork(text) {
      record('setNetwork', text);
      return backend.answers.setNetwork(text);
    },
    async restartRun(seed) {
      record('restartRun', seed);
      return backend.answers.restartRun(seed);
    },
    async saveSnapshot() {
      record('saveSnapshot');
      return backend.answers.saveSnapshot();
    },
    async loadSnapshot(text) {
      record('loadSnapshot', text);
      return backend.answers.loadSnapshot(text);
    },
    async classifyImage(pixels) {
      record('classifyImage', pixels);
      return backend.answers.classifyImage(pixels);
    },
    async clearInspectedImage() {
      record('clearInspectedImage');
    },
    async layerViews(indices) {
      record('layerViews', indices);
      return backend.answers.layerViews(indices);
    },
    async layerTrainingHistory() {
      record('layerTrainingHistory');
      return backend.answers.layerTrainingHistory();
    },
    async freezeExample(frozen) {
      record('freezeExample', frozen);
      return backend.answers.freezeExample(frozen);
    },
    async retryData() {
      record('retryData');
    },
    evaluateTestSet(onProgress) {
      record('evaluateTestSet');
      return new Promise<EvaluationOutcome>((resolve) => {
        evaluation = { onProgress, resolve };
      });
    },
    async cancelEvaluation() {
      record('cancelEvaluation');
      evaluation?.resolve({ ok: false, cancelled: true, error: 'The evaluation was cancelled.' });
      evaluation = null;
    },
    async exportCheckpoint() {
      record('exportCheckpoint');
      return backend.answers.exportCheckpoint();
    },
    async testImages(indices) {
      record('testImages', indices);
      return backend.answers.testImages(indices);
    },
    emitEvaluationProgress(progress) {
      if (!evaluation) throw new Error('fake backend: no evaluation is running');
      evaluation.onProgress(progress);
    },
    finishEvaluation(outcome) {
      if (!evaluation) throw new Error('fake backend: no evaluation is running');
      evaluation.resolve(outcome);
      evaluation = null;
    },
    async restart(from) {
      record('restart', ...(from ? [from] : []));
    },
    emitData(progress) {
      sink().data(progress);
    },
    emitUpdate(update) {
      lastStats = { ...lastStats, ...update.stats };
      lastRunId = update.runId ?? lastRunId;
      sink().update({
        stats: lastStats,
        runId: lastRunId,
        lossPoints: update.lossPoints ?? [],
        predictions: update.predictions ?? [],
        ...(update.network ? { network: update.network } : {}),
      });
    },
    emitFault(message) {
      sink().fault(message);
    },
    emitResumeRefused(message) {
      sink().resumeRefused(message);
    },
    emitNotice(message) {
      sink().notice(message);
    },
    callsTo(method) {
      return calls.filter((c) => c.method === method).map((c) => c.args);
    },
  };
  return backend;
}
