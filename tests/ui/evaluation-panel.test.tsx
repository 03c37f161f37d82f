// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mostConfidentlyWrong, TOP_K, type TestEvaluation } from '../../src/training/evaluation';
import { EvaluationPanel } from '../../src/ui/evaluation/EvaluationPanel';
import { renderWithDashboard, startSession } from './dashboard-harness';

/** Image i is a (i % 10), predicted right except every 7th, which is taken for the next digit. */
function syntheticEvaluation(n: number, runId = 1): TestEvaluation {
  const labels = new Uint8Array(n);
  const topLabels = new Uint8Array(n * TOP_K);
  const topProbabilities = new Float32Array(n * TOP_K);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const label = i % 10;
    const predicted = i % 7 === 0 ? (label + 1) % 10 : label;
    if (predicted === label) correct++;
    labels[i] = label;
    topLabels.set([predicted, (predicted + 2) % 10, (predicted + 3) % 10], i * TOP_K);
    const top = 0.5 + ((i * 37) % 50) / 100;
    topProbabilities.set([top, (1 - top) * 0.6, (1 - top) * 0.3], i * TOP_K);
  }
  return { runId, examplesSeen: 1200, total: n, fourCropCorrect: correct, centerCorrect: correct - 3, labels, topLabels, topProbabilities };
}

function setup() {
  const harness = renderWithDashboard(<EvaluationPanel />);
  startSession(harness.backend);
  return { ...harness, user: userEvent.setup() };
}

describe('test set evaluation panel', () => {
  it('starts the evaluation, shows its progress, then accuracy and a confusion matrix summing to N', async () => {
    const { backend, user } = setup();
    const start = screen.getByRole('button', { name: 'Evaluate on full test set' });
    await user.click(start);
    expect(backend.callsTo('evaluateTestSet')).toHaveLength(1);
    expect((start as HTMLButtonElement).disabled).toBe(true);

    act(() => backend.emitEvaluationProgress({ done: 2500, total: 10_000 }));
    const bar = screen.getByRole('progressbar', { name: 'Evaluating test set' }) as HTMLProgressElement;
    expect(bar.value).toBe(2500);
    expect(bar.max).toBe(10_000);
    expect(screen.getByText('2,500 of 10,000 images')).toBeTruthy();

    const n = 1000;
    await act(async () => backend.finishEvaluation({ ok: true, evaluation: syntheticEvaluation(n) }));
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect((start as HTMLButtonElement).disabled).toBe(false);
    const correct = syntheticEvaluation(n).fourCropCorrect;
    expect(screen.getByText('4-crop accuracy').nextElementSibling!.textContent).toBe(
      `${((correct / n) * 100).toFixed(2)}% (${correct} of 1,000)`,
    );

    const table = screen.getByRole('table', { name: /Confusion matrix/ });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(11);
    const cells = within(table).getAllByRole('button');
    expect(cells).toHaveLength(100);
    expect(cells.reduce((sum, c) => sum + Number(c.textContent), 0)).toBe(n);
    // Every 7th image of digit 3 was taken for a 4: i = 3, 13, ... with i % 7 == 0.
    const cell = screen.getByRole('button', { name: 'True 3, predicted 4: 14 of 100 images (14.0%)' });
    expect(cell.textContent).toBe('14');
    expect(cell.getAttribute('title')).toBe('True 3, predicted 4: 14 of 100 images (14.0%)');
    expect(cell.closest('td')!.className).not.toMatch(/diagonal/);
    expect(screen.getByRole('button', { name: /^True 3, predicted 3: 86 of 100/ }).closest('td')!.className).toMatch(
      /confusion__cell--diagonal/,
    );
    // Per-class accuracy closes each row.
    expect(within(rows[4]).getAllByRole('cell').at(-1)!.textContent).toBe('86.0%');
  });

  it('shows the images of a clicked cell with their top-3 bars, pixels fetched for those only', async () => {
    const { backend, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    const evaluation = syntheticEvaluation(200);
    await act(async () => backend.finishEvaluation({ ok: true, evaluation }));
    backend.calls.length = 0;

    await user.click(screen.getByRole('button', { name: /^True 3, predicted 4:/ }));
    expect(screen.getByRole('heading', { name: 'True 3, predicted 4: 2 images' })).toBeTruthy();
    expect(backend.callsTo('testImages')).toEqual([[[63, 133]]]);
    const gallery = screen.getByRole('list', { name: 'Test images of true 3 predicted 4' });
    await waitFor(() => expect(gallery.getAttribute('aria-busy')).toBe('false'));
    // The gallery's own items (each holds a list of bars too).
    const items = [...gallery.children];
    expect(items.map((i) => i.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/^Test image 63, a 3; predicted 4 /),
      expect.stringMatching(/^Test image 133, a 3; predicted 4 /),
    ]);
    // Top-3 bars: the wrong guess first, coloured as wrong against the true 3.
    const bars = items[0].querySelectorAll('.prob-bar');
    expect([...bars].map((b) => b.querySelector('.prob-bar__label')!.textContent)).toEqual(['4', '6', '7']);
    expect(bars[0].className).toMatch(/prob-bar--wrong/);

    // The most confidently wrong gallery lists the surest mistakes first.
    const wrong = screen.getByRole('list', { name: 'Most confidently wrong test images' });
    const expected = mostConfidentlyWrong(evaluation, 20);
    expect([...wrong.children].map((i) => Number(/Test image (\d+)/.exec(i.getAttribute('aria-label')!)![1]))).toEqual(
      expected,
    );
    // Each tile says its true digit in sight, not only to screen readers.
    expect([...wrong.children].map((i) => i.querySelector('.prediction__truth')?.textContent)).toEqual(
      expected.map((index) => `true ${evaluation.labels[index]}`),
    );
  });

  it('is one tab stop, walked with the arrow keys; Enter shows the focused cell', async () => {
    const { backend, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    await act(async () => backend.finishEvaluation({ ok: true, evaluation: syntheticEvaluation(200) }));
    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('button').filter((b) => b.tabIndex === 0)).toHaveLength(1);
    await user.tab();
    expect(document.activeElement!.getAttribute('aria-label')).toMatch(/^True 0, predicted 0:/);
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}{ArrowRight}');
    expect(document.activeElement!.getAttribute('aria-label')).toMatch(/^True 3, predicted 1:/);
    await user.keyboard('{End}{ArrowLeft}{ArrowLeft}{ArrowLeft}{ArrowLeft}{ArrowLeft}{Enter}');
    expect(screen.getByRole('heading', { name: 'True 3, predicted 4: 2 images' })).toBeTruthy();
    expect(within(table).getAllByRole('button').filter((b) => b.tabIndex === 0).map((b) => b.textContent)).toEqual(['2']);
  });

  it('cancels: the worker is told, the progress bar goes, and it can start again', async () => {
    const { backend, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    act(() => backend.emitEvaluationProgress({ done: 100, total: 10_000 }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(backend.callsTo('cancelEvaluation')).toHaveLength(1);
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByText('Evaluation cancelled.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    expect(backend.callsTo('evaluateTestSet')).toHaveLength(2);
  });

  it('says why when the evaluation is refused, and drops a result from an older run', async () => {
    const { backend, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    await act(async () => backend.finishEvaluation({ ok: false, cancelled: false, error: 'The test set is not loaded yet; try again in a moment.' }));
    expect(screen.getByRole('alert').textContent).toBe('The test set is not loaded yet; try again in a moment.');

    await user.click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    await act(async () => backend.finishEvaluation({ ok: true, evaluation: syntheticEvaluation(50) }));
    expect(screen.getByRole('table')).toBeTruthy();
    // A new network: the matrix of the old weights goes away.
    act(() => backend.emitUpdate({ runId: 2 }));
    expect(screen.queryByRole('table')).toBeNull();
  });
});
