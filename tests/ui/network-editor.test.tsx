// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { SEED_DEFINITION_TEXT } from '../../src/engine/parse';
import { NetworkEditor } from '../../src/ui/network-editor/NetworkEditor';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

const SMALL_NETWORK = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:4, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:4, stride:4});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.SGDTrainer(net, {method:'sgd', learning_rate:0.01, batch_size:10});
`;

function setup() {
  const harness = renderWithDashboard(<NetworkEditor />);
  startSession(harness.backend);
  return { ...harness, user: userEvent.setup() };
}

/** Replaces the box's text at once (typing a whole definition key by key is slow and adds nothing). */
function setDefinition(text: string) {
  fireEvent.change(screen.getByLabelText('Network definition'), { target: { value: text } });
}

/** Body rows of the preview table as cell texts: #, layer, output shape, parameters. */
function previewRows(): string[][] {
  const table = within(screen.getByRole('region', { name: 'Preview of the definition' })).getByRole('table');
  const [, body] = within(table).getAllByRole('rowgroup');
  return within(body!)
    .getAllByRole('row')
    .map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent ?? ''));
}

function previewTotal(): string {
  const table = within(screen.getByRole('region', { name: 'Preview of the definition' })).getByRole('table');
  return within(table).getByRole('rowheader', { name: 'Total' }).nextElementSibling?.textContent ?? '';
}

describe('network editor', () => {
  it('starts with the seed definition and previews its layers', () => {
    setup();
    expect(screen.getByRole('heading', { name: 'Instantiate a Network and Trainer' })).toBeTruthy();
    expect(screen.getByLabelText<HTMLTextAreaElement>('Network definition').value).toBe(SEED_DEFINITION_TEXT);
    const rows = previewRows();
    expect(rows.map((r) => r.slice(1, 3).join(' '))).toEqual([
      'input 24x24x1',
      'conv 24x24x8',
      'relu 24x24x8',
      'pool 12x12x8',
      'conv 12x12x16',
      'relu 12x12x16',
      'pool 4x4x16',
      'fc 1x1x10',
      'softmax 1x1x10',
    ]);
    expect(rows[1]![3]).toBe('8x5x5x1+8 = 208');
    expect(rows[7]![3]).toBe('10x256+10 = 2570');
    expect(previewTotal()).toBe('5,994');
  });

  it('shows the engine’s did-you-mean message with its line and sends nothing', async () => {
    const { backend, user } = setup();
    setDefinition(SEED_DEFINITION_TEXT.replace("method:'adadelta'", "method:'adadelata'"));
    await user.click(screen.getByRole('button', { name: 'Change network' }));

    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(/adadelata/);
    expect(alert.textContent).toMatch(/did you mean 'adadelta'/);
    expect(alert.textContent).toMatch(/line 12/);
    expect(within(alert).getByText(/SGDTrainer/)).toBeTruthy();
    expect(backend.callsTo('setNetwork')).toEqual([]);
  });

  it('previews an edited definition before it is applied, then applies it', async () => {
    const { backend, user } = setup();
    setDefinition(SMALL_NETWORK);
    await waitFor(() => expect(previewRows().map((r) => r[2])).toEqual(['24x24x1', '24x24x4', '24x24x4', '6x6x4', '1x1x10', '1x1x10']));
    expect(previewRows()[1]![3]).toBe('4x5x5x1+4 = 104');
    expect(backend.callsTo('setNetwork')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Change network' }));
    expect(backend.callsTo('setNetwork')).toEqual([[SMALL_NETWORK]]);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('status').textContent).toMatch(/Network changed/);
  });

  it('shows a rejection from the session and keeps the text', async () => {
    const { backend, user } = setup();
    backend.answers.setNetwork = () => ({ ok: false, error: 'the network needs more memory than this tab allows' });
    setDefinition(SMALL_NETWORK);
    await user.click(screen.getByRole('button', { name: 'Change network' }));
    expect(screen.getByRole('alert').textContent).toContain('the network needs more memory than this tab allows');
    expect(screen.getByLabelText<HTMLTextAreaElement>('Network definition').value).toBe(SMALL_NETWORK);
  });

  it('follows the definition in force unless the box holds unapplied edits', () => {
    const { backend } = setup();
    act(() => backend.emitUpdate({ network: networkSummary(SMALL_NETWORK) }));
    expect(screen.getByLabelText<HTMLTextAreaElement>('Network definition').value).toBe(SMALL_NETWORK);

    setDefinition('layer_defs = [];');
    act(() => backend.emitUpdate({ network: networkSummary() }));
    expect(screen.getByLabelText<HTMLTextAreaElement>('Network definition').value).toBe('layer_defs = [];');
  });

  it('names "Custom" in Presets once the definition is no preset, and the preset again when it is one', async () => {
    const { user } = setup();
    const presets = screen.getByLabelText<HTMLSelectElement>('Presets');
    expect(presets.selectedOptions[0]!.textContent).toBe("Seed network (the demo's)");
    setDefinition(SMALL_NETWORK);
    await user.click(screen.getByRole('button', { name: 'Change network' }));
    expect(presets.selectedOptions[0]!.textContent).toBe('Custom');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Load preset' }).disabled).toBe(true);
    await user.selectOptions(presets, 'MLP');
    await user.click(screen.getByRole('button', { name: 'Load preset' }));
    expect(presets.selectedOptions[0]!.textContent).toBe('MLP');
  });
});
