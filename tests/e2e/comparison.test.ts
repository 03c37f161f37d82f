/**
 * End to end, in a real Chromium: "Compare trainers" runs adadelta against sgd in its own
 * worker on the real MNIST chunks, draws one curve per trainer with a legend, pauses and
 * resumes them together, and pauses the main training while it runs (Stop resumes it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHandle } from './app';
import { chromiumAvailable, PROJECT_ROOT } from './harness';

const ARTIFACTS = join(PROJECT_ROOT, 'artifacts');

/** Examples per trainer, read from the table's "Examples" column. */
async function examplesPerRun(page: Page): Promise<number[]> {
  const region = page.getByRole('region', { name: 'Compare trainers' });
  return region.getByRole('table').evaluate((table) =>
    Array.from(table.querySelectorAll('tbody tr')).map((row) => Number(row.children[4]!.textContent!.replace(/,/g, ''))),
  );
}

/** Line paths recharts drew in one chart, with how many points each passes through. */
async function drawnLines(page: Page, chartLabel: RegExp): Promise<{ stroke: string; dash: string; points: number }[]> {
  const region = page.getByRole('region', { name: 'Compare trainers' });
  return region.getByRole('img', { name: chartLabel }).evaluate((plot) =>
    Array.from(plot.querySelectorAll('path.recharts-line-curve')).map((path) => ({
      stroke: path.getAttribute('stroke') ?? '',
      dash: path.getAttribute('stroke-dasharray') ?? '',
      // Each point after the first adds a segment command (L or C).
      points: (path.getAttribute('d') ?? '').split(/[LC]/).length,
    })),
  );
}

describe.skipIf(!chromiumAvailable())('compare trainers in Chromium', () => {
  let app: AppHandle;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await startApp();
    page = await app.newPage();
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('trains adadelta and sgd side by side and draws a curve for each', async () => {
    // Main training is running before the comparison starts.
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    const region = page.getByRole('region', { name: 'Compare trainers' });
    await region.getByRole('button', { name: 'Show comparison' }).click();
    await region.getByRole('button', { name: 'Start comparison' }).click();
    const startedAt = Date.now();

    await expect
      .poll(() => region.getByRole('status').textContent(), { timeout: 15_000 })
      .toMatch(/Main training is paused while the comparison runs/);
    // The main training really paused: its Resume button is offered.
    await page.getByRole('button', { name: 'Resume', exact: true }).waitFor({ timeout: 15_000 });

    const legend = region.getByRole('list', { name: 'Legend' });
    await legend.waitFor({ timeout: 60_000 });
    expect(await legend.getByRole('listitem').allTextContents()).toEqual([
      '1: adadelta, batch 20, L2 0.001 (solid line)',
      '2: sgd, lr 0.01, momentum 0.9, batch 20, L2 0.001 (dashed line)',
    ]);

    // Two loss curves, each through several points, told apart by colour and dash.
    await expect
      .poll(async () => (await drawnLines(page, /Smoothed loss/)).filter((l) => l.points >= 5).length, { timeout: 90_000 })
      .toBe(2);
    const lines = await drawnLines(page, /Smoothed loss/);
    expect(new Set(lines.map((l) => l.stroke)).size).toBe(2);
    expect(new Set(lines.map((l) => l.dash)).size).toBe(2);
    expect((await drawnLines(page, /accuracy/)).length).toBe(2);

    // The runs progress together: at most one round (20 examples) apart.
    const seen = await examplesPerRun(page);
    expect(seen).toHaveLength(2);
    expect(Math.min(...seen)).toBeGreaterThan(0);
    expect(Math.max(...seen) - Math.min(...seen)).toBeLessThanOrEqual(20);
    // For information: throughput per trainer, data loading included.
    console.log(`comparison: ${seen.join(' and ')} examples per trainer after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    // The pointer left over the chart would show a tooltip in the picture.
    await page.mouse.move(0, 0);
    await region.scrollIntoViewIfNeeded();
    await region.screenshot({ path: join(ARTIFACTS, 'comparison.png') });

    // Pause all holds every run; Resume all lets them go on.
    await region.getByRole('button', { name: 'Pause all' }).click();
    await expect.poll(() => region.getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/All trainers paused/);
    // The table redraws at most once a second: let the last numbers land.
    await page.waitForTimeout(1200);
    const paused = await examplesPerRun(page);
    await page.waitForTimeout(1500);
    expect(await examplesPerRun(page)).toEqual(paused);
    await region.getByRole('button', { name: 'Resume all' }).click();
    await expect
      .poll(async () => Math.min(...(await examplesPerRun(page))), { timeout: 15_000 })
      .toBeGreaterThan(Math.max(...paused));

    // Stop ends the comparison and gives the processor back to the main training.
    await region.getByRole('button', { name: 'Stop' }).click();
    await region.getByRole('button', { name: 'Start comparison' }).waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 15_000 });

    expect(app.problems).toEqual([]);
  });
});
