// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotPanel } from '../../src/ui/snapshot/SnapshotPanel';
import { renderWithDashboard, startSession } from './dashboard-harness';

function setup() {
  const harness = renderWithDashboard(<SnapshotPanel />);
  startSession(harness.backend);
  return { ...harness, user: userEvent.setup() };
}

// jsdom has no object URLs; the save test installs fakes, removed again here.
const originalUrlFunctions = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL };
afterEach(() => {
  Object.assign(URL, originalUrlFunctions);
});

describe('snapshot panel', () => {
  it('shows why a pasted snapshot was refused', async () => {
    const { backend, user } = setup();
    backend.answers.loadSnapshot = () => ({
      ok: false,
      error: 'layer 1 (conv): filters has 7 entries, expected 8; the snapshot does not match its own layer sizes',
    });
    await user.click(screen.getByLabelText('Or paste snapshot JSON'));
    await user.paste('{"layers":[{"layer_type":"input"}]}');
    await user.click(screen.getByRole('button', { name: 'Load snapshot' }));

    expect(backend.callsTo('loadSnapshot')).toEqual([['{"layers":[{"layer_type":"input"}]}']]);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('filters has 7 entries, expected 8');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('refuses an empty paste without asking the session', async () => {
    const { backend, user } = setup();
    await user.click(screen.getByRole('button', { name: 'Load snapshot' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Nothing to load/);
    expect(backend.callsTo('loadSnapshot')).toEqual([]);
  });

  it('loads a snapshot file and says so', async () => {
    const { backend, user } = setup();
    const json = '{"layers":[]}';
    await user.upload(screen.getByLabelText('Snapshot or ONNX file'), new File([json], 'net.json', { type: 'application/json' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Loaded the snapshot from net.json'));
    expect(backend.callsTo('loadSnapshot')).toEqual([[json]]);
  });

  it('saves: downloads the JSON and shows it read-only to copy', async () => {
    const { backend, user } = setup();
    const json = '{"layers":[{"out_depth":1,"out_sx":24,"out_sy":24,"layer_type":"input"}]}';
    backend.answers.saveSnapshot = () => json;
    const createObjectURL = vi.fn((_blob: Blob) => 'blob:snapshot');
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    await user.click(screen.getByRole('button', { name: 'Save snapshot' }));

    const box = await screen.findByLabelText<HTMLTextAreaElement>('Saved snapshot JSON');
    expect(box.readOnly).toBe(true);
    expect(box.value).toBe(json);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe('mnist-convnet-snapshot.json');
    expect(clicked[0]!.href).toBe('blob:snapshot');
    expect(await createObjectURL.mock.calls[0]![0].text()).toBe(json);
    expect(within(screen.getByRole('status')).getByText(/Snapshot saved/)).toBeTruthy();
  });

  it('exports ONNX: downloads the model bytes and says how big it is', async () => {
    const { backend, user } = setup();
    const bytes = new Uint8Array(3000).fill(7);
    backend.answers.saveOnnx = () => ({ ok: true, bytes });
    const createObjectURL = vi.fn((_blob: Blob) => 'blob:onnx');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    await user.click(screen.getByRole('button', { name: 'Export ONNX' }));

    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('ONNX model exported (3 KB)'));
    expect(clicked.map((a) => a.download)).toEqual(['mnist-convnet.onnx']);
    const blob = createObjectURL.mock.calls[0]![0];
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
  });

  it('says why a network cannot be exported as ONNX, and downloads nothing', async () => {
    const { backend, user } = setup();
    backend.answers.saveOnnx = () => ({ ok: false, error: 'layer 3 (spline): ONNX has no such operator' });
    const createObjectURL = vi.fn(() => 'blob:none');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });

    await user.click(screen.getByRole('button', { name: 'Export ONNX' }));

    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Could not export ONNX: layer 3 (spline)'));
    expect(createObjectURL).not.toHaveBeenCalled();
  });

  it('loads a binary file as an ONNX model, and names the file when the model is refused', async () => {
    const { backend, user } = setup();
    backend.answers.loadOnnx = () => ({ ok: false, error: 'ONNX model: operator LeakyRelu is not supported' });
    const model = new Uint8Array([0x08, 0x08, 0x12, 0x04]);
    await user.upload(screen.getByLabelText('Snapshot or ONNX file'), new File([model], 'net.onnx'));

    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('net.onnx: ONNX model: operator LeakyRelu'));
    expect(backend.callsTo('loadOnnx')).toEqual([[model]]);
    expect(backend.callsTo('loadSnapshot')).toEqual([]);
  });

  it('gives its buttons back when an action fails outright, and says why', async () => {
    const { backend, user } = setup();
    backend.answers.saveOnnx = () => {
      throw new Error('the training worker is not running');
    };
    const button = screen.getByRole('button', { name: 'Export ONNX' });
    await user.click(button);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Could not export ONNX: the training worker is not running'));
    expect((button as HTMLButtonElement).disabled).toBe(false);
    expect((screen.getByRole('button', { name: 'Load snapshot' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
