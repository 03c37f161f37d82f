// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestPrediction } from '../../src/training/protocol';
import { Predictions } from '../../src/ui/predictions/Predictions';
import { renderWithDashboard, startSession } from './dashboard-harness';

function prediction(testIndex: number, label: number, guess: number): TestPrediction {
  const others = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((c) => c !== guess);
  return {
    testIndex,
    pixels: new Uint8Array(784).fill(testIndex % 256),
    label,
    top3: [
      { label: guess, probability: 0.8 },
      { label: others[0]!, probability: 0.15 },
      { label: others[1]!, probability: 0.05 },
    ],
    correct: label === guess,
  };
}

describe('test-set predictions', () => {
  it('lists newest first with the accuracy over the images held', async () => {
    const { backend } = renderWithDashboard(<Predictions />);
    startSession(backend);
    expect(screen.getByRole('heading', { name: 'Example predictions on Test set' })).toBeTruthy();
    act(() => backend.emitUpdate({ predictions: [prediction(11, 7, 7), prediction(12, 3, 5)] }));
    const labels = () =>
      within(screen.getByRole('list', { name: 'Test predictions, newest first' }))
        .getAllByRole('listitem', { name: /^Test image/ })
        .map((i) => i.getAttribute('aria-label'));
    expect(labels()).toHaveLength(2);
    // The grid shifts at most once a second, so the second batch lands a moment later.
    act(() => backend.emitUpdate({ predictions: [prediction(13, 1, 1), prediction(11, 7, 7)] }));
    await waitFor(() => expect(labels()).toHaveLength(4), { timeout: 2500 });
    expect(labels()).toEqual([
      'Test image 11, a 7; predicted 7 (80.0%)',
      'Test image 13, a 1; predicted 1 (80.0%)',
      'Test image 12, a 3; predicted 5 (80.0%)',
      'Test image 11, a 7; predicted 7 (80.0%)',
    ]);
    expect(screen.getByText('test accuracy based on last 4 test images: 75.0%')).toBeTruthy();
  });

  it('colours the true class green and the others red', async () => {
    const { backend } = renderWithDashboard(<Predictions />);
    startSession(backend);
    act(() => backend.emitUpdate({ predictions: [prediction(5, 3, 5)] }));
    const bars = screen.getByRole('listitem', { name: /Test image 5/ }).querySelectorAll('.prob-bar');
    const tones = [...bars].map((b) => [b.querySelector('.prob-bar__label')!.textContent, b.className]);
    expect(tones).toEqual([
      ['5', 'prob-bar prob-bar--wrong'],
      ['0', 'prob-bar prob-bar--wrong'],
      ['1', 'prob-bar prob-bar--wrong'],
    ]);
    act(() => backend.emitUpdate({ predictions: [prediction(6, 2, 2)] }));
    const item = await screen.findByRole('listitem', { name: /Test image 6/ }, { timeout: 2500 });
    const first = item.querySelector('.prob-bar')!;
    expect(first.className).toBe('prob-bar prob-bar--correct');
  });

  describe('off screen', () => {
    /** A stand-in IntersectionObserver the test moves on and off screen. */
    let report: ((visible: boolean) => void) | null = null;
    class FakeIntersectionObserver {
      constructor(private readonly callback: IntersectionObserverCallback) {}
      observe(target: Element) {
        report = (visible) =>
          this.callback([{ target, isIntersecting: visible } as IntersectionObserverEntry], this as unknown as IntersectionObserver);
      }
      disconnect() {
        report = null;
      }
    }
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('holds the grid still while off screen and catches up when it comes back', async () => {
      vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver);
      const { backend } = renderWithDashboard(<Predictions />);
      startSession(backend);
      act(() => backend.emitUpdate({ predictions: [prediction(1, 1, 1)] }));
      const items = () => screen.queryAllByRole('listitem', { name: /^Test image/ }).length;
      expect(items()).toBe(1);

      act(() => report!(false));
      act(() => backend.emitUpdate({ predictions: [prediction(2, 2, 2), prediction(3, 3, 3)] }));
      // Well past the one-second refresh: nothing changed while nobody could see it.
      await new Promise((r) => setTimeout(r, 1300));
      expect(items()).toBe(1);

      act(() => report!(true));
      await waitFor(() => expect(items()).toBe(3), { timeout: 2500 });
      expect(screen.getByText('test accuracy based on last 3 test images: 100.0%')).toBeTruthy();
    });
  });
});
