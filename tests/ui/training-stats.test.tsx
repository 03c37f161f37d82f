// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { TrainingStats } from '../../src/ui/stats/TrainingStats';
import { FaultBanner } from '../../src/ui/fault/FaultBanner';
import { renderWithDashboard, startSession } from './dashboard-harness';

/** The value shown next to a stat's label. */
function stat(label: string): string {
  const term = screen.getByText(label, { selector: 'dt' });
  return term.nextElementSibling?.textContent ?? '';
}

describe('training stats', () => {
  it('toggles Pause and Resume through the store', async () => {
    const { backend } = renderWithDashboard(<TrainingStats />);
    startSession(backend, true);
    const user = userEvent.setup();

    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(backend.callsTo('pause')).toHaveLength(1);
    const resume = screen.getByRole('button', { name: 'Resume' });
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();

    await user.click(resume);
    expect(backend.callsTo('resume')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
  });

  it('offers Step only while paused', async () => {
    const { backend } = renderWithDashboard(<TrainingStats />);
    startSession(backend, true);
    const user = userEvent.setup();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Step' }).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    const step = screen.getByRole<HTMLButtonElement>('button', { name: 'Step' });
    expect(step.disabled).toBe(false);
    // The seed trainer's batch_size is 20: a step is one weight update, not one example.
    expect(step.title).toBe('Train one mini-batch (20 examples, one weight update)');
    await user.click(step);
    expect(backend.callsTo('step')).toHaveLength(1);
  });

  it('shows every statistic from the session', () => {
    const { backend } = renderWithDashboard(<TrainingStats />);
    startSession(backend, true);
    act(() =>
      backend.emitUpdate({
        stats: {
          examplesSeen: 12345,
          examplesPerSecond: 410.4,
          forwardMs: 1.234,
          backwardMs: 2.5,
          classificationLoss: 0.505761,
          l2DecayLoss: 0.00135,
          trainingAccuracy: 0.87,
          validationAccuracy: 0.9125,
          trainingSeconds: 83.46,
        },
      }),
    );
    expect(stat('Forward time per example')).toBe('1.23 ms');
    expect(stat('Backprop time per example')).toBe('2.5 ms');
    expect(stat('Classification loss')).toBe('0.50576');
    expect(stat('L2 weight decay loss')).toBe('0.00135');
    expect(stat('Training accuracy')).toBe('87.0%');
    expect(stat('Validation accuracy')).toBe('91.3%');
    expect(stat('Examples seen')).toBe('12,345');
    expect(stat('Examples per second')).toBe('410');
    // Training time leaves out pauses and evaluations; past a minute it reads in minutes.
    expect(stat('Training time')).toBe('1 min 23 s');
    act(() => backend.emitUpdate({ stats: { trainingSeconds: 12.34 } }));
    expect(stat('Training time')).toBe('12.3 s');
  });

  it('shows a progress bar while the data loads, then removes it', () => {
    const { backend } = renderWithDashboard(<TrainingStats />);
    act(() => backend.emitData({ phase: 'loading', loaded: 3, total: 12, message: 'training images' }));
    const bar = screen.getByRole<HTMLProgressElement>('progressbar', { name: 'Loading MNIST data' });
    expect(bar.value).toBe(3);
    expect(bar.max).toBe(12);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Resume' }).disabled).toBe(true);

    startSession(backend, true);
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('reports a data failure and retries on request', async () => {
    const { backend } = renderWithDashboard(<TrainingStats />);
    act(() => backend.emitData({ phase: 'error', loaded: 0, total: 12, message: 'HTTP 404 for train-images' }));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('HTTP 404 for train-images');
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(backend.callsTo('retryData')).toHaveLength(1);
  });

  it('says why training paused itself', () => {
    const { backend } = renderWithDashboard(<TrainingStats />);
    startSession(backend, true);
    act(() =>
      backend.emitUpdate({
        stats: { running: false, pausedReason: 'the loss became NaN; try a lower learning rate' },
      }),
    );
    expect(screen.getByRole('alert').textContent).toContain('the loss became NaN; try a lower learning rate');
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
  });
});

describe('fault banner', () => {
  it('names what failed and restarts training', async () => {
    const { backend, store } = renderWithDashboard(<FaultBanner />);
    startSession(backend, true);
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => backend.emitFault('The training worker crashed: out of memory'));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The training worker crashed: out of memory');
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Restart training' }));
    expect(backend.callsTo('restart')).toHaveLength(1);
    expect(store.getState().fault).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
