import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeBackend, type FakeBackend } from '../../../src/state/fake-backend';
import {
  createDashboardStore,
  MAX_LOSS_POINTS,
  MAX_PREDICTIONS,
  PREDICTIONS_PERIOD_MS,
  LAYER_VIEWS_PERIOD_MS,
  testAccuracy,
  type DashboardStore,
} from '../../../src/state/store';
import { MNIST_IDENTITY, type LayerView, type NetworkSummary, type TestPrediction } from '../../../src/training/protocol';
import { DEFAULT_TRAINER } from '../../../src/engine/spec';

const NETWORK: NetworkSummary = {
  layers: [0, 1, 2].map((index) => ({
    index,
    type: index === 0 ? 'input' : index === 1 ? 'relu' : 'softmax',
    in: { sx: 1, sy: 1, depth: 2 },
    out: { sx: 1, sy: 1, depth: 2 },
    window: null,
    filters: null,
    paramCount: 0,
    paramFormula: null,
  })),
  totalParams: 0,
  trainer: { ...DEFAULT_TRAINER },
  definitionText: 'text',
};

function prediction(testIndex: number, correct: boolean): TestPrediction {
  return { testIndex, pixels: new Uint8Array(784), label: 1, top3: [{ label: correct ? 1 : 2, probability: 0.9 }], correct };
}

function view(index: number, value: number): LayerView {
  return {
    index,
    activations: new Float32Array([value]),
    activationGrads: new Float32Array([0]),
    activationRange: { min: value, max: value },
    gradientRange: { min: 0, max: 0 },
    weights: null,
    weightGrads: null,
  };
}

let backend: FakeBackend;
let store: DashboardStore;

beforeEach(() => {
  vi.useFakeTimers();
  backend = createFakeBackend();
  store = createDashboardStore(backend);
});

afterEach(() => {
  store.dispose();
  vi.useRealTimers();
});

describe('dashboard store', () => {
  it('starts empty and loading, then follows data progress and updates', () => {
    const s = store.getState();
    expect(s.data.phase).toBe('loading');
    expect(s.stats).toBeNull();
    backend.emitData({ phase: 'loading', loaded: 10, total: 100, message: null });
    expect(store.getState().data.loaded).toBe(10);
    backend.emitUpdate({ stats: { examplesSeen: 40, running: true }, network: NETWORK });
    expect(store.getState().stats?.examplesSeen).toBe(40);
    expect(store.getState().network).toBe(NETWORK);
    // A later update without a network keeps the one in force.
    backend.emitUpdate({ stats: { examplesSeen: 80 } });
    expect(store.getState().network).toBe(NETWORK);
  });

  it('shows MNIST until the session names its dataset, then that one', () => {
    expect(store.getState().dataset).toBe(MNIST_IDENTITY);
    const fashion = { ...MNIST_IDENTITY, name: 'Fashion', classNames: ['shirt', 'shoe'], builtIn: null, fingerprint: 'ab12' };
    backend.emitUpdate({ stats: { examplesSeen: 1 }, dataset: fashion });
    expect(store.getState().dataset).toBe(fashion);
    // Later pushes say nothing of it: it stays.
    backend.emitUpdate({ stats: { examplesSeen: 2 } });
    expect(store.getState().dataset).toBe(fashion);
  });

  it('keeps predictions newest first and at most 200', () => {
    backend.emitUpdate({ predictions: [prediction(1, true), prediction(2, false)] });
    expect(store.getState().predictions.map((p) => p.testIndex)).toEqual([2, 1]);
    // Arrivals within a second are held back and shown together.
    backend.emitUpdate({ predictions: [prediction(3, true)] });
    expect(store.getState().predictions).toHaveLength(2);
    vi.advanceTimersByTime(PREDICTIONS_PERIOD_MS);
    expect(store.getState().predictions.map((p) => p.testIndex)).toEqual([3, 2, 1]);
    for (let i = 0; i < 60; i++) {
      backend.emitUpdate({ predictions: [0, 1, 2, 3].map((k) => prediction(100 + 4 * i + k, k % 2 === 0)) });
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(PREDICTIONS_PERIOD_MS);
    const preds = store.getState().predictions;
    expect(preds).toHaveLength(MAX_PREDICTIONS);
    expect(preds[0].testIndex).toBe(100 + 4 * 59 + 3);
    expect(testAccuracy(preds)).toBe(0.5);
    expect(testAccuracy([])).toBeNull();
  });

  it('bounds the loss history and clears it on request', () => {
    for (let i = 1; i <= 3 * MAX_LOSS_POINTS; i++) backend.emitUpdate({ lossPoints: [{ examples: i * 200, loss: 1 / i }] });
    const history = store.getState().lossHistory;
    expect(history.length).toBeLessThanOrEqual(MAX_LOSS_POINTS);
    expect(history.at(-1)!.examples).toBe(3 * MAX_LOSS_POINTS * 200);
    store.getState().actions.clearLossHistory();
    expect(store.getState().lossHistory).toEqual([]);
  });

  it('drops the chart, predictions and layer views of an old run when the run changes', () => {
    backend.emitUpdate({ runId: 1, lossPoints: [{ examples: 200, loss: 2 }], predictions: [prediction(1, true)], network: NETWORK });
    expect(store.getState().lossHistory).toHaveLength(1);
    backend.emitUpdate({ runId: 2, lossPoints: [], predictions: [], stats: { examplesSeen: 0 } });
    const s = store.getState();
    expect(s.lossHistory).toEqual([]);
    expect(s.predictions).toEqual([]);
    expect(s.layerViews).toEqual({});
  });

  it('refreshes views of visible layers only, a few times a second while running', async () => {
    backend.answers.layerViews = (indices) => indices.map((i) => view(i, i * 10));
    backend.emitUpdate({ runId: 1, network: NETWORK, stats: { running: true } });
    store.getState().actions.setVisibleLayers([2, 0]);
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.callsTo('layerViews')).toEqual([[[0, 2]]]);
    expect(Object.keys(store.getState().layerViews)).toEqual(['0', '2']);
    await vi.advanceTimersByTimeAsync(LAYER_VIEWS_PERIOD_MS * 4);
    const whileRunning = backend.callsTo('layerViews').length;
    expect(whileRunning).toBeGreaterThanOrEqual(4);
    expect(whileRunning).toBeLessThanOrEqual(6);

    // Paused: one last refresh, then quiet.
    await store.getState().actions.pause();
    await vi.advanceTimersByTimeAsync(LAYER_VIEWS_PERIOD_MS * 8);
    const afterPause = backend.callsTo('layerViews').length;
    await vi.advanceTimersByTimeAsync(LAYER_VIEWS_PERIOD_MS * 8);
    expect(backend.callsTo('layerViews').length).toBe(afterPause);

    // Nothing visible: no requests at all.
    store.getState().actions.setVisibleLayers([]);
    await store.getState().actions.resume();
    await vi.advanceTimersByTimeAsync(LAYER_VIEWS_PERIOD_MS * 8);
    expect(backend.callsTo('layerViews').length).toBe(afterPause);
  });

  it('ignores views that arrive after the run changed', async () => {
    let release: (s: LayerView[]) => void = () => {};
    backend.layerViews = () => new Promise((resolve) => (release = resolve));
    backend.emitUpdate({ runId: 1, network: NETWORK });
    store.getState().actions.setVisibleLayers([1]);
    backend.emitUpdate({ runId: 2 });
    release([view(1, 5)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().layerViews).toEqual({});
  });

  it('passes rejections through and changes nothing', async () => {
    backend.answers.setTrainer = () => ({ ok: false, error: 'trainer: learning_rate must be a number' });
    const result = await store.getState().actions.setTrainer({ learning_rate: Number.NaN });
    expect(result).toEqual({ ok: false, error: 'trainer: learning_rate must be a number' });
    expect(store.getState().fault).toBeNull();
    backend.answers.setNetwork = () => ({ ok: false, error: "line 3: did you mean 'adadelta'?" });
    expect(await store.getState().actions.setNetwork('x')).toEqual({ ok: false, error: "line 3: did you mean 'adadelta'?" });
  });

  it('keeps the classified user image and lets it go', async () => {
    backend.answers.classifyImage = () => ({ ok: true, top3: [{ label: 7, probability: 0.8 }] });
    const pixels = new Uint8Array(784).fill(3);
    expect(await store.getState().actions.classifyImage(pixels)).toEqual({ ok: true });
    expect(store.getState().userImage?.top3[0].label).toBe(7);
    expect(store.getState().userImage?.pixels).toEqual(pixels);
    store.getState().actions.clearInspectedImage();
    expect(store.getState().userImage).toBeNull();
    expect(backend.callsTo('clearInspectedImage')).toHaveLength(1);
    backend.answers.classifyImage = () => ({ ok: false, error: 'bad' });
    expect(await store.getState().actions.classifyImage(pixels)).toEqual({ ok: false, error: 'bad' });
    expect(store.getState().userImage).toBeNull();
  });

  it('turns a failing backend into a fault banner, and restart clears it', async () => {
    backend.emitUpdate({ stats: { running: true, examplesSeen: 10 } });
    backend.pause = () => Promise.reject(new Error('worker gone'));
    await store.getState().actions.pause();
    expect(store.getState().fault).toBe('Pause failed: worker gone');
    expect(store.getState().stats?.running).toBe(false);
    backend.emitFault('The training worker failed: boom.');
    expect(store.getState().fault).toBe('The training worker failed: boom.');
    await store.getState().actions.restartTraining();
    expect(backend.callsTo('restart')).toHaveLength(1);
    const s = store.getState();
    expect(s.fault).toBeNull();
    expect(s.stats).toBeNull();
    expect(s.data.phase).toBe('loading');
  });
});
