// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { TrainerForm } from '../../src/ui/controls/TrainerForm';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

function setup() {
  const harness = renderWithDashboard(<TrainerForm />);
  startSession(harness.backend);
  return { ...harness, user: userEvent.setup() };
}

/** The inline message a field points at through aria-describedby. */
function describedText(input: HTMLElement): string {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

describe('trainer form', () => {
  it('shows the values in force for the seed trainer', () => {
    setup();
    expect(screen.getByLabelText<HTMLInputElement>('Batch size').value).toBe('20');
    expect(screen.getByLabelText<HTMLInputElement>('Weight decay').value).toBe('0.001');
    expect(screen.getByLabelText<HTMLInputElement>('Learning rate').value).toBe('0.01');
    expect(screen.getByLabelText<HTMLInputElement>('Momentum').value).toBe('0.9');
    expect(screen.getByLabelText<HTMLSelectElement>('Method').value).toBe('adadelta');
    const options = within(screen.getByLabelText('Method')).getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta', 'nesterov']);
  });

  it.each([
    ['Learning rate', 'abc', /"abc" is not a number/],
    ['Learning rate', '', /Required/],
    ['Learning rate', '-0.5', /-0.5 is not allowed.*at least 0/],
    ['Momentum', 'NaN', /"NaN" is not a number/],
    ['Weight decay', '-1', /-1 is not allowed/],
    ['Batch size', '0', /0 is not allowed.*whole number, at least 1/],
    ['Batch size', '2.5', /2.5 is not allowed.*whole number/],
  ])('refuses %s = %j with an inline message and sends nothing', async (label, text, message) => {
    const { backend, user } = setup();
    const input = screen.getByLabelText(label);
    await user.clear(input);
    if (text !== '') await user.type(input, text);
    await user.keyboard('{Enter}');

    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(input)).toMatch(message);
    expect(screen.getByRole('alert').textContent).toMatch(message);
    expect(backend.callsTo('setTrainer')).toEqual([]);
    // The bad text stays for correcting; it is not replaced by the value in force.
    expect((input as HTMLInputElement).value).toBe(text);
  });

  it('applies a valid value on Enter and clears a previous error', async () => {
    const { backend, user } = setup();
    const input = screen.getByLabelText<HTMLInputElement>('Learning rate');
    await user.clear(input);
    await user.type(input, 'abc{Enter}');
    expect(input.getAttribute('aria-invalid')).toBe('true');

    await user.clear(input);
    await user.type(input, '0.05{Enter}');
    expect(backend.callsTo('setTrainer')).toEqual([[{ learning_rate: 0.05 }]]);
    expect(input.getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(input.value).toBe('0.05');
  });

  it('applies on blur, once, with the ConvNetJS field name', async () => {
    const { backend, user } = setup();
    const input = screen.getByLabelText('Weight decay');
    await user.clear(input);
    await user.type(input, '0.0005{Enter}');
    await user.tab();
    const batch = screen.getByLabelText('Batch size');
    await user.clear(batch);
    await user.type(batch, '8');
    await user.tab();
    expect(backend.callsTo('setTrainer')).toEqual([[{ l2_decay: 0.0005 }], [{ batch_size: 8 }]]);
  });

  it('shows the value in force after the session reports it', async () => {
    const { backend, user } = setup();
    const input = screen.getByLabelText<HTMLInputElement>('Batch size');
    await user.clear(input);
    await user.type(input, '32{Enter}');
    const network = networkSummary();
    act(() => backend.emitUpdate({ network: { ...network, trainer: { ...network.trainer, batch_size: 32 } } }));
    expect(input.value).toBe('32');
    // A later change made elsewhere (e.g. a loaded snapshot) shows up too.
    act(() => backend.emitUpdate({ network: { ...network, trainer: { ...network.trainer, batch_size: 4 } } }));
    expect(input.value).toBe('4');
  });

  it('shows the session’s reason when it rejects a change', async () => {
    const { backend, user } = setup();
    backend.answers.setTrainer = () => ({ ok: false, error: 'trainer: momentum is out of range' });
    const input = screen.getByLabelText('Momentum');
    await user.clear(input);
    await user.type(input, '0.5{Enter}');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(input)).toContain('trainer: momentum is out of range');
  });

  it('switches the method live from the select', async () => {
    const { backend, user } = setup();
    await user.selectOptions(screen.getByLabelText('Method'), 'sgd');
    expect(backend.callsTo('setTrainer')).toEqual([[{ method: 'sgd' }]]);
    expect(screen.getByLabelText<HTMLSelectElement>('Method').value).toBe('sgd');
  });
});
