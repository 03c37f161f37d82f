// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeBackend, type FakeBackend } from '../../src/state/fake-backend';
import { createDashboardStore, DashboardContext, EMPTY_STATS, type DashboardStore, type DashboardStoreOptions } from '../../src/state/store';
import type { SessionCheckpoint } from '../../src/training/checkpoint';
import { AutosaveBanner } from '../../src/ui/autosave/AutosaveBanner';
import { tinyCheckpoint } from '../unit/helpers/checkpoint-fixture';

let checkpoint: SessionCheckpoint;
beforeAll(async () => {
  checkpoint = await tinyCheckpoint(12_345);
});

const stores: DashboardStore[] = [];
afterEach(() => {
  cleanup();
  for (const store of stores.splice(0)) store.dispose();
});

function renderBanner(options: DashboardStoreOptions): { backend: FakeBackend; store: DashboardStore } {
  const backend = createFakeBackend();
  const store = createDashboardStore(backend, options);
  stores.push(store);
  render(
    <DashboardContext.Provider value={store}>
      <AutosaveBanner />
    </DashboardContext.Provider>,
  );
  return { backend, store };
}

const restored = () => ({
  restored: { checkpoint, lossHistory: [{ examples: 12_000, loss: 0.3 }], stats: { ...EMPTY_STATS, examplesSeen: 12_345 }, savedAt: Date.now() },
});

describe('AutosaveBanner', () => {
  it('says where the run was resumed, and Resume trains on and hides it', async () => {
    const { backend } = renderBanner(restored());
    const banner = screen.getByRole('region', { name: 'Autosave' });
    expect(within(banner).getByRole('status').textContent).toMatch(/^Resumed from autosave at 12,345 examples\./);
    expect(within(banner).getByRole('status').textContent).toMatch(/training is paused/);
    await userEvent.click(within(banner).getByRole('button', { name: 'Resume' }));
    expect(backend.callsTo('resume')).toHaveLength(1);
    expect(screen.queryByRole('region', { name: 'Autosave' })).toBeNull();
  });

  it('Start fresh forgets the autosave and restarts from scratch', async () => {
    let discarded = 0;
    const { backend, store } = renderBanner({ ...restored(), discardAutosave: async () => void discarded++ });
    await userEvent.click(screen.getByRole('button', { name: 'Start fresh' }));
    expect(discarded).toBe(1);
    expect(backend.callsTo('restart')).toEqual([[]]);
    expect(backend.callsTo('resume')).toHaveLength(0);
    expect(store.getState().lossHistory).toEqual([]);
    expect(screen.queryByRole('region', { name: 'Autosave' })).toBeNull();
  });

  it('goes away when training is resumed some other way (the controls)', () => {
    const { backend } = renderBanner(restored());
    act(() => backend.emitUpdate({ stats: { running: true, examplesSeen: 12_345 } }));
    expect(screen.queryByRole('region', { name: 'Autosave' })).toBeNull();
  });

  it('explains an autosave that could not be used, until dismissed', async () => {
    renderBanner({ autosaveRefusal: 'The autosaved run could not be restored, so a fresh run starts: params holds NaN or infinite weights.' });
    expect(screen.getByRole('alert').textContent).toMatch('params holds NaN or infinite weights');
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows nothing when there was no autosave', () => {
    renderBanner({});
    expect(screen.queryByRole('region', { name: 'Autosave' })).toBeNull();
  });
});
