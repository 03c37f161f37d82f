/**
 * A scripted DashboardBackend for component tests: it records every call, answers
 * with configurable results, and lets the test push data, updates and faults as the
 * worker would. No worker, no training. Its operations are made from TRAINING_METHODS,
 * the same list the bridge wraps, so it cannot miss one.
 *
 *   const backend = createFakeBackend();
 *   const store = createDashboardStore(backend);
 *   backend.emitUpdate({ stats: { ...EMPTY_STATS, examplesSeen: 100 } });
 */
import {
  TRAINING_METHODS,
  type DataProgress,
  type NetworkSummary,
  type SessionUpdate,
  type TrainingApi,
  type TrainingEvents,
  type TrainingStats,
} from '../training/protocol';
import { EMPTY_STATS, type DashboardBackend } from './store';
import type { EvaluationOutcome, EvaluationProgress } from '../training/evaluation';

export interface FakeCall {
  method: string;
  args: unknown[];
}

/** What the fake answers an operation with: the worker's own result, given synchronously. */
type Answers = { [K in keyof TrainingApi]: (...args: Parameters<TrainingApi[K]>) => Awaited<ReturnType<TrainingApi[K]>> };

export interface FakeBackend extends DashboardBackend {
  readonly calls: FakeCall[];
  /**
   * Answers for the next calls; change them before the action under test. Defaults: ok,
   * empty lists, blank test images; exportCheckpoint throws, as a worker that cannot give
   * one (the store then has no checkpoint); evaluateTestSet stays pending until the test
   * drives it (emitEvaluationProgress, finishEvaluation).
   */
  answers: Omit<Answers, 'evaluateTestSet'>;
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
  let events: TrainingEvents | null = null;
  let lastStats: TrainingStats = { ...EMPTY_STATS };
  let lastRunId = 1;
  const calls: FakeCall[] = [];
  let evaluation: { onProgress: (p: EvaluationProgress) => void; resolve: (o: EvaluationOutcome) => void } | null = null;

  const sink = (): TrainingEvents => {
    if (!events) throw new Error('fake backend: no store connected yet');
    return events;
  };
  const ok = () => ({ ok: true }) as const;
  const nothing = () => undefined;

  const answers: FakeBackend['answers'] = {
    // pause and resume say so in an update, as the worker does.
    pause: () => backend.emitUpdate({ stats: { running: false } }),
    resume: () => backend.emitUpdate({ stats: { running: true, pausedReason: null } }),
    step: nothing,
    setTrainer: ok,
    setNetwork: ok,
    restartRun: ok,
    saveSnapshot: () => '{"layers":[]}',
    loadSnapshot: ok,
    saveOnnx: () => ({ ok: true, bytes: new Uint8Array([8, 9]) }),
    loadOnnx: ok,
    classifyImage: () => ({ ok: true, top3: [] }),
    clearInspectedImage: nothing,
    layerViews: () => [],
    layerTrainingHistory: () => [],
    freezeExample: (frozen) => frozen,
    retryData: nothing,
    cancelEvaluation: () => {
      evaluation?.resolve({ ok: false, cancelled: true, error: 'The evaluation was cancelled.' });
      evaluation = null;
    },
    testImages: (indices) => new Uint8Array(indices.length * 784),
    exportCheckpoint: () => {
      throw new Error('fake backend: no checkpoint scripted');
    },
  };

  const backend = {
    calls,
    answers,
    connect(e, resume) {
      if (resume) calls.push({ method: 'connect', args: [resume] });
      events = e;
    },
    async restart(from, workers) {
      calls.push({ method: 'restart', args: workers !== undefined ? [from ?? null, workers] : from ? [from] : [] });
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
        ...(update.dataset ? { dataset: update.dataset } : {}),
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
  } as FakeBackend;

  for (const method of TRAINING_METHODS) {
    (backend as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      // The progress callback is the test's to drive, not a recorded argument.
      if (method === 'evaluateTestSet') {
        calls.push({ method, args: [] });
        return new Promise<EvaluationOutcome>((resolve) => {
          evaluation = { onProgress: args[0] as (p: EvaluationProgress) => void, resolve };
        });
      }
      calls.push({ method, args });
      return (answers[method] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return backend;
}
