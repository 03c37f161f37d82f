// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LayerView, LayerStatsPoint, LayerSummary, NetworkSummary } from '../../src/training/protocol';
import { NetworkOverview } from '../../src/ui/inspector/NetworkOverview';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

/** Activation i is i/1000 and its gradient -i/10000, so any position's value is known. */
function viewFor(layer: LayerSummary): LayerView {
  const n = layer.out.sx * layer.out.sy * layer.out.depth;
  const weightCount = layer.type === 'conv' || layer.type === 'fc' ? layer.paramCount - (layer.filters ?? 0) : 0;
  return {
    index: layer.index,
    activations: Float32Array.from({ length: n }, (_, i) => i / 1000),
    activationGrads: Float32Array.from({ length: n }, (_, i) => -i / 10000),
    activationRange: { min: 0, max: (n - 1) / 1000 },
    gradientRange: { min: -(n - 1) / 10000, max: 0 },
    weights: weightCount > 0 ? Float32Array.from({ length: weightCount }, (_, i) => Math.sin(i)) : null,
    weightGrads: weightCount > 0 ? Float32Array.from({ length: weightCount }, (_, i) => Math.cos(i) / 100) : null,
  };
}

function setUp(network: NetworkSummary = networkSummary()) {
  const harness = renderWithDashboard(
    <NetworkOverview>
      <p>The layer panels</p>
    </NetworkOverview>,
  );
  harness.backend.answers.layerViews = (indices) => indices.map((i) => viewFor(network.layers[i]!));
  startSession(harness.backend, false, network);
  return harness;
}

/** The value read-out that describes a group of maps or bars (its aria-describedby). */
function readoutOf(group: HTMLElement): string {
  return document.getElementById(group.getAttribute('aria-describedby') ?? '')?.textContent ?? '';
}

/** What screen readers were last told (the polite live region). */
function announced(): string {
  return document.querySelector('[aria-live="polite"]')?.textContent ?? '';
}

function layerInUrl(): string | null {
  return new URLSearchParams(window.location.search).get('layer');
}

// The inspector is loaded lazily; loading it once here keeps a slow first transform
// (recharts) from running into the queries' timeouts.
beforeAll(async () => {
  await import('../../src/ui/inspector/LayerInspector');
});

beforeEach(() => {
  window.history.replaceState(null, '', '/?seed=5');
});

describe('layer inspector', () => {
  it('opens on conv 1 from its button, with the layer in the URL and the other parameters kept', async () => {
    setUp();
    expect(screen.getByText('The layer panels')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Inspect layer 1: conv (24x24x8)' }));
    expect(layerInUrl()).toBe('1');
    expect(new URLSearchParams(window.location.search).get('seed')).toBe('5');
    const heading = await screen.findByRole('heading', { name: 'Layer 1: conv (24x24x8)' });
    expect(screen.queryByText('The layer panels')).toBeNull();
    // Focus lands in the inspector, for keyboard users.
    expect(document.activeElement).toBe(heading);
    await screen.findByText('Value 0 (gradient 0) at (x 0, y 0, channel 0)');
  });

  it('reads the value under the mouse and under the keyboard cursor with its (x, y, channel)', async () => {
    window.history.replaceState(null, '', '/?layer=1');
    setUp();
    await screen.findByText('Value 0 (gradient 0) at (x 0, y 0, channel 0)');
    // 24x24 channels are drawn at 7x: (36, 15) is x 5, y 2. Index ((24*2)+5)*8+3 = 427.
    const maps = screen.getByRole('group', { name: /Channels of conv layer 1/ });
    fireEvent.mouseMove(screen.getByTestId('channel-3'), { clientX: 36, clientY: 15 });
    expect(readoutOf(maps)).toBe('Value 0.427 (gradient -0.0427) at (x 5, y 2, channel 3)');
    expect(announced()).toBe('Value 0.427 (gradient -0.0427) at (x 5, y 2, channel 3)');

    maps.focus();
    fireEvent.keyDown(maps, { key: 'ArrowRight' });
    fireEvent.keyDown(maps, { key: 'ArrowDown' });
    fireEvent.keyDown(maps, { key: 'PageDown' });
    // ((24*3)+6)*8+4 = 628.
    expect(readoutOf(maps)).toBe('Value 0.628 (gradient -0.0628) at (x 6, y 3, channel 4)');
    // The cursor stops at the edges.
    for (let k = 0; k < 30; k++) fireEvent.keyDown(maps, { key: 'ArrowLeft' });
    expect(readoutOf(maps)).toMatch(/at \(x 0, y 3, channel 4\)$/);

    // The receptive field of conv 1 at (0, 3): its 5x5 window, clipped at the left border.
    expect(screen.getByText('Position (0, 3) of layer 1 sees input pixels x 0–2, y 1–5 (3x5 of 24x24).')).toBeTruthy();
  });

  it('shows each filter next to the channel it produces, statistics and histograms', async () => {
    window.history.replaceState(null, '', '/?layer=1');
    setUp();
    await screen.findByText(/^Value 0 /);
    expect(screen.getAllByRole('img', { name: /^filter \d: 5x5x1 weights$/ })).toHaveLength(8);
    expect(screen.getByText('filter 7 → channel 7')).toBeTruthy();

    const table = screen.getByRole('table', { name: 'Statistics of the current example' });
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(`^${name}`) });
    // 4608 activations 0, 0.001, ..., 4.607: mean 2.3035.
    const activations = within(row('Activations ')).getAllByRole('cell').map((c) => c.textContent);
    expect(activations.slice(0, 3)).toEqual(['0', '4.607', '2.3035']);
    expect(within(row('Activations ')).getByRole('img', { name: /^Histogram of activations: 20 bins from 0 to 4.607/ })).toBeTruthy();
    expect(within(row('Weights')).getByRole('img', { name: /^Histogram of weights: 20 bins/ })).toBeTruthy();
    expect(within(row('Weight gradients')).getAllByRole('cell')).toHaveLength(5);
  });

  it('moves along the network with Previous and Next, and Esc returns to the overview', async () => {
    setUp();
    fireEvent.click(screen.getByRole('button', { name: 'Inspect layer 1: conv (24x24x8)' }));
    await screen.findByRole('heading', { name: 'Layer 1: conv (24x24x8)' });

    fireEvent.click(screen.getByRole('button', { name: 'Next layer' }));
    await screen.findByRole('heading', { name: 'Layer 2: relu (24x24x8)' });
    expect(layerInUrl()).toBe('2');
    expect(screen.getByText('This layer has no weights, so there are no norms to follow.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Previous layer' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Previous layer' }));
    await screen.findByRole('heading', { name: 'Layer 0: input (24x24x1)' });
    expect((screen.getByRole('button', { name: 'Previous layer' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.keyDown(screen.getByRole('heading', { name: 'Layer 0: input (24x24x1)' }), { key: 'Escape' });
    expect(layerInUrl()).toBeNull();
    expect(screen.getByText('The layer panels')).toBeTruthy();
    // Focus returns to the button of the layer that was open.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Inspect layer 0: input (24x24x1)' }));
  });

  it('closes on Esc from the page but not from a field of another panel', async () => {
    window.history.replaceState(null, '', '/?layer=3');
    setUp();
    await screen.findByRole('heading', { name: 'Layer 3: pool (12x12x8)' });
    const field = document.body.appendChild(document.createElement('textarea'));
    try {
      field.focus();
      fireEvent.keyDown(field, { key: 'Escape' });
      expect(layerInUrl()).toBe('3');
      field.blur();
      fireEvent.keyDown(document.body, { key: 'Escape' });
      expect(layerInUrl()).toBeNull();
      expect(screen.getByText('The layer panels')).toBeTruthy();
    } finally {
      field.remove();
    }
  });

  it('follows the browser history: back reopens the previous layer', async () => {
    setUp();
    fireEvent.click(screen.getByRole('button', { name: 'Inspect layer 4: conv (12x12x16)' }));
    await screen.findByRole('heading', { name: 'Layer 4: conv (12x12x16)' });
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.getByText('The layer panels')).toBeTruthy();
    act(() => window.history.back());
    await screen.findByRole('heading', { name: 'Layer 4: conv (12x12x16)' });
  });

  it('shows the class scores of the last layers as bars', async () => {
    window.history.replaceState(null, '', '/?layer=8');
    setUp();
    const bars = await screen.findByRole('group', { name: 'Class scores' });
    expect(within(bars).getAllByRole('listitem')).toHaveLength(10);
    expect(within(bars).getByText('class 9')).toBeTruthy();
    bars.focus();
    fireEvent.keyDown(bars, { key: 'ArrowDown' });
    fireEvent.keyDown(bars, { key: 'ArrowDown' });
    expect(readoutOf(bars)).toBe('Value 0.002 (gradient -0.0002) at (x 0, y 0, channel 2)');
    fireEvent.mouseEnter(within(bars).getByText('class 7'));
    expect(readoutOf(bars)).toMatch(/^Value 0.007 .* channel 7\)$/);
  });

  it('plots the weight norm, gradient norm and update ratio of the layer over the run', async () => {
    window.history.replaceState(null, '', '/?layer=7');
    const network = networkSummary();
    const harness = renderWithDashboard(<NetworkOverview>{null}</NetworkOverview>);
    const history: LayerStatsPoint[] = [100, 200, 300].map((examples, k) => ({
      examples,
      layers: [
        { index: 1, weightNorm: 9, gradNorm: 9, updateRatio: 9 },
        { index: 7, weightNorm: 1 + k, gradNorm: 0.5 / (k + 1), updateRatio: 0.001 * (k + 1) },
      ],
    }));
    harness.backend.answers.layerTrainingHistory = () => history;
    startSession(harness.backend, false, network);
    expect(await screen.findByText('Weight norm: 3 at 300 examples')).toBeTruthy();
    expect(screen.getByText('Gradient norm (last example): 0.16667 at 300 examples')).toBeTruthy();
    expect(screen.getByText('Update-to-weight ratio: 0.003 at 300 examples')).toBeTruthy();
    expect(screen.getByRole('img', { name: /^Weight norm against examples seen, 3 samples/ })).toBeTruthy();
  });

  it('freezes the example through the store and says so', async () => {
    window.history.replaceState(null, '', '/?layer=1');
    const { backend } = setUp();
    const toggle = await screen.findByRole('button', { name: 'Freeze example' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-pressed')).toBe('true'));
    expect(backend.callsTo('freezeExample')).toEqual([[true]]);
    expect(screen.getByText(/^Frozen on one training example/)).toBeTruthy();
    // Paused and frozen: the views were read again for the pinned example.
    await waitFor(() => expect(backend.callsTo('layerViews').length).toBeGreaterThanOrEqual(2));

    // Back in the overview the freeze still holds, so it says so and offers the way out.
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.getByText(/The views are frozen on one training example/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Unfreeze' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Unfreeze' })).toBeNull());
    expect(backend.callsTo('freezeExample')).toEqual([[true], [false]]);

    // A new run (network change, reset) starts unfrozen: the session dropped the pinned example.
    fireEvent.click(screen.getByRole('button', { name: 'Inspect layer 1: conv (24x24x8)' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Freeze example' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Freeze example' }).getAttribute('aria-pressed')).toBe('true'));
    act(() => backend.emitUpdate({ runId: 2 }));
    expect(screen.getByRole('button', { name: 'Freeze example' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('says so when the URL names a layer the network does not have', async () => {
    window.history.replaceState(null, '', '/?layer=42');
    setUp();
    expect(await screen.findByText('This network has no layer 42 (it has 9, numbered 0 to 8).')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(layerInUrl()).toBeNull();
  });
});
