/**
 * Shared set-up for component tests: a real dashboard store over the scripted fake
 * backend, rendered inside the context the app uses, plus the seed network's summary.
 */
import { act, cleanup, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, vi } from 'vitest';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../src/engine/parse';
import { createFakeBackend, type FakeBackend } from '../../src/state/fake-backend';
import { createDashboardStore, DashboardContext, type DashboardStore, type DashboardStoreOptions } from '../../src/state/store';
import type { NetworkSummary } from '../../src/training/protocol';
import { summarizeNetwork } from '../../src/training/summary';

const stores: DashboardStore[] = [];

afterEach(() => {
  cleanup();
  for (const store of stores.splice(0)) store.dispose();
  vi.restoreAllMocks();
});

// jsdom has no canvas: without this every <canvas> logs "not implemented". The drawing
// helper treats a missing context as nothing to draw.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

export interface Harness extends RenderResult {
  backend: FakeBackend;
  store: DashboardStore;
}

export function renderWithDashboard(ui: ReactElement, backend: FakeBackend = createFakeBackend(), options: DashboardStoreOptions = {}): Harness {
  const store = createDashboardStore(backend, options);
  stores.push(store);
  const result = render(<DashboardContext.Provider value={store}>{ui}</DashboardContext.Provider>);
  return { ...result, backend, store };
}

export function networkSummary(text = SEED_DEFINITION_TEXT): NetworkSummary {
  const { layers, trainer } = parseNetwork(text);
  return summarizeNetwork(layers, trainer, text);
}

/** Data in, the seed network running (or paused): the state most panels expect. */
export function startSession(backend: FakeBackend, running = true, network = networkSummary()): void {
  act(() => {
    backend.emitData({ phase: 'ready', loaded: 1, total: 1, message: null });
    backend.emitUpdate({ network, stats: { running } });
  });
}
