// @vitest-environment jsdom
import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TrainingStats } from '../../src/ui/stats/TrainingStats';
import type { SessionCheckpoint } from '../../src/training/checkpoint';
import { tinyCheckpoint } from '../unit/helpers/checkpoint-fixture';
import { followRunInUrl, type AddressBar } from '../../src/state/run-url-sync';
import { renderWithDashboard, startSession } from './dashboard-harness';

let checkpoint: SessionCheckpoint;
beforeAll(async () => {
  checkpoint = await tinyCheckpoint(1200);
});

const picker = () => screen.getByRole<HTMLSelectElement>('combobox', { name: 'Training threads' });

describe('training threads picker', () => {
  it('offers 1 up to the cores and shows the threads training now', () => {
    vi.spyOn(navigator, 'hardwareConcurrency', 'get').mockReturnValue(6);
    const { backend } = renderWithDashboard(<TrainingStats />);
    startSession(backend, true);
    act(() => backend.emitUpdate({ stats: { trainingThreads: 2, sharedMemory: true } }));
    expect([...picker().options].map((o) => o.value)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(picker().value).toBe('2');
    expect(picker().disabled).toBe(false);
    expect(screen.getByText('2 (shared memory)', { selector: 'dd' })).toBeTruthy();
  });

  it('restarts the workers with the count picked, from a checkpoint taken then, running as before', async () => {
    vi.spyOn(navigator, 'hardwareConcurrency', 'get').mockReturnValue(4);
    const { backend, store } = renderWithDashboard(<TrainingStats />);
    startSession(backend, true);
    act(() => backend.emitUpdate({ stats: { trainingThreads: 2, examplesSeen: 1200, sharedMemory: true } }));
    backend.answers.exportCheckpoint = () => checkpoint;

    await userEvent.setup().selectOptions(picker(), '3');
    expect(backend.callsTo('exportCheckpoint')).toHaveLength(1);
    expect(backend.callsTo('restart')).toEqual([[{ checkpoint, paused: false }, 3]]);
    expect(store.getState().trainingWorkers).toBe(3);
    // The new worker reports 1 thread until its replicas have the data: the picker keeps the choice.
    act(() => backend.emitUpdate({ stats: { trainingThreads: 1, examplesSeen: 1200 } }));
    expect(picker().value).toBe('3');
    expect(store.getState().stats?.examplesSeen).toBe(1200);
  });

  it('keeps a paused run paused', async () => {
    vi.spyOn(navigator, 'hardwareConcurrency', 'get').mockReturnValue(2);
    const { backend } = renderWithDashboard(<TrainingStats />);
    startSession(backend, false);
    backend.answers.exportCheckpoint = () => checkpoint;
    await userEvent.setup().selectOptions(picker(), '1');
    expect(backend.callsTo('restart')).toEqual([[{ checkpoint, paused: true }, 1]]);
  });

  it('is disabled until the data is in', () => {
    const { backend } = renderWithDashboard(<TrainingStats />);
    act(() => backend.emitData({ phase: 'loading', loaded: 1, total: 12, message: 'training images' }));
    expect(picker().disabled).toBe(true);
  });

  it('keeps the choice in the URL, and leaves the ?workers= of a link alone until then', async () => {
    vi.spyOn(navigator, 'hardwareConcurrency', 'get').mockReturnValue(4);
    const { backend, store } = renderWithDashboard(<TrainingStats />);
    const bar = {
      location: { href: 'https://example.test/app/?layer=2&workers=4' },
      history: {
        state: null,
        replaceState(_data: unknown, _unused: string, url: string) {
          bar.location.href = url;
        },
      },
    } satisfies AddressBar;
    const stop = followRunInUrl(store, bar);
    startSession(backend, true);
    expect(new URL(bar.location.href).searchParams.get('workers')).toBe('4');
    backend.answers.exportCheckpoint = () => checkpoint;
    await userEvent.setup().selectOptions(picker(), '1');
    const params = new URL(bar.location.href).searchParams;
    expect(params.get('workers')).toBe('1');
    expect(params.get('layer')).toBe('2');
    stop();
  });
});
