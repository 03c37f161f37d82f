// @vitest-environment jsdom
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LayerView } from '../../src/training/protocol';
import { App } from '../../src/ui/App';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

// recharts' responsive charts watch their box; jsdom has no ResizeObserver.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}

let consoleProblems: unknown[][];
beforeEach(() => {
  vi.stubGlobal('ResizeObserver', NoopResizeObserver);
  consoleProblems = [];
  for (const method of ['error', 'warn'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleProblems.push([method, ...args]);
    });
  }
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function view(index: number, size: number, weights: number): LayerView {
  const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  return {
    index,
    activations: ramp(size),
    activationGrads: ramp(size),
    activationRange: { min: -1, max: 1 },
    gradientRange: { min: -1, max: 1 },
    weights: weights > 0 ? ramp(weights) : null,
    weightGrads: weights > 0 ? ramp(weights) : null,
  };
}

describe('the whole dashboard', () => {
  it('renders every panel from live data without console errors or warnings', async () => {
    const network = networkSummary();
    const { backend, store } = renderWithDashboard(<App />);
    backend.answers.layerViews = (indices) =>
      indices.map((i) => {
        const l = network.layers[i]!;
        const weights = l.type === 'conv' ? l.paramCount - (l.filters ?? 0) : 0;
        return view(i, l.out.sx * l.out.sy * l.out.depth, weights);
      });
    expect(screen.getByRole('progressbar', { name: 'Loading MNIST data' })).toBeTruthy();
    startSession(backend, true, network);
    act(() =>
      backend.emitUpdate({
        stats: { examplesSeen: 4000, classificationLoss: 0.4, validationAccuracy: 0.9 },
        lossPoints: Array.from({ length: 50 }, (_, i) => ({ examples: (i + 1) * 80, loss: 2 / (1 + i) })),
        predictions: Array.from({ length: 30 }, (_, i) => ({
          testIndex: i % 7, // repeats on purpose: the same test image can be sampled twice
          pixels: new Uint8Array(784),
          label: i % 10,
          top3: [
            { label: i % 10, probability: 0.7 },
            { label: (i + 1) % 10, probability: 0.2 },
            { label: (i + 2) % 10, probability: 0.1 },
          ],
          correct: true,
        })),
      }),
    );

    for (const name of [
      'Training Stats',
      'Trainer',
      'Loss',
      'Instantiate a Network and Trainer',
      'Snapshot',
      'Test an image from your computer',
      'Network Visualization',
      'Example predictions on Test set',
    ]) {
      expect(screen.getByRole('heading', { level: 2, name })).toBeTruthy();
    }
    expect(screen.getByRole('heading', { level: 1 }).textContent).toMatch(/MNIST/);
    await waitFor(() => expect(screen.getByText('test accuracy based on last 30 test images: 100.0%')).toBeTruthy());
    await waitFor(() => expect(Object.keys(store.getState().layerViews)).toHaveLength(9));

    await userEvent.setup().click(screen.getByRole('button', { name: 'Clear loss and accuracy graphs' }));
    expect(store.getState().lossHistory).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});
