// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestEvaluation } from '../../src/training/evaluation';
import type { LossPoint } from '../../src/training/protocol';
import { AccuracyChart } from '../../src/ui/loss-chart/AccuracyChart';
import { LossChart } from '../../src/ui/loss-chart/LossChart';
import { renderWithDashboard, startSession } from './dashboard-harness';

const CHART_SIZE = { width: 600, height: 260 };

/** jsdom lays nothing out: the charts' boxes report a fixed size so recharts draws. */
class SizedResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback([{ target, contentRect: { ...CHART_SIZE } } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve() {}
  disconnect() {}
}

// The curves are loaded lazily; loading them once here keeps recharts' slow first transform
// out of the queries' timeouts.
beforeAll(async () => {
  await Promise.all([import('../../src/ui/loss-chart/LossCurve'), import('../../src/ui/loss-chart/AccuracyCurve')]);
});

const rect = (width: number, height: number) =>
  ({ width, height, x: 0, y: 0, left: 0, top: 0, right: width, bottom: height, toJSON() {} }) as DOMRect;

beforeEach(() => {
  vi.stubGlobal('ResizeObserver', SizedResizeObserver);
  // The legend measures itself too: one line of it, not a whole chart's height.
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('recharts-legend-wrapper') ? rect(CHART_SIZE.width, 20) : rect(CHART_SIZE.width, CHART_SIZE.height);
  });
});
afterEach(() => vi.unstubAllGlobals());

/** A run whose loss falls from 2 to 0.02 over two decades while accuracy climbs. */
function trainingPoints(n: number): LossPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    examples: (i + 1) * 200,
    loss: 2 * 0.01 ** (i / (n - 1)),
    trainingAccuracy: i === 0 ? null : 0.5 + (0.45 * i) / n,
    validationAccuracy: i < 2 ? null : 0.45 + (0.5 * i) / n,
  }));
}

function evaluation(examplesSeen: number, fourCropCorrect: number, centerCorrect: number): TestEvaluation {
  return {
    runId: 1,
    examplesSeen,
    total: 10_000,
    fourCropCorrect,
    centerCorrect,
    labels: new Uint8Array(0),
    topLabels: new Uint8Array(0),
    topProbabilities: new Float32Array(0),
  };
}

function setUp() {
  const harness = renderWithDashboard(
    <>
      <LossChart />
      <AccuracyChart />
    </>,
  );
  startSession(harness.backend);
  act(() => harness.backend.emitUpdate({ lossPoints: trainingPoints(20) }));
  return { ...harness, user: userEvent.setup() };
}

async function finishEvaluation(harness: ReturnType<typeof setUp>, result: TestEvaluation) {
  const done = harness.store.getState().actions.evaluateTestSet();
  await act(async () => {
    harness.backend.finishEvaluation({ ok: true, evaluation: result });
    await done;
  });
}

const tickLabels = (region: HTMLElement, axis: 'xAxis' | 'yAxis') =>
  Array.from(region.querySelectorAll(`.recharts-${axis}-tick-labels text`)).map((t) => t.textContent);

describe('loss and accuracy charts', () => {
  it('draws training and validation accuracy as lines and test evaluations as points, with a legend', async () => {
    const harness = setUp();
    const accuracy = screen.getByRole('region', { name: 'Accuracy' });
    const legend = () => Array.from(accuracy.querySelectorAll('.recharts-legend-item-text')).map((e) => e.textContent);
    await waitFor(() => expect(accuracy.querySelectorAll('path.recharts-line-curve')).toHaveLength(2));
    const windowLines = Array.from(accuracy.querySelectorAll('path.recharts-line-curve')).map((p) => p.getAttribute('d'));
    // No evaluation yet: no test points, and no legend entries for them.
    expect(accuracy.querySelectorAll('.test-evaluation-dot')).toHaveLength(0);
    expect(legend()).toEqual(['Training', 'Validation']);

    await finishEvaluation(harness, evaluation(2000, 9650, 9600));
    await waitFor(() => expect(legend()).toEqual(['Training', 'Validation', 'Test (4-crop)', 'Test (center)']));
    // One evaluation: one point in each test series.
    await waitFor(() => expect(accuracy.querySelectorAll('.test-evaluation-dot')).toHaveLength(2));
    expect(within(accuracy).getByText(/Test set: 96\.5% \(4-crop\) at 2,000 examples/)).toBeTruthy();
    expect(within(accuracy).getByText(/^Training 92\.8%, validation 92\.5% after 4,000 examples/)).toBeTruthy();
    expect(tickLabels(accuracy, 'yAxis').at(-1)).toBe('100%');
    // The window lines run on unbroken across the evaluation's row.
    const curves = Array.from(accuracy.querySelectorAll('path.recharts-line-curve')).map((p) => p.getAttribute('d'));
    expect(curves.slice(0, 2)).toEqual(windowLines);
    // The loss chart stays its own region with its single curve.
    const loss = screen.getByRole('region', { name: 'Loss' });
    expect(loss.querySelectorAll('path.recharts-line-curve')).toHaveLength(1);
  });

  it('draws the classification loss as its own line below the total, and hides it on request', async () => {
    const harness = renderWithDashboard(<LossChart />);
    startSession(harness.backend);
    const points = trainingPoints(20).map((p) => ({ ...p, classificationLoss: p.loss * 0.8 }));
    act(() => harness.backend.emitUpdate({ lossPoints: points }));
    const user = userEvent.setup();
    const loss = screen.getByRole('region', { name: 'Loss' });
    const curves = () => loss.querySelectorAll('path.recharts-line-curve');
    await waitFor(() => expect(curves()).toHaveLength(2));
    const legend = Array.from(loss.querySelectorAll('.recharts-legend-item-text')).map((e) => e.textContent);
    expect([...legend].sort()).toEqual(['classification loss', 'total loss (with weight decay)']);
    expect(within(loss).getByText(/^Smoothed total loss 0\.02 \(classification 0\.016\) after 4,000 examples/)).toBeTruthy();

    const toggle = within(loss).getByRole('checkbox', { name: 'Classification loss line' });
    expect((toggle as HTMLInputElement).checked).toBe(true);
    await user.click(toggle);
    await waitFor(() => expect(curves()).toHaveLength(1));
  });

  it('switches the loss axis to a log scale and back', async () => {
    const { user } = setUp();
    const loss = screen.getByRole('region', { name: 'Loss' });
    await waitFor(() => expect(tickLabels(loss, 'yAxis').length).toBeGreaterThan(1));
    const linear = tickLabels(loss, 'yAxis');
    expect(linear[0]).toBe('0');
    const toggle = within(loss).getByRole('checkbox', { name: 'Log scale' });
    expect((toggle as HTMLInputElement).checked).toBe(false);

    await user.click(toggle);
    expect((toggle as HTMLInputElement).checked).toBe(true);
    await waitFor(() => expect(tickLabels(loss, 'yAxis')).toEqual(['0.02', '0.05', '0.1', '0.2', '0.5', '1', '2']));
    expect(within(loss).getByRole('img').getAttribute('aria-label')).toMatch(/logarithmic/);

    await user.click(toggle);
    await waitFor(() => expect(tickLabels(loss, 'yAxis')).toEqual(linear));
  });

  it('downloads the metrics history as CSV, test evaluations included', async () => {
    const harness = setUp();
    await finishEvaluation(harness, evaluation(2000, 9650, 9600));
    const blobs: Blob[] = [];
    vi.stubGlobal('URL', Object.assign(Object.create(URL), {
      createObjectURL: (blob: Blob) => {
        blobs.push(blob);
        return 'blob:metrics';
      },
      revokeObjectURL: () => {},
    }));
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    await harness.user.click(within(screen.getByRole('region', { name: 'Accuracy' })).getByRole('button', { name: 'Download CSV' }));
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe('mnist-metrics-4000-examples.csv');
    expect(clicked[0]!.getAttribute('href')).toBe('blob:metrics');
    expect(blobs[0]!.type).toBe('text/csv');
    const lines = (await blobs[0]!.text()).split('\r\n');
    expect(lines.slice(0, 4)).toEqual([
      'kind,examples,loss,training_accuracy,validation_accuracy,test_accuracy_4crop,test_accuracy_center',
      'history,200,2,,,,',
      'history,400,1.56952,0.5225,,,',
      'history,600,1.2317,0.545,0.5,,',
    ]);
    expect(lines).toContain('test evaluation,2000,,,,0.965,0.96');
    // Header, 20 points, 1 evaluation and the final line end.
    expect(lines).toHaveLength(23);
  });

  it('names both charts on the button that empties both, test points included', async () => {
    const harness = setUp();
    await finishEvaluation(harness, evaluation(2000, 9650, 9600));
    const loss = screen.getByRole('region', { name: 'Loss' });
    await harness.user.click(within(loss).getByRole('button', { name: 'Clear loss and accuracy graphs' }));
    expect(harness.store.getState().testEvaluationPoints).toEqual([]);
    const accuracy = screen.getByRole('region', { name: 'Accuracy' });
    await waitFor(() => expect(accuracy.querySelectorAll('.test-evaluation-dot')).toHaveLength(0));
    expect(within(accuracy).getByText(/The curves appear once training has seen a few hundred examples/)).toBeTruthy();
    expect(within(accuracy).getByRole<HTMLButtonElement>('button', { name: 'Download CSV' }).disabled).toBe(true);
    expect(within(loss).getByText(/The curve appears once training/)).toBeTruthy();
  });
});
