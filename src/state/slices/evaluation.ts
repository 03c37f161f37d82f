/**
 * The evaluation slice: the full test-set evaluation (its progress, its last result) and
 * the accuracy chart's points of finished evaluations.
 */
import type { EvaluationOutcome, TestEvaluation } from '../../training/evaluation';
import type { EvaluationSlice, EvaluationState, TestEvaluationPoint } from '../types';
import type { Slice } from './context';

export const IDLE_EVALUATION: EvaluationState = { status: 'idle', done: 0, total: 0, result: null, error: null };
/** Evaluations are started by hand and take seconds each; the chart keeps the latest this many. */
export const MAX_TEST_EVALUATION_POINTS = 200;

export const createEvaluationSlice: Slice<EvaluationSlice, 'evaluateTestSet' | 'cancelEvaluation' | 'testImages'> = ({ set, get, backend, guarded }) => ({
  evaluation: IDLE_EVALUATION,
  testEvaluationPoints: [],
  evaluationGeneration: 0,
  actions: {
    async evaluateTestSet() {
      if (get().evaluation.status === 'running') return;
      const mine = get().evaluationGeneration + 1;
      const ours = () => mine === get().evaluationGeneration;
      set({ evaluationGeneration: mine, evaluation: { ...get().evaluation, status: 'running', done: 0, total: 0, error: null } });
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
      } else if (outcome.evaluation.runId !== get().runId) {
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
      set({ evaluationGeneration: get().evaluationGeneration + 1, evaluation: { ...get().evaluation, status: 'cancelled' } });
      void guarded('Cancelling the evaluation', () => backend.cancelEvaluation(), undefined);
    },
    testImages: (indices) => backend.testImages(indices),
  },
});

/** An evaluation result describes the weights of its own run only: a new run drops another run's. */
export function evaluationOfNewRun(evaluation: EvaluationState, runId: number): { evaluation?: EvaluationState } {
  if (!evaluation.result || evaluation.result.runId === runId) return {};
  return { evaluation: { ...evaluation, result: null, status: evaluation.status === 'running' ? 'running' : 'idle' } };
}

/** The accuracy chart's point for a finished evaluation. */
export function testEvaluationPoint(evaluation: TestEvaluation): TestEvaluationPoint {
  const { examplesSeen, total, fourCropCorrect, centerCorrect } = evaluation;
  return { examples: examplesSeen, fourCropAccuracy: fourCropCorrect / total, centerAccuracy: centerCorrect / total };
}
