import { afterEach, describe, expect, it } from 'vitest';
import { createFakeBackend } from '../../../src/state/fake-backend';
import { createDashboardStore, MAX_TEST_EVALUATION_POINTS, type DashboardStore } from '../../../src/state/store';
import type { TestEvaluation } from '../../../src/training/evaluation';

function evaluation(examplesSeen: number, fourCropCorrect: number, centerCorrect: number, runId = 1): TestEvaluation {
  return {
    runId,
    examplesSeen,
    total: 1000,
    fourCropCorrect,
    centerCorrect,
    labels: new Uint8Array(0),
    topLabels: new Uint8Array(0),
    topProbabilities: new Float32Array(0),
  };
}

let store: DashboardStore;
afterEach(() => store.dispose());

function setUp() {
  const backend = createFakeBackend();
  store = createDashboardStore(backend);
  backend.emitUpdate({ runId: 1 });
  async function evaluate(result: TestEvaluation | null) {
    const done = store.getState().actions.evaluateTestSet();
    backend.finishEvaluation(result ? { ok: true, evaluation: result } : { ok: false, cancelled: false, error: 'boom' });
    await done;
  }
  return { backend, evaluate };
}

describe('test evaluations on the accuracy chart', () => {
  it('records each finished evaluation at the examples its weights had seen', async () => {
    const { evaluate } = setUp();
    expect(store.getState().testEvaluationPoints).toEqual([]);
    await evaluate(evaluation(4000, 950, 940));
    await evaluate(null);
    await evaluate(evaluation(9000, 980, 975));
    expect(store.getState().testEvaluationPoints).toEqual([
      { examples: 4000, fourCropAccuracy: 0.95, centerAccuracy: 0.94 },
      { examples: 9000, fourCropAccuracy: 0.98, centerAccuracy: 0.975 },
    ]);
  });

  it('ignores an evaluation of an earlier run, and forgets the points when the run changes', async () => {
    const { backend, evaluate } = setUp();
    await evaluate(evaluation(4000, 950, 940));
    backend.emitUpdate({ runId: 2 });
    expect(store.getState().testEvaluationPoints).toEqual([]);
    await evaluate(evaluation(5000, 900, 900, 1));
    expect(store.getState().testEvaluationPoints).toEqual([]);
  });

  it('empties them with the graphs, and keeps only the latest ones', async () => {
    const { backend, evaluate } = setUp();
    backend.emitUpdate({ lossPoints: [{ examples: 200, loss: 2, trainingAccuracy: 0.2, validationAccuracy: null }] });
    await evaluate(evaluation(200, 100, 90));
    store.getState().actions.clearLossHistory();
    expect(store.getState().lossHistory).toEqual([]);
    expect(store.getState().testEvaluationPoints).toEqual([]);
    for (let i = 1; i <= MAX_TEST_EVALUATION_POINTS + 5; i++) await evaluate(evaluation(i * 100, 500, 500));
    const points = store.getState().testEvaluationPoints;
    expect(points).toHaveLength(MAX_TEST_EVALUATION_POINTS);
    expect(points[0]!.examples).toBe(600);
  });
});
