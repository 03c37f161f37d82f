// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DatasetPanel } from '../../src/ui/dataset/DatasetPanel';
import { fakeDatasets, ID, INFO } from '../unit/data/fake-datasets';
import { createFakeBackend } from '../../src/state/fake-backend';
import { renderWithDashboard, startSession } from './dashboard-harness';
import type { DatasetLoadOutcome } from '../../src/training/protocol';

function setup(outcome: DatasetLoadOutcome) {
  const datasets = fakeDatasets(outcome);
  const harness = renderWithDashboard(<DatasetPanel />, createFakeBackend(), { datasets });
  startSession(harness.backend);
  return { ...harness, datasets, user: userEvent.setup() };
}

const facts = () => within(screen.getByRole('group', { name: 'Dataset in force' }));

describe('Dataset panel', () => {
  it('names the dataset in force: MNIST first, then the one the session reports', async () => {
    const { backend } = setup({ ok: false, error: 'unused' });
    expect(facts().getByText('MNIST')).toBeTruthy();
    expect(facts().getByText('60,000 training, 10,000 test')).toBeTruthy();
    act(() => backend.emitUpdate({ dataset: INFO.identity }));
    expect(facts().getByText('Shapes')).toBeTruthy();
    expect(facts().getByText('3: circle, square, triangle')).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'MNIST (built in)' })).toHaveProperty('checked', true);
  });

  it('loads picked files with the chosen options, then trains on the kept dataset, which can be forgotten', async () => {
    const { datasets, backend, user } = setup({ ok: true, info: INFO, skippedCounts: {}, skippedExamples: [] });
    await user.type(screen.getByLabelText(/^Class names/), 'circle, square, triangle');
    const file = new File([new Uint8Array(8)], 'train-images-idx3-ubyte.gz');
    await user.upload(screen.getByLabelText('Dataset files or a .zip'), file);
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/Dataset loaded/));
    expect(datasets.requests).toHaveLength(1);
    expect(datasets.requests[0]).toMatchObject({ format: 'auto', classNamesText: 'circle, square, triangle', imageSide: 28, channels: 1 });
    expect(datasets.requests[0].files.map((f) => f.path)).toEqual(['train-images-idx3-ubyte.gz']);
    expect(backend.callsTo('restart')).toHaveLength(1);
    const kept = screen.getByRole('radio', { name: /Shapes/ });
    expect(kept).toHaveProperty('checked', true);

    await user.click(screen.getByRole('button', { name: 'Forget Shapes' }));
    await waitFor(() => expect(screen.queryByRole('radio', { name: /Shapes/ })).toBeNull());
    expect(screen.getByRole('radio', { name: 'MNIST (built in)' })).toHaveProperty('checked', true);
    expect(datasets.choice).toEqual({ kind: 'built-in' });
    expect(datasets.kept.map((info) => info.id)).not.toContain(ID);
  });

  it('shows a refusal, naming the file, and changes nothing', async () => {
    const { datasets, backend, user } = setup({ ok: false, error: 't10k-labels-idx1-ubyte: holds 9 labels but 10 images' });
    await user.upload(screen.getByLabelText('Dataset files or a .zip'), new File([new Uint8Array(4)], 't10k-labels-idx1-ubyte'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('t10k-labels-idx1-ubyte: holds 9 labels but 10 images'));
    expect(backend.callsTo('restart')).toEqual([]);
    expect(datasets.choice).toEqual({ kind: 'built-in' });
    expect(screen.getByRole('radio', { name: 'MNIST (built in)' })).toHaveProperty('checked', true);
  });

  it('counts skipped files by reason and names them', async () => {
    const { user } = setup({
      ok: true,
      info: INFO,
      skippedCounts: { 'not an image file': 1, 'could not be decoded': 2 },
      skippedExamples: [
        { path: 'pets/cat/notes.txt', reason: 'not an image file' },
        { path: 'pets/dog/a.png', reason: 'could not be decoded' },
      ],
    });
    await user.upload(screen.getByLabelText('A folder of class folders'), new File([new Uint8Array(4)], 'a.png'));
    await waitFor(() => expect(screen.getByText(/3 files skipped: 1 not an image file, 2 could not be decoded/)).toBeTruthy());
    expect(screen.getByText('pets/dog/a.png: could not be decoded')).toBeTruthy();
  });
});
