// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../src/engine/parse';
import { NETWORK_PRESETS } from '../../src/engine/presets';
import { SpecError } from '../../src/engine/spec';
import { modelFromText, modelText, setLayerField } from '../../src/ui/network-editor/form-model';
import { hasComments } from '../../src/ui/network-editor/snippet-text';
import { NetworkEditor } from '../../src/ui/network-editor/NetworkEditor';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

function setup() {
  const harness = renderWithDashboard(<NetworkEditor />);
  startSession(harness.backend);
  return { ...harness, user: userEvent.setup() };
}

function codeBox(): HTMLTextAreaElement {
  return screen.getByLabelText<HTMLTextAreaElement>('Network definition');
}

function setCode(text: string) {
  fireEvent.change(codeBox(), { target: { value: text } });
}

function layerRows(): HTMLElement[] {
  return within(screen.getByRole('list', { name: 'Layers' })).getAllByRole('group');
}

/** Each row's accessible name, e.g. "Layer 1 (conv)". */
function rowNames(): string[] {
  return layerRows().map((row) => row.getAttribute('aria-label') ?? '');
}

function row(name: string): HTMLElement {
  return screen.getByRole('group', { name });
}

async function openForm(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('tab', { name: 'Form' }));
}

/** What the definition text builds, for comparing two texts by meaning. */
function built(text: string) {
  return parseNetwork(text);
}

describe('form model round trip', () => {
  it.each(NETWORK_PRESETS.map((p) => [p.name, p.text]))('%s: text -> form -> text builds the same network', (_name, text) => {
    const back = modelText(modelFromText(text));
    expect(built(back)).toEqual(built(text));
    // The presets are written in the layout the form writes, so nothing at all changes.
    expect(back).toBe(text);
  });

  it('keeps fields the engine does not know, aliases, odd values and field order', () => {
    const text = `{"layers": [
      {"type": "input", "in_sx": 24, "out_sy": 24, "out_depth": 1},
      {"type": "fc", "filters": 20, "activation": "tanh", "drop_prob": 0.25},
      {"type": "softmax", "num_classes": 10, "colour": [1, "two"]}
    ], "trainer": {"batch_size": 8, "method": "adam", "l2_decay": 1e-7}}`;
    const back = modelText(modelFromText(text));
    expect(back).toContain("layer_defs.push({type:'input', in_sx:24, out_sy:24, out_depth:1});");
    expect(back).toContain("layer_defs.push({type:'fc', filters:20, activation:'tanh', drop_prob:0.25});");
    expect(back).toContain("layer_defs.push({type:'softmax', num_classes:10, colour:[1,'two']});");
    expect(back).toContain("{batch_size:8, method:'adam', l2_decay:1e-7}");
    // The unknown field is still there for the engine to reject, in its words.
    expect(() => parseNetwork(back)).toThrow(/unknown field 'colour'/);
  });

  it('keeps an untouched value as written and reads an edited box as a number', () => {
    const text = SEED_DEFINITION_TEXT.replace('sx:5, filters:8', "sx:'5', filters:8");
    const model = modelFromText(text);
    expect(modelText(model)).toContain("sx:'5', filters:8");
    const edited = setLayerField(model, model.rows[1]!.id, 'sx', ' 3 ');
    expect(modelText(edited)).toContain('sx:3, filters:8');
    const cleared = setLayerField(model, model.rows[1]!.id, 'pad', '');
    expect(modelText(cleared)).toContain("{type:'conv', sx:'5', filters:8, stride:1, activation:'relu'}");
  });

  it('finds comments, but not comment-like text inside strings', () => {
    expect(hasComments(SEED_DEFINITION_TEXT)).toBe(false);
    expect(hasComments(`${SEED_DEFINITION_TEXT}// wider next time\n`)).toBe(true);
    expect(hasComments(SEED_DEFINITION_TEXT.replace('layer_defs = [];', 'layer_defs = []; /* the demo */'))).toBe(true);
    expect(hasComments(`{"layers": [{"type": "http://x/*y*/"}]}`)).toBe(false);
  });

  it('refuses text the parser cannot read, with the parser’s message', () => {
    expect(() => modelFromText('layer_defs = [];\nlayer_defs.push({type:"conv" sx:5});')).toThrow(SpecError);
    expect(() => modelFromText('layer_defs = [];\nlayer_defs.push({type:"conv" sx:5});')).toThrow(/line 2/);
  });
});

describe('network editor form view', () => {
  it('shows one row per layer definition with its output shape and parameters', async () => {
    const { user } = setup();
    await openForm(user);
    expect(screen.getByRole('tab', { name: 'Form' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByLabelText('Network definition')).toBeNull();
    expect(rowNames()).toEqual([
      'Layer 0 (input)',
      'Layer 1 (conv)',
      'Layer 2 (pool)',
      'Layer 3 (conv)',
      'Layer 4 (pool)',
      'Layer 5 (softmax)',
    ]);
    const conv = row('Layer 1 (conv)');
    expect(within(conv).getByText(/24x24x8 · 208 params \(conv \+ relu\)/)).toBeTruthy();
    expect(within(row('Layer 5 (softmax)')).getByText(/1x1x10 · 2,570 params \(fc \+ softmax\)/)).toBeTruthy();

    // The fields come from the engine's schema for the type, with the values of the code.
    expect(within(conv).getByLabelText<HTMLInputElement>('filters').value).toBe('8');
    expect(within(conv).getByLabelText<HTMLSelectElement>('activation').value).toBe('relu');
    expect(within(conv).getByLabelText<HTMLInputElement>('l2_decay_mul').value).toBe('');

    // Shapes follow an edit at once, down the network.
    const filters = within(conv).getByLabelText('filters');
    await user.clear(filters);
    await user.type(filters, '4');
    expect(within(row('Layer 1 (conv)')).getByText(/24x24x4 · 104 params/)).toBeTruthy();
    expect(within(row('Layer 2 (pool)')).getByText(/12x12x4 · 0 params/)).toBeTruthy();
  });

  it('adds, removes and reorders rows with the buttons, keeping focus on the moved row', async () => {
    const { user } = setup();
    await openForm(user);

    await user.selectOptions(screen.getByLabelText('New layer type'), 'dropout');
    await user.click(screen.getByRole('button', { name: 'Add layer' }));
    // A new layer goes before the loss layer, and focus goes to its type.
    expect(rowNames().slice(-2)).toEqual(['Layer 5 (dropout)', 'Layer 6 (softmax)']);
    expect(document.activeElement).toBe(within(row('Layer 5 (dropout)')).getByLabelText('Type'));

    await user.click(within(row('Layer 5 (dropout)')).getByRole('button', { name: 'Move up' }));
    expect(rowNames()[4]).toBe('Layer 4 (dropout)');
    const movedUp = within(row('Layer 4 (dropout)')).getByRole('button', { name: 'Move up' });
    expect(document.activeElement).toBe(movedUp);
    // Keyboard only from here: Enter on the focused button moves the row again.
    await user.keyboard('{Enter}');
    expect(rowNames()[3]).toBe('Layer 3 (dropout)');
    expect(rowNames()[4]).toBe('Layer 4 (conv)');

    await user.click(within(row('Layer 3 (dropout)')).getByRole('button', { name: 'Move down' }));
    expect(rowNames()[4]).toBe('Layer 4 (dropout)');

    await user.click(within(row('Layer 4 (dropout)')).getByRole('button', { name: 'Remove layer' }));
    expect(rowNames()).toEqual([
      'Layer 0 (input)',
      'Layer 1 (conv)',
      'Layer 2 (pool)',
      'Layer 3 (conv)',
      'Layer 4 (pool)',
      'Layer 5 (softmax)',
    ]);
    // Focus lands on the row that took the removed one's place.
    expect(document.activeElement).toBe(within(row('Layer 4 (pool)')).getByRole('button', { name: 'Remove layer' }));
    expect(within(row('Layer 0 (input)')).getByRole('button', { name: 'Move up' })).toHaveProperty('disabled', true);
    expect(within(row('Layer 5 (softmax)')).getByRole('button', { name: 'Move down' })).toHaveProperty('disabled', true);
  });

  it('reorders rows by dragging the handle onto another row', async () => {
    const { user } = setup();
    await openForm(user);
    const handles = screen.getAllByTitle('Drag to move this layer');
    const target = row('Layer 4 (pool)').closest('li')!;
    fireEvent.dragStart(handles[2]!, { dataTransfer: { setData: () => {}, effectAllowed: 'none' } });
    fireEvent.dragOver(target, { dataTransfer: { dropEffect: 'none' } });
    fireEvent.drop(target, { dataTransfer: {} });
    expect(rowNames().map((n) => n.replace(/^Layer \d+ /, ''))).toEqual([
      '(input)',
      '(conv)',
      '(conv)',
      '(pool)',
      '(pool)',
      '(softmax)',
    ]);
  });

  it('marks an invalid row and says why in the engine’s words', async () => {
    const { user } = setup();
    await openForm(user);
    const pool = row('Layer 4 (pool)');
    const sx = within(pool).getByLabelText('sx');
    await user.clear(sx);
    await user.type(sx, '20');

    const invalid = row('Layer 4 (pool)');
    expect(invalid.getAttribute('aria-invalid')).toBe('true');
    expect(within(invalid).getByLabelText('sx').getAttribute('aria-invalid')).toBe('true');
    const expected = (() => {
      try {
        parseNetwork(SEED_DEFINITION_TEXT.replace("{type:'pool', sx:3, stride:3}", "{type:'pool', sx:20, stride:3}"));
      } catch (e) {
        return (e as SpecError).issues[0]!.message.replace(/^line \d+: /, '');
      }
      throw new Error('the edited seed should not validate');
    })();
    expect(within(invalid).getByText(expected)).toBeTruthy();
    expect(expected).toMatch(/^layer 4 \(pool\): /);
    // The message is tied to the field, so a screen reader reads it with the box.
    const describedBy = within(invalid).getByLabelText('sx').getAttribute('aria-describedby') ?? '';
    expect(describedBy.split(' ').map((id) => document.getElementById(id)?.textContent)).toContain(expected);
    // Rows before it keep their shapes; from it on the output is unknown.
    expect(within(row('Layer 3 (conv)')).getByText(/12x12x16/)).toBeTruthy();
    expect(within(invalid).getByText('output unknown')).toBeTruthy();
    expect(within(row('Layer 5 (softmax)')).getByText('output unknown until layer 4 is fixed')).toBeTruthy();
    expect(row('Layer 3 (conv)').getAttribute('aria-invalid')).toBeNull();
  });

  it('edits the trainer too, and Change network sends the text the form writes', async () => {
    const { backend, user } = setup();
    await openForm(user);
    await user.selectOptions(screen.getByLabelText('method'), 'sgd');
    const batch = screen.getByLabelText('batch_size');
    await user.clear(batch);
    await user.type(batch, '4');
    await user.type(screen.getByLabelText('learning_rate'), '0.05');
    await user.click(screen.getByRole('button', { name: 'Change network' }));

    const calls = backend.callsTo('setNetwork') as string[][];
    expect(calls).toHaveLength(1);
    const sent = calls[0]![0]!;
    expect(sent).toBe(
      SEED_DEFINITION_TEXT.replace(
        "{method:'adadelta', batch_size:20, l2_decay:0.001}",
        "{method:'sgd', batch_size:4, l2_decay:0.001, learning_rate:0.05}",
      ),
    );
    expect(built(sent).trainer).toMatchObject({ method: 'sgd', batch_size: 4, learning_rate: 0.05, l2_decay: 0.001 });
    expect(screen.getByRole('status').textContent).toMatch(/Network changed/);

    // Back in the code view, the box holds what was applied.
    await user.click(screen.getByRole('tab', { name: 'Code' }));
    expect(codeBox().value).toBe(sent);
  });

  it('refuses to apply an invalid form and sends nothing', async () => {
    const { backend, user } = setup();
    await openForm(user);
    await user.clear(within(row('Layer 5 (softmax)')).getByLabelText('num_classes'));
    await user.click(screen.getByRole('button', { name: 'Change network' }));
    const alert = screen.getByRole('alert').textContent ?? '';
    expect(alert).toMatch(/^The network was not changed: layer 5 \(softmax\): num_classes is missing/);
    // No line number: the form view has no lines to point at.
    expect(alert).not.toMatch(/line \d/);
    expect(backend.callsTo('setNetwork')).toEqual([]);
  });

  it('offers only the fields that apply to a row’s type, keeping any the code set', async () => {
    const { user } = setup();
    setCode(SEED_DEFINITION_TEXT.replace("{type:'pool', sx:2, stride:2}", "{type:'pool', sx:2, stride:2, drop_prob:0.1}"));
    await openForm(user);
    const labels = (name: string) => within(row(name)).getAllByRole('textbox').map((box) => box.id && document.querySelector(`label[for="${box.id}"]`)?.textContent);
    const choices = (name: string) => within(row(name)).queryAllByRole('combobox').map((box) => document.querySelector(`label[for="${box.id}"]`)?.textContent);
    expect(labels('Layer 0 (input)')).toEqual(['out_sx', 'out_sy', 'out_depth']);
    expect(choices('Layer 0 (input)')).toEqual(['Type']);
    // The pool row keeps the drop_prob its code set, and offers no activation or group_size.
    expect(labels('Layer 2 (pool)')).toEqual(['sx', 'sy', 'pad', 'stride', 'drop_prob']);
    expect(choices('Layer 2 (pool)')).toEqual(['Type']);
    // conv: activation and dropout apply; group_size only once the activation is maxout.
    expect(choices('Layer 1 (conv)')).toEqual(['Type', 'activation']);
    expect(within(row('Layer 1 (conv)')).queryByLabelText('group_size')).toBeNull();
    await user.selectOptions(within(row('Layer 1 (conv)')).getByLabelText('activation'), 'maxout');
    expect(within(row('Layer 1 (conv)')).getByLabelText('group_size')).toBeTruthy();
  });

  it('words the preview’s complaint by row and field in the form view, never by line', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { user } = setup();
      await openForm(user);
      const filters = within(row('Layer 1 (conv)')).getByLabelText('filters');
      await user.clear(filters);
      await user.type(filters, '-3');
      await act(() => vi.advanceTimersByTimeAsync(1000));
      const problem = within(screen.getByRole('region', { name: 'Preview of the definition' })).getByText(/^Not valid yet/);
      expect(problem.textContent).toMatch(/^Not valid yet: layer 1 \(conv\): filters -3 is out of range/);
      expect(problem.textContent).not.toMatch(/line \d/);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each(NETWORK_PRESETS.map((p) => [p.name, p.text]))(
    'loads the preset %s, and the form applies the same network',
    async (name, text) => {
      const { backend, user } = setup();
      await user.selectOptions(screen.getByLabelText('Presets'), name);
      await user.click(screen.getByRole('button', { name: 'Load preset' }));
      expect(codeBox().value).toBe(text);
      expect(backend.callsTo('setNetwork')).toEqual([]);
      await openForm(user);
      expect(layerRows()).toHaveLength(parseDefinitionCount(text));
      await user.click(screen.getByRole('button', { name: 'Change network' }));
      const sent = (backend.callsTo('setNetwork') as string[][])[0]![0]!;
      expect(built(sent)).toEqual(built(text));
    },
  );

  it('warns before comments would be lost, and cancel keeps the code view', async () => {
    const { user } = setup();
    const commented = `// two stages, as in the demo\n${SEED_DEFINITION_TEXT}`;
    setCode(commented);
    await openForm(user);
    const warning = screen.getByRole('alertdialog', { name: /Comments in the code will be lost/ });
    expect(document.activeElement).toBe(within(warning).getByRole('button', { name: 'Open the form' }));
    await user.click(within(warning).getByRole('button', { name: 'Keep the code view' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(codeBox().value).toBe(commented);

    await openForm(user);
    await user.click(screen.getByRole('button', { name: 'Open the form' }));
    expect(rowNames()).toHaveLength(6);
    // Back without changes: the code comes back exactly, comments included.
    await user.click(screen.getByRole('tab', { name: 'Code' }));
    expect(codeBox().value).toBe(commented);

    // After an edit in the form, the code is the form's, without the comment.
    await openForm(user);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await openForm(user);
    await user.click(screen.getByRole('button', { name: 'Open the form' }));
    await user.click(within(row('Layer 2 (pool)')).getByRole('button', { name: 'Remove layer' }));
    await user.click(screen.getByRole('tab', { name: 'Code' }));
    expect(codeBox().value).not.toContain('//');
    expect(codeBox().value).not.toContain("{type:'pool', sx:2, stride:2}");
  });

  it('keeps a layer of unknown type as a row, with the engine’s suggestion, until its type is chosen', async () => {
    const { user } = setup();
    setCode(SEED_DEFINITION_TEXT.replace("{type:'pool', sx:2, stride:2}", "{type:'pol', sx:2, stride:2}"));
    await openForm(user);
    const unknown = row('Layer 2 (pol)');
    expect(unknown.getAttribute('aria-invalid')).toBe('true');
    expect(within(unknown).getByLabelText<HTMLSelectElement>('Type').getAttribute('aria-invalid')).toBe('true');
    expect(within(unknown).getByText(/layer 2: type 'pol' is not a layer type; did you mean 'pool'\?/)).toBeTruthy();
    // Its fields are kept (shown as fields the engine does not know) and survive the type change.
    expect(within(unknown).getByLabelText<HTMLInputElement>('stride').value).toBe('2');
    await user.selectOptions(within(unknown).getByLabelText('Type'), 'pool');
    const fixed = row('Layer 2 (pool)');
    expect(fixed.getAttribute('aria-invalid')).toBeNull();
    expect(within(fixed).getByText(/12x12x8 · 0 params/)).toBeTruthy();
  });

  it('refuses to switch to the form when the code does not parse', async () => {
    const { user } = setup();
    const broken = SEED_DEFINITION_TEXT.replace("sx:2, stride:2}", "sx:2 stride:2}");
    setCode(broken);
    await openForm(user);
    expect(screen.getByRole('alert').textContent).toMatch(/The form cannot show this definition: line 4, column \d+: /);
    expect(screen.getByRole('tab', { name: 'Code' }).getAttribute('aria-selected')).toBe('true');
    expect(codeBox().value).toBe(broken);
  });

  it('follows a new definition in force while the form is open and unedited', async () => {
    const { backend, user } = setup();
    await openForm(user);
    const mlp = NETWORK_PRESETS.find((p) => p.name === 'MLP')!.text;
    act(() => backend.emitUpdate({ network: networkSummary(mlp) }));
    expect(rowNames()).toEqual(['Layer 0 (input)', 'Layer 1 (fc)', 'Layer 2 (fc)', 'Layer 3 (softmax)']);
  });
});

function parseDefinitionCount(text: string): number {
  return modelFromText(text).rows.length;
}
