// @vitest-environment jsdom
import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NetworkOverview } from '../../src/ui/inspector/NetworkOverview';
import { NetworkView } from '../../src/ui/network-view/NetworkView';
import { renderWithDashboard, startSession } from './dashboard-harness';

function setUp() {
  const harness = renderWithDashboard(
    <NetworkOverview>
      <NetworkView />
    </NetworkOverview>,
  );
  startSession(harness.backend, false);
  return harness;
}

function panel(title: string): HTMLElement {
  return screen.getByRole('article', { name: title });
}

function layerInUrl(): string | null {
  return new URLSearchParams(window.location.search).get('layer');
}

beforeAll(async () => {
  // Loaded once up front: the lazy inspector's first transform is slow.
  await import('../../src/ui/inspector/LayerInspector');
});

beforeEach(() => {
  window.history.replaceState(null, '', '/?seed=5');
});

describe('layer panels open the inspector', () => {
  it('make each layer one tab stop: its Inspect button, not the panel too', async () => {
    setUp();
    const conv = panel('conv (24x24x8)');
    expect(conv.hasAttribute('tabindex')).toBe(false);
    const user = userEvent.setup();
    document.body.focus();
    const stops: string[] = [];
    for (let i = 0; i < 12; i++) {
      await user.tab();
      const active = document.activeElement as HTMLElement;
      if (active === document.body) break;
      stops.push(active.getAttribute('aria-label') ?? active.tagName);
    }
    expect(stops.filter((name) => /conv \(24x24x8\)/.test(name))).toEqual(['Inspect layer 1: conv (24x24x8)']);
    expect(stops.some((name) => name === 'ARTICLE')).toBe(false);
  });

  it('opens conv 1 on a click inside its panel, as one history entry, keeping other parameters', async () => {
    setUp();
    const entries = window.history.length;
    fireEvent.click(screen.getByRole('img', { name: /^conv \(24x24x8\) activations/ }));
    expect(layerInUrl()).toBe('1');
    expect(window.history.length).toBe(entries + 1);
    expect(new URLSearchParams(window.location.search).get('seed')).toBe('5');
    await screen.findByRole('heading', { name: 'Layer 1: conv (24x24x8)' });
    expect(screen.queryByRole('article', { name: 'conv (24x24x8)' })).toBeNull();
  });

  it.each(['{Enter}', ' '])('opens pool 3 with %j on its Inspect button', async (key) => {
    setUp();
    const user = userEvent.setup();
    screen.getByRole('button', { name: 'Inspect layer 3: pool (12x12x8)' }).focus();
    await user.keyboard(key);
    expect(layerInUrl()).toBe('3');
    await screen.findByRole('heading', { name: 'Layer 3: pool (12x12x8)' });
  });

  it('ignores a click meant for a control inside the panel', () => {
    setUp();
    const conv = panel('conv (24x24x8)');
    const inner = document.createElement('button');
    conv.appendChild(inner);
    fireEvent.click(inner);
    expect(layerInUrl()).toBeNull();
    inner.remove();
  });

  it('leaves a click that ends a text selection alone', () => {
    setUp();
    const conv = panel('conv (24x24x8)');
    const text = conv.querySelector('p')!;
    const range = document.createRange();
    range.selectNodeContents(text);
    // addRange does nothing while another range (even a collapsed one) is selected.
    window.getSelection()!.removeAllRanges();
    window.getSelection()!.addRange(range);
    fireEvent.click(text);
    expect(layerInUrl()).toBeNull();
    window.getSelection()!.removeAllRanges();
    fireEvent.click(text);
    expect(layerInUrl()).toBe('1');
  });
});
