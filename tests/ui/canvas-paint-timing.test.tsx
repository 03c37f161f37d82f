// @vitest-environment jsdom
/**
 * Image tiles are painted in the commit that puts them on the page, not in a passive
 * effect after it: the browser paints between the two, so a new canvas would show as
 * an empty (black) box for a frame. A Profiler's onRender runs in the commit's layout
 * phase, after the layout effects of everything inside it and before any passive effect,
 * which is the last moment before the browser may paint; every canvas on the page must
 * be painted by then.
 */
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Profiler, type ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mostConfidentlyWrong, TOP_K, type TestEvaluation } from '../../src/training/evaluation';
import type { DatasetIdentity, LayerSummary, LayerView, TestPrediction } from '../../src/training/protocol';
import { EvaluationPanel } from '../../src/ui/evaluation/EvaluationPanel';
import { NetworkView } from '../../src/ui/network-view/NetworkView';
import { Predictions } from '../../src/ui/predictions/Predictions';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

/** What the canvases on the page looked like at the end of each commit. */
interface CommitRecord {
  /** Canvases in the page when the commit's layout phase ended. */
  canvases: number;
  /** Those of them no one had painted yet: what the browser would show empty. */
  unpainted: string[];
}

/**
 * Renders `ui` under a Profiler with a stand-in 2D context (jsdom has none), and notes at
 * every commit which canvases on the page had been painted by then.
 */
function renderWatchingPaints(ui: ReactElement) {
  const painted = new Set<HTMLCanvasElement>();
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    const canvas = this;
    return {
      createImageData: (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) }),
      putImageData: () => painted.add(canvas),
    } as unknown as CanvasRenderingContext2D;
  } as unknown as typeof HTMLCanvasElement.prototype.getContext);
  const commits: CommitRecord[] = [];
  const onRender = () => {
    const canvases = [...document.querySelectorAll('canvas')];
    commits.push({
      canvases: canvases.length,
      unpainted: canvases.filter((c) => !painted.has(c)).map((c) => c.closest('[aria-label]')?.getAttribute('aria-label') ?? 'canvas'),
    });
  };
  const harness = renderWithDashboard(
    <Profiler id="paint-timing" onRender={onRender}>
      {ui}
    </Profiler>,
  );
  return { ...harness, commits };
}

/** Every commit that showed canvases had painted them all; and some did show canvases. */
function expectPaintedInCommit(commits: CommitRecord[]): void {
  expect(commits.some((c) => c.canvases > 0)).toBe(true);
  expect(commits.flatMap((c) => c.unpainted)).toEqual([]);
}

afterEach(() => vi.restoreAllMocks());

function prediction(testIndex: number, pixels: Uint8Array): TestPrediction {
  return {
    testIndex,
    pixels,
    label: 1,
    top3: [
      { label: 1, probability: 0.8 },
      { label: 2, probability: 0.15 },
      { label: 0, probability: 0.05 },
    ],
    correct: true,
  };
}

describe('image tiles are painted before the browser shows them', () => {
  it('in the predictions grid, gray tiles as they come', async () => {
    const { backend, commits } = renderWatchingPaints(<Predictions />);
    startSession(backend);
    act(() => backend.emitUpdate({ predictions: [prediction(1, new Uint8Array(784).fill(9)), prediction(2, new Uint8Array(784))] }));
    act(() => backend.emitUpdate({ predictions: [prediction(3, new Uint8Array(784).fill(200))] }));
    // The second batch waits for the grid's refresh; tiles then grow from 2 to 3.
    await waitFor(() => expect(screen.getAllByRole('listitem', { name: /^Test image/ })).toHaveLength(3), { timeout: 2500 });
    expect(commits.at(-1)!.canvases).toBe(3);
    expectPaintedInCommit(commits);
  });

  it('in the predictions grid, colour tiles', () => {
    const rgb: DatasetIdentity = { name: 'Colour', width: 8, height: 8, channels: 3, classNames: ['a', 'b', 'c'], builtIn: null, fingerprint: 'c0' };
    const { backend, commits } = renderWatchingPaints(<Predictions />);
    startSession(backend);
    act(() => backend.emitUpdate({ dataset: rgb }));
    act(() => backend.emitUpdate({ predictions: [prediction(1, new Uint8Array(8 * 8 * 3).fill(40))] }));
    const tile = screen.getByRole('listitem', { name: /^Test image 1/ });
    expect(tile.querySelector('canvas')?.dataset.channels).toBe('rgb');
    expectPaintedInCommit(commits);
  });

  it('in the evaluation galleries, when their images arrive', async () => {
    const { backend, commits } = renderWatchingPaints(<EvaluationPanel />);
    startSession(backend);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    const evaluation = evaluationWithMistakes(60);
    await act(async () => backend.finishEvaluation({ ok: true, evaluation }));
    const wrong = screen.getByRole('list', { name: 'Most confidently wrong test images' });
    await waitFor(() => expect(wrong.getAttribute('aria-busy')).toBe('false'));
    expect(wrong.querySelectorAll('canvas')).toHaveLength(mostConfidentlyWrong(evaluation, 20).length);
    expectPaintedInCommit(commits);
  });

  it('in the layer views, before and after the first views arrive', async () => {
    const network = networkSummary();
    const { backend, commits } = renderWatchingPaints(<NetworkView />);
    backend.answers.layerViews = (indices) => indices.map((i) => rampView(network.layers[i]!));
    startSession(backend, true, network);
    await waitFor(() => expect(screen.getByRole('article', { name: 'conv (24x24x8)' }).textContent).toContain('max activation: 1, min: 0'));
    // The seed network: two groups per layer, two more for each of its two conv layers.
    expect(commits.at(-1)!.canvases).toBe(9 * 2 + 2 * 2);
    expectPaintedInCommit(commits);
  });
});

/** Image i is a (i % 10), taken for the next digit every 7th time, with varied confidence. */
function evaluationWithMistakes(n: number): TestEvaluation {
  const labels = new Uint8Array(n);
  const topLabels = new Uint8Array(n * TOP_K);
  const topProbabilities = new Float32Array(n * TOP_K);
  for (let i = 0; i < n; i++) {
    const predicted = i % 7 === 0 ? (i + 1) % 10 : i % 10;
    labels[i] = i % 10;
    topLabels.set([predicted, (predicted + 2) % 10, (predicted + 3) % 10], i * TOP_K);
    const top = 0.5 + ((i * 37) % 50) / 100;
    topProbabilities.set([top, (1 - top) * 0.6, (1 - top) * 0.3], i * TOP_K);
  }
  return { runId: 1, examplesSeen: 1200, total: n, fourCropCorrect: n - 9, centerCorrect: n - 9, labels, topLabels, topProbabilities };
}

function rampView(layer: LayerSummary): LayerView {
  const n = layer.out.sx * layer.out.sy * layer.out.depth;
  const ramp = (length: number) => Float32Array.from({ length }, (_, i) => i / Math.max(1, length - 1));
  const weightCount = layer.type === 'conv' ? layer.paramCount - (layer.filters ?? 0) : 0;
  return {
    index: layer.index,
    activations: ramp(n),
    activationGrads: ramp(n),
    activationRange: { min: 0, max: 1 },
    gradientRange: { min: 0, max: 1 },
    weights: weightCount > 0 ? ramp(weightCount) : null,
    weightGrads: weightCount > 0 ? ramp(weightCount) : null,
  };
}
