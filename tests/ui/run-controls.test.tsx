// @vitest-environment jsdom
import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { createDashboardStore } from '../../src/state/store';
import { createFakeBackend } from '../../src/state/fake-backend';
import { followRunInUrl, type AddressBar } from '../../src/state/run-url-sync';
import { RunControls } from '../../src/ui/run/RunControls';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

const MLP = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'fc', num_neurons:100, activation:'relu'});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.SGDTrainer(net, {method:'sgd', learning_rate:0.01, momentum:0.9, batch_size:10});
`;

function setup(seed = 1) {
  const harness = renderWithDashboard(<RunControls />);
  startSession(harness.backend, true, { ...networkSummary(), seed });
  return { ...harness, user: userEvent.setup() };
}

function seedField(): HTMLInputElement {
  return screen.getByLabelText<HTMLInputElement>('Seed');
}

describe('run controls', () => {
  it('shows the seed in force', () => {
    setup(42);
    expect(seedField().value).toBe('42');
  });

  it('Reset restarts the run with the typed seed, and the field follows the seed in force', async () => {
    const { user, backend } = setup(1);
    await user.clear(seedField());
    await user.type(seedField(), '1234');
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(backend.callsTo('restartRun')).toEqual([[1234]]);
    expect(screen.getByRole('status').textContent).toBe('Training restarted from fresh weights drawn with seed 1234.');
    act(() => backend.emitUpdate({ runId: 2, network: { ...networkSummary(), seed: 1234 } }));
    expect(seedField().value).toBe('1234');
    act(() => backend.emitUpdate({ runId: 3, network: { ...networkSummary(), seed: 9 } }));
    expect(seedField().value).toBe('9');
  });

  it('Enter in the seed field resets too', async () => {
    const { user, backend } = setup(1);
    await user.clear(seedField());
    await user.type(seedField(), '0{Enter}');
    expect(backend.callsTo('restartRun')).toEqual([[0]]);
  });

  it.each([
    ['abc', /The seed must be a whole number from 0 to 4294967295; “abc” is not\./],
    ['2.5', /whole number/],
    ['-1', /whole number/],
    ['4294967296', /too large/],
    ['', /Enter a seed/],
  ])('refuses seed %j with a message and calls nothing', async (text, message) => {
    const { user, backend } = setup(7);
    await user.clear(seedField());
    if (text) await user.type(seedField(), text);
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(backend.callsTo('restartRun')).toEqual([]);
    expect(screen.getByRole('alert').textContent).toMatch(message);
    expect(seedField().getAttribute('aria-invalid')).toBe('true');
    // Typing again clears the complaint.
    await user.type(seedField(), '1');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows the worker’s refusal and keeps the typed seed', async () => {
    const { user, backend } = setup(1);
    backend.answers.restartRun = () => ({ ok: false, error: 'training stopped after a fault; restart training' });
    await user.clear(seedField());
    await user.type(seedField(), '5');
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(screen.getByRole('alert').textContent).toContain('training stopped after a fault');
    expect(seedField().value).toBe('5');
  });

  it('disables Reset until a session runs', () => {
    renderWithDashboard(<RunControls />);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Reset' }).disabled).toBe(true);
  });

  it('shows a notice about a refused link until dismissed', async () => {
    const { user, backend } = setup(1);
    act(() => backend.emitNotice("The link's seed cannot be used, so seed 1 is used instead."));
    act(() => backend.emitNotice("The link's network cannot be used, so the default network trains instead."));
    expect(screen.getByRole('alert').textContent).toBe(
      "The link's seed cannot be used, so seed 1 is used instead.\nThe link's network cannot be used, so the default network trains instead.Dismiss",
    );
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('copies the page address', async () => {
    const { user } = setup(1);
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    await user.click(screen.getByRole('button', { name: 'Copy link' }));
    expect(writeText).toHaveBeenCalledWith(window.location.href);
    expect(screen.getByRole('status').textContent).toContain('Link copied.');
  });
});

describe('the address bar follows the run', () => {
  function fakeBar(href: string): AddressBar & { replaced: string[] } {
    const bar = {
      replaced: [] as string[],
      location: { href },
      history: {
        state: null,
        replaceState(_data: unknown, _unused: string, url: string) {
          bar.replaced.push(url);
          bar.location.href = url;
        },
      },
    };
    return bar;
  }

  it('writes network and seed on every change in force, keeping other parameters', () => {
    const backend = createFakeBackend();
    const store = createDashboardStore(backend);
    const bar = fakeBar('https://example.test/app/?layer=2&workers=2');
    const stop = followRunInUrl(store, bar);
    backend.emitUpdate({ network: { ...networkSummary(), seed: 1 } });
    // The default run needs no parameters: the plain address means it.
    expect(bar.replaced).toEqual([]);
    backend.emitUpdate({ runId: 2, network: { ...networkSummary(MLP), seed: 77 } });
    const url = new URL(bar.location.href);
    expect(url.searchParams.get('net')).toBe(MLP);
    expect(url.searchParams.get('seed')).toBe('77');
    expect(url.searchParams.get('layer')).toBe('2');
    expect(url.searchParams.get('workers')).toBe('2');
    backend.emitUpdate({ runId: 3, network: { ...networkSummary(), seed: 1 } });
    expect(bar.location.href).toBe('https://example.test/app/?layer=2&workers=2');
    stop();
    store.dispose();
  });

  it('rewrites an entry reached with Back that holds an older run', () => {
    const backend = createFakeBackend();
    const store = createDashboardStore(backend);
    window.history.replaceState(null, '', '/?layer=1');
    const stop = followRunInUrl(store);
    backend.emitUpdate({ network: { ...networkSummary(MLP), seed: 3 } });
    expect(new URLSearchParams(window.location.search).get('seed')).toBe('3');
    // As if Back had returned to an entry written before the run changed.
    window.history.replaceState(null, '', '/?layer=2&seed=99');
    window.dispatchEvent(new PopStateEvent('popstate'));
    const params = new URLSearchParams(window.location.search);
    expect(params.get('seed')).toBe('3');
    expect(params.get('net')).toBe(MLP);
    expect(params.get('layer')).toBe('2');
    stop();
    window.dispatchEvent(new PopStateEvent('popstate'));
    store.dispose();
  });
});
