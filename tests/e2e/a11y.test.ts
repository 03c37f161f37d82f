/**
 * End to end, in a real Chromium: an axe-core scan of the dashboard in the states people
 * use it in (the main page training, a layer inspector open, the network form, a test-set
 * evaluation shown), colour contrast included. Every state must have no violations.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHandle } from './app';
import { chromiumAvailable } from './harness';

/** One line per failing element: rule, impact, what axe says, and where. */
function describeViolations(violations: readonly Result[]): string[] {
  return violations.flatMap((v) => v.nodes.map((node) => `${v.id} (${v.impact ?? 'n/a'}): ${node.failureSummary?.split('\n').slice(1).join(' ') ?? v.help} at ${node.target.join(' ')}`));
}

async function scan(page: Page): Promise<string[]> {
  // WCAG 2.x A and AA (colour contrast among them) plus axe's best practices.
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return describeViolations(results.violations);
}

describe.skipIf(!chromiumAvailable())('accessibility scan (axe-core)', () => {
  let app: AppHandle;
  let page: Page;

  beforeAll(async () => {
    app = await startApp();
    page = await app.newPage('?workers=1');
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('finds nothing on the main page after some training', async () => {
    // The charts and layer panels have drawn by the time the loss curve has a summary.
    await page.getByText(/^Smoothed total loss/).waitFor({ timeout: 60_000 });
    // Paused from here on: the scans read the whole page, slowly while training redraws it.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
    expect(await scan(page)).toEqual([]);
  }, 90_000);

  it('finds nothing with a layer inspector open, on a conv layer and on the class scores', async () => {
    for (const layer of ['Inspect layer 4: conv (12x12x16)', 'Inspect layer 8: softmax (1x1x10)']) {
      await page.getByRole('button', { name: layer }).click();
      const inspector = page.getByRole('region', { name: 'Layer inspector' });
      await inspector.getByText(/^Value /).waitFor({ timeout: 15_000 });
      expect(await scan(page)).toEqual([]);
      await inspector.getByRole('button', { name: 'Close' }).click();
      await inspector.waitFor({ state: 'detached' });
    }
  }, 90_000);

  it('finds nothing in the network form', async () => {
    const editor = page.getByRole('region', { name: 'Instantiate a Network and Trainer' });
    await editor.getByRole('tab', { name: 'Form' }).click();
    await editor.getByRole('list', { name: 'Layers' }).waitFor();
    expect(await scan(page)).toEqual([]);
    await editor.getByRole('tab', { name: 'Code' }).click();
  }, 90_000);

  it('finds nothing with a test-set evaluation shown', async () => {
    const region = page.getByRole('region', { name: 'Test set evaluation' });
    await region.getByRole('button', { name: 'Evaluate on full test set' }).click();
    const table = region.getByRole('table', { name: /Confusion matrix/ });
    await table.waitFor({ timeout: 150_000 });
    await table.getByRole('button', { name: /^True 7, predicted 7:/ }).click();
    await expect.poll(() => region.getByRole('list', { name: 'Test images of true 7 predicted 7' }).getAttribute('aria-busy'), { timeout: 15_000 }).toBe('false');
    expect(await scan(page)).toEqual([]);
    expect(app.problems).toEqual([]);
  }, 180_000);
});
