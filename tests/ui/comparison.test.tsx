// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ComparisonBackend } from '../../src/comparison/comparison-client';
import type { ComparisonEvents, ComparisonRequest, ComparisonUpdate, RunReport } from '../../src/comparison/protocol';
import { ComparisonPanel } from '../../src/ui/comparison/ComparisonPanel';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

const SMALL_NETWORK = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'softmax', num_classes:10});`;

/** A scripted comparison backend: records calls, lets the test push updates. */
function fakeComparison() {
  const calls: string[] = [];
  const requests: ComparisonRequest[] = [];
  let listener: ComparisonEvents | null = null;
  let answer: { ok: true } | { ok: false; error: string } = { ok: true };
  const backend: ComparisonBackend = {
    async start(request, l) {
      calls.push('start');
      requests.push(request);
      if (answer.ok) listener = l;
      return answer;
    },
    async pause() {
      calls.push('pause');
    },
    async resume() {
      calls.push('resume');
    },
    async stop() {
      calls.push('stop');
    },
  };
  return {
    backend,
    calls,
    requests,
    refuse(error: string) {
      answer = { ok: false, error };
    },
    emit(update: ComparisonUpdate) {
      act(() => listener!.update(update));
    },
  };
}

function run(label: string, examples: number, loss: number): RunReport {
  return {
    label,
    trainer: networkSummary().trainer,
    examples,
    loss,
    trainingAccuracy: 0.5,
    validationAccuracy: 0.75,
    msPerExample: 1.25,
    stoppedReason: null,
    curve: [
      { examples: 50, loss: loss + 1, trainingAccuracy: 0.2, validationAccuracy: null },
      { examples, loss, trainingAccuracy: 0.5, validationAccuracy: 0.75 },
    ],
  };
}

async function setup(options: { running?: boolean; network?: string } = {}) {
  const comparison = fakeComparison();
  const harness = renderWithDashboard(<ComparisonPanel />, undefined, { comparison: comparison.backend });
  startSession(harness.backend, options.running ?? true, networkSummary(options.network));
  const user = userEvent.setup();
  await user.click(screen.getByRole('button', { name: 'Show comparison' }));
  return { ...harness, comparison, user };
}

const trainerGroup = (n: number) => screen.getByRole('group', { name: `Trainer ${n}` });

describe('compare trainers panel', () => {
  it('is a collapsed section until opened, by keyboard too', async () => {
    const comparison = fakeComparison();
    renderWithDashboard(<ComparisonPanel />, undefined, { comparison: comparison.backend });
    const toggle = screen.getByRole('button', { name: 'Show comparison' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('group', { name: 'Trainer 1' })).toBeNull();
    const user = userEvent.setup();
    toggle.focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('button', { name: 'Hide comparison' }).getAttribute('aria-expanded')).toBe('true');
    expect(trainerGroup(1)).toBeTruthy();
  });

  it('starts with adadelta against sgd (lr 0.01, momentum 0.9), as ConvNetJS compares them', async () => {
    await setup();
    expect(within(trainerGroup(1)).getByLabelText<HTMLSelectElement>('Method').value).toBe('adadelta');
    // adadelta has no learning rate: the field is not offered.
    expect(within(trainerGroup(1)).queryByLabelText('Learning rate')).toBeNull();
    const sgd = within(trainerGroup(2));
    expect(sgd.getByLabelText<HTMLSelectElement>('Method').value).toBe('sgd');
    expect(sgd.getByLabelText<HTMLInputElement>('Learning rate').value).toBe('0.01');
    expect(sgd.getByLabelText<HTMLInputElement>('Momentum').value).toBe('0.9');
    expect(sgd.getByLabelText<HTMLInputElement>('Batch size').value).toBe('20');
  });

  it('refuses a bad value with the live trainer form’s words and keeps the configuration as it was', async () => {
    const { user } = await setup();
    const rate = within(trainerGroup(2)).getByLabelText<HTMLInputElement>('Learning rate');
    await user.clear(rate);
    await user.type(rate, '-1{Enter}');
    expect(rate.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toBe('-1 is not allowed. Enter a finite number, at least 0 and at most 1,000,000.');
    const batch = within(trainerGroup(2)).getByLabelText<HTMLInputElement>('Batch size');
    await user.clear(batch);
    await user.type(batch, 'xx{Enter}');
    expect(within(trainerGroup(2)).getAllByRole('alert').map((a) => a.textContent)).toContain(
      '"xx" is not a number. Enter a whole number, at least 1 and at most 1,000,000.',
    );
    expect(screen.queryByText(/is the string/)).toBeNull();
  });

  it('refuses to start while a box holds a refused value, and starts once it is fixed', async () => {
    const { comparison, user } = await setup();
    const batch = within(trainerGroup(2)).getByLabelText<HTMLInputElement>('Batch size');
    await user.clear(batch);
    await user.type(batch, 'xx');
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    expect(comparison.requests).toHaveLength(0);
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain(
      'Not started: fix this field first. Trainer 2, Batch size: "xx" is not a number. Enter a whole number, at least 1 and at most 1,000,000.',
    );

    await user.clear(batch);
    await user.type(batch, '10{Enter}');
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    expect(comparison.requests[0]!.trainers[1]!.batch_size).toBe(10);
  });

  it('forgets the refusal of a trainer that is removed', async () => {
    const { comparison, user } = await setup();
    await user.click(screen.getByRole('button', { name: 'Add trainer' }));
    const rate = within(trainerGroup(3)).getByLabelText<HTMLInputElement>('Learning rate');
    await user.clear(rate);
    await user.type(rate, 'fast{Enter}');
    await user.click(screen.getByRole('button', { name: 'Remove Trainer 3' }));
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    expect(comparison.requests).toHaveLength(1);
  });

  it('applies a good value and names each configuration by what sets it apart', async () => {
    const { comparison, user } = await setup();
    const rate = within(trainerGroup(2)).getByLabelText<HTMLInputElement>('Learning rate');
    await user.clear(rate);
    await user.type(rate, '0.05');
    await user.tab();
    expect(rate.value).toBe('0.05');
    expect(rate.getAttribute('aria-invalid')).toBeNull();
    await user.selectOptions(within(trainerGroup(1)).getByLabelText('Method'), 'adam');

    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    const request = comparison.requests[0]!;
    expect(request.trainers.map((t) => t.method)).toEqual(['adam', 'sgd']);
    expect(request.trainers[1]!.learning_rate).toBe(0.05);
    // Switching to adam brings adam's eps default along.
    expect(request.trainers[0]!.eps).toBe(1e-8);
    expect(request.labels).toEqual(['1: adam, lr 0.01, batch 20, L2 0.001', '2: sgd, lr 0.05, momentum 0.9, batch 20, L2 0.001']);
  });

  it('takes 2 to 6 trainers', async () => {
    const { user } = await setup();
    const add = screen.getByRole('button', { name: 'Add trainer' });
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Remove Trainer 1' }).disabled).toBe(true);
    for (let i = 0; i < 4; i++) await user.click(add);
    expect(screen.getAllByRole('group', { name: /^Trainer \d$/ })).toHaveLength(6);
    expect((add as HTMLButtonElement).disabled).toBe(true);
    expect(within(trainerGroup(3)).getByLabelText<HTMLSelectElement>('Method').value).toBe('adam');
    await user.click(screen.getByRole('button', { name: 'Remove Trainer 3' }));
    expect(screen.getAllByRole('group', { name: /^Trainer \d$/ })).toHaveLength(5);
    // The one that was fourth moved up; its method came along.
    expect(within(trainerGroup(3)).getByLabelText<HTMLSelectElement>('Method').value).toBe('nesterov');
  });

  it('starts from the run’s seed, the one the Run card shows', async () => {
    const comparison = fakeComparison();
    const harness = renderWithDashboard(<ComparisonPanel />, undefined, { comparison: comparison.backend });
    startSession(harness.backend, true, { ...networkSummary(), seed: 42 });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Show comparison' }));
    expect(screen.getByText(/from the same initial weights \(the run's seed, 42\)/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    expect(comparison.requests[0]!.seed).toBe(42);
  });

  it('compares the network in force, pauses main training meanwhile and resumes it on Stop', async () => {
    const { backend, comparison, user } = await setup({ network: SMALL_NETWORK });
    expect(screen.getByText(/network in force when you press Start \(now 5,770 parameters\)/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    expect(comparison.requests[0]!.definitionText).toBe(SMALL_NETWORK);
    expect(backend.callsTo('pause')).toHaveLength(1);
    expect(screen.getByRole('status').textContent).toMatch(/Main training is paused while the comparison runs/);
    // The configurations are locked while it runs.
    expect(within(trainerGroup(1)).getByLabelText('Method').matches(':disabled')).toBe(true);

    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(comparison.calls).toContain('stop');
    expect(backend.callsTo('resume')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Start comparison' })).toBeTruthy();
  });

  it('leaves main training paused when it was paused before', async () => {
    const { backend, user } = await setup({ running: false });
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(backend.callsTo('pause')).toEqual([]);
    expect(backend.callsTo('resume')).toEqual([]);
  });

  it('shows a refused start and stays ready', async () => {
    const { backend, comparison, user } = await setup();
    comparison.refuse("the network's input is 32x32x1, larger than MNIST's 28x28 images");
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    expect(screen.getByRole('alert').textContent).toMatch(/larger than MNIST's 28x28/);
    expect(backend.callsTo('pause')).toEqual([]);
    expect(screen.getByRole('button', { name: 'Start comparison' })).toBeTruthy();
  });

  it('shows each run in the legend and the table, and pauses and resumes them all together', async () => {
    const { comparison, user } = await setup();
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    comparison.emit({ phase: 'running', dataMessage: null, runs: [run('1: adadelta', 400, 0.9), run('2: sgd', 400, 1.4)] });

    const legend = screen.getByRole('list', { name: 'Legend' });
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      '1: adadelta (solid line)',
      '2: sgd (dashed line)',
    ]);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell').map((c) => c.textContent))).toEqual([
      ['0.9', '50.0%', '75.0%', '400', '1.25'],
      ['1.4', '50.0%', '75.0%', '400', '1.25'],
    ]);
    expect(screen.getByRole('status').textContent).toMatch(/Training: 400 examples per trainer/);

    await user.click(screen.getByRole('button', { name: 'Pause all' }));
    expect(comparison.calls).toContain('pause');
    comparison.emit({ phase: 'paused', dataMessage: null, runs: [run('1: adadelta', 420, 0.9), run('2: sgd', 420, 1.4)] });
    expect(screen.getByRole('status').textContent).toMatch(/All trainers paused/);
    await user.click(screen.getByRole('button', { name: 'Resume all' }));
    expect(comparison.calls).toContain('resume');
  });

  it('says which run stopped on a diverging loss, and when all did', async () => {
    const { comparison, user } = await setup();
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    const reason = 'the loss became NaN after 40 examples, so this run stopped; try a lower learning_rate or a smaller l2_decay';
    comparison.emit({
      phase: 'running',
      dataMessage: null,
      runs: [{ ...run('1: sgd, lr 100', 40, 2), stoppedReason: reason }, run('2: adadelta', 400, 0.9)],
    });
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(within(rows[0]!).getByRole('rowheader').textContent).toContain(`Stopped: ${reason}`);
    expect(within(rows[1]!).getByRole('rowheader').textContent).not.toContain('Stopped');
    expect(screen.getByRole('status').textContent).toMatch(/Training: 400 examples per trainer/);

    comparison.emit({
      phase: 'paused',
      dataMessage: null,
      runs: [
        { ...run('1: sgd, lr 100', 40, 2), stoppedReason: reason },
        { ...run('2: sgd, lr 50', 60, 2), stoppedReason: reason },
      ],
    });
    expect(screen.getByRole('status').textContent).toMatch(/Every trainer stopped because its loss diverged/);
  });

  it('says when the data is still loading', async () => {
    const { comparison, user } = await setup();
    await user.click(screen.getByRole('button', { name: 'Start comparison' }));
    comparison.emit({ phase: 'waiting-for-data', dataMessage: 'Loading MNIST… 40%', runs: [run('1', 0, 0), run('2', 0, 0)] });
    expect(screen.getByRole('status').textContent).toMatch(/^Loading MNIST… 40%\. Main training is paused/);
  });
});
