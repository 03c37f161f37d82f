// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeBackend, type FakeBackend } from '../../src/state/fake-backend';
import { createDashboardStore, DashboardContext, EMPTY_STATS, type DashboardStore } from '../../src/state/store';
import type { SavedRunsAccess } from '../../src/state/slices/context';
import type { SavedRunSummary } from '../../src/state/types';
import type { SessionCheckpoint } from '../../src/training/checkpoint';
import { AutosaveBanner } from '../../src/ui/autosave/AutosaveBanner';
import { AutosavePeriod } from '../../src/ui/autosave/AutosavePeriod';
import { tinyCheckpoint } from '../unit/helpers/checkpoint-fixture';

let checkpoint: SessionCheckpoint;
beforeAll(async () => {
  checkpoint = await tinyCheckpoint(4_200);
});

const stores: DashboardStore[] = [];
afterEach(() => {
  cleanup();
  for (const store of stores.splice(0)) store.dispose();
});

const mlp: SavedRunSummary = {
  id: 'run-mlp',
  savedAt: Date.UTC(2026, 11, 6, 9, 30),
  examples: 4_200,
  accuracy: 0.912,
  network: 'fc 20 · fc 20 · softmax 10 · adadelta',
  params: 16_330,
  bytes: 200_000,
};
const busy: SavedRunSummary = { ...mlp, id: 'run-busy', network: 'conv 8 · pool · softmax 10 · adadelta', examples: 900, openElsewhere: true };

/** Saved runs as the tab would give them: `mlp` opens, anything else is open elsewhere. */
function access(offer: SavedRunSummary[]): SavedRunsAccess & { removed: string[] } {
  const removed: string[] = [];
  return {
    runId: 'run-this-tab',
    offer,
    openElsewhere: null,
    removed,
    async open(id) {
      if (id !== mlp.id) return { ok: false, error: 'That run is open in another tab; switch to that tab to go on with it.' };
      return { ok: true, run: { checkpoint, lossHistory: [{ examples: 4_000, loss: 0.4 }], stats: { ...EMPTY_STATS, examplesSeen: 4_200 }, savedAt: mlp.savedAt } };
    },
    async remove(id) {
      removed.push(id);
      return { ok: true, runs: offer.filter((run) => run.id !== id) };
    },
  };
}

function renderOffer(offer: SavedRunSummary[]): { backend: FakeBackend; store: DashboardStore; runs: ReturnType<typeof access> } {
  const backend = createFakeBackend();
  const runs = access(offer);
  const store = createDashboardStore(backend, { savedRuns: runs });
  stores.push(store);
  render(
    <DashboardContext.Provider value={store}>
      <AutosaveBanner />
      <AutosavePeriod />
    </DashboardContext.Provider>,
  );
  return { backend, store, runs };
}

describe('the recent-runs offer', () => {
  it('lists each run with its network, examples, accuracy and when it was saved', () => {
    renderOffer([mlp, busy]);
    const offer = screen.getByRole('region', { name: 'Recent runs' });
    const items = within(offer).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toMatch('fc 20 · fc 20 · softmax 10 · adadelta');
    expect(items[0].textContent).toMatch('4,200 examples · accuracy 91.2% · 16,330 parameters · saved');
    expect(within(items[0]).getByRole('time').getAttribute('datetime')).toBe('2026-12-06T09:30:00.000Z');
    // A run open in another tab says so, and cannot be resumed or deleted here.
    expect(items[1].textContent).toMatch('Open in another tab');
    expect(within(items[1]).queryByRole('button')).toBeNull();
  });

  it('Resume goes on with that run here, paused, and the offer goes away', async () => {
    const { backend, store } = renderOffer([mlp]);
    await userEvent.click(screen.getByRole('button', { name: 'Resume the run fc 20 · fc 20 · softmax 10 · adadelta at 4,200 examples' }));
    expect(backend.callsTo('restart')).toEqual([[{ checkpoint, paused: true }]]);
    expect(store.getState().savedRunId).toBe('run-mlp');
    expect(store.getState().stats?.examplesSeen).toBe(4_200);
    expect(store.getState().lossHistory).toEqual([{ examples: 4_000, loss: 0.4 }]);
    expect(screen.queryByRole('region', { name: 'Recent runs' })).toBeNull();
    expect(screen.getByRole('status').textContent).toMatch(/^Resumed from autosave at 4,200 examples\./);
  });

  it('a refused Resume says why and keeps the offer', async () => {
    const other = { ...mlp, id: 'run-other' };
    const { backend } = renderOffer([other]);
    await userEvent.click(screen.getByRole('button', { name: /^Resume the run/ }));
    expect(screen.getByRole('alert').textContent).toBe('That run is open in another tab; switch to that tab to go on with it.');
    expect(backend.callsTo('restart')).toHaveLength(0);
    expect(screen.getByRole('region', { name: 'Recent runs' })).toBeDefined();
  });

  it('Delete forgets a run; Not now hides the offer', async () => {
    const second = { ...mlp, id: 'run-second', examples: 77 };
    const { runs } = renderOffer([mlp, second]);
    await userEvent.click(screen.getByRole('button', { name: 'Delete the run fc 20 · fc 20 · softmax 10 · adadelta at 77 examples' }));
    expect(runs.removed).toEqual(['run-second']);
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    await userEvent.click(screen.getByRole('button', { name: 'Not now' }));
    expect(screen.queryByRole('region', { name: 'Recent runs' })).toBeNull();
  });

  it('shows nothing when there is no run to offer', () => {
    renderOffer([]);
    expect(screen.queryByRole('region', { name: 'Recent runs' })).toBeNull();
  });
});

describe('the autosave period line', () => {
  it('says how often the run is saved, once the autosave says so', () => {
    const { store } = renderOffer([]);
    expect(screen.queryByText(/Autosaved every/)).toBeNull();
    act(() => store.setState({ autosavePeriodMs: 30_000 }));
    expect(screen.getByText('Autosaved every 30 s while training, and when it pauses.')).toBeDefined();
    act(() => store.setState({ autosaveSaveMs: 1_234 }));
    expect(screen.getByText('Autosaved every 30 s while training, and when it pauses (the last save took 1.23 s).')).toBeDefined();
  });
});
