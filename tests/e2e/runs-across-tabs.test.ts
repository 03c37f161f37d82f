/**
 * Runs across tabs, end to end in a real Chromium: two pages in ONE browser context (so
 * they share IndexedDB, as two tabs do). Tab A changes its network to the MLP preset and
 * both train; reloading A brings back A's MLP, not B's run; B keeps its own run; a page
 * opened fresh lists both runs (open in the other tabs), and once B is closed offers to
 * resume it. Screenshots of the offer at 1440 and 390 px wide go to artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, PROJECT_ROOT, statValue } from './harness';
import { startApp, type AppHandle } from './app';

const hasChromium = chromiumAvailable();
const ARTIFACTS = join(PROJECT_ROOT, 'artifacts');
/** Past one autosave period (10 s), so each tab has saved while training. */
const TRAIN_PAST_A_SAVE_MS = 12_000;

describe.skipIf(!hasChromium)('runs across tabs in Chromium', () => {
  let app: AppHandle;

  beforeAll(async () => {
    app = await startApp();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  /** Another tab of the same browser context, with the same problem recording as app.newPage. */
  async function openTab(context: BrowserContext, pathAndQuery = '', viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') app.problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => app.problems.push(`page error: ${error.message}`));
    await page.goto(new URL(pathAndQuery, app.url).href);
    return page;
  }

  async function examplesSeen(page: Page): Promise<number> {
    return (await statValue(page, 'Examples seen')) ?? 0;
  }

  async function trainingRuns(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Pause' }).waitFor({ state: 'visible', timeout: 60_000 });
    await expect.poll(() => examplesSeen(page), { timeout: 60_000 }).toBeGreaterThan(0);
  }

  function runIdOf(page: Page): string | null {
    return new URL(page.url()).searchParams.get('run');
  }

  async function layerTitles(page: Page): Promise<string[]> {
    return page.getByRole('region', { name: 'Network Visualization' }).locator('article h3').allTextContents();
  }

  it('each tab keeps its own run: A reloads to its MLP, B keeps its run, a fresh page lists both', async () => {
    const a = await app.newPage();
    const context = a.context();
    await trainingRuns(a);
    const runA = runIdOf(a);
    expect(runA).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);

    // Tab A: the MLP preset.
    await a.getByLabel('Presets').selectOption('MLP');
    await a.getByRole('button', { name: 'Load preset' }).click();
    await a.getByRole('button', { name: 'Change network' }).click();
    await expect.poll(() => layerTitles(a), { timeout: 20_000 }).toContain('fc (1x1x100)');
    await expect.poll(() => new URL(a.url()).searchParams.get('net') ?? '', { timeout: 10_000 }).toMatch(/num_neurons:100/);

    // Tab B, opened fresh in the same browser: a run of its own, the seed network.
    const b = await openTab(context);
    await trainingRuns(b);
    const runB = runIdOf(b);
    expect(runB).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
    expect(runB).not.toBe(runA);
    // A's run is open in tab A: offered, but not to be resumed here.
    const offerInB = b.getByRole('region', { name: 'Recent runs' });
    await offerInB.waitFor({ timeout: 10_000 });
    expect(await offerInB.getByRole('listitem').filter({ hasText: 'fc 100 · fc 100 · softmax 10' }).textContent()).toMatch(/Open in another tab/);

    // Both train past a save.
    await a.bringToFront();
    await b.waitForTimeout(TRAIN_PAST_A_SAVE_MS);
    const bExamplesBefore = await examplesSeen(b);
    expect(bExamplesBefore).toBeGreaterThan(0);

    // Reload A: back to ITS run, the MLP, paused at what it had saved.
    await a.reload();
    const banner = a.getByRole('region', { name: 'Autosave' });
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.getByRole('status').textContent()).toMatch(/^Resumed from autosave at [\d,]+ examples\./);
    expect(runIdOf(a)).toBe(runA);
    await expect.poll(() => layerTitles(a), { timeout: 20_000 }).toContain('fc (1x1x100)');
    expect(await layerTitles(a)).not.toContain('conv (24x24x8)');
    await expect.poll(() => new URL(a.url()).searchParams.get('net') ?? '', { timeout: 10_000 }).toMatch(/num_neurons:100/);

    // Tab B kept its own run: still the seed network, still counting, still its id.
    expect(runIdOf(b)).toBe(runB);
    await expect.poll(() => examplesSeen(b), { timeout: 20_000 }).toBeGreaterThan(bExamplesBefore);
    expect(await layerTitles(b)).toContain('conv (24x24x8)');

    // A fresh page lists both runs, each open in its tab.
    const fresh = await openTab(context, '', { width: 1440, height: 900 });
    const offer = fresh.getByRole('region', { name: 'Recent runs' });
    await offer.waitFor({ timeout: 30_000 });
    const items = offer.getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    const texts = await items.allTextContents();
    expect(texts.some((t) => /fc 100 · fc 100 · softmax 10/.test(t))).toBe(true);
    expect(texts.some((t) => /conv 8 · pool · conv 16 · pool · softmax 10/.test(t))).toBe(true);
    expect(texts.every((t) => /Open in another tab/.test(t))).toBe(true);
    await fresh.screenshot({ path: join(ARTIFACTS, 'recent-runs-1440.png') });

    // B closed: its run can be resumed in another page, which then holds it.
    await b.close();
    await fresh.close();
    const later = await openTab(context, '', { width: 390, height: 844 });
    const laterOffer = later.getByRole('region', { name: 'Recent runs' });
    await laterOffer.waitFor({ timeout: 30_000 });
    const bItem = laterOffer.getByRole('listitem').filter({ hasText: 'conv 8 · pool · conv 16 · pool · softmax 10' });
    await bItem.getByRole('button', { name: /^Resume the run/ }).waitFor();
    await later.screenshot({ path: join(ARTIFACTS, 'recent-runs-390.png') });
    // Nothing sticks out of a phone's width.
    const overflowing = await laterOffer.evaluate((region) =>
      [...region.querySelectorAll('button, p')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5).map((el) => el.textContent),
    );
    expect(overflowing).toEqual([]);
    await bItem.getByRole('button', { name: /^Resume the run/ }).click();
    await expect.poll(() => runIdOf(later), { timeout: 10_000 }).toBe(runB);
    expect(await later.getByRole('region', { name: 'Autosave' }).getByRole('status').textContent()).toMatch(/^Resumed from autosave at/);
    await expect.poll(() => layerTitles(later), { timeout: 20_000 }).toContain('conv (24x24x8)');

    expect(app.problems).toEqual([]);
    await context.close();
  }, 240_000);

  it('a 1M-parameter network: what a save costs through the worker and IndexedDB, and the period the Run card states', async () => {
    const page = await app.newPage();
    await trainingRuns(page);
    await page.getByLabel('Network definition').fill(MILLION_PARAMETER_MLP);
    await page.getByRole('button', { name: 'Change network' }).click();
    const network = page.getByRole('region', { name: 'Network Visualization' });
    await expect.poll(() => network.getByText('parameters: 1024x576+1024 = 590848').count(), { timeout: 30_000 }).toBe(1);
    // The network change is saved at once; the Run card then states the period and what the save took.
    const line = page.getByText(/^Autosaved every \d+ s while training, and when it pauses \(the last save took [\d.]+ s\)\.$/);
    await line.waitFor({ timeout: 30_000 });
    const text = (await line.textContent()) ?? '';
    const [, period, took] = /every (\d+) s.*took ([\d.]+) s/.exec(text)!;
    console.log(`\nAutosave of a 1,004,858-parameter MLP with Adam: a save took ${took} s; saved every ${period} s (${((100 * Number(took)) / Number(period)).toFixed(1)}% of training time)\n`);
    expect(Number(period)).toBeGreaterThanOrEqual(10);
    expect(app.problems).toEqual([]);
    await page.context().close();
  }, 120_000);
});

/** 576x1024 + 1024 + 1024x400 + 400 + 400x10 + 10 = 1,004,858 parameters, with Adam's two accumulators. */
const MILLION_PARAMETER_MLP = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'fc', num_neurons:1024, activation:'relu'});
layer_defs.push({type:'fc', num_neurons:400, activation:'relu'});
layer_defs.push({type:'softmax', num_classes:10});

net = new convnetjs.Net();
net.makeLayers(layer_defs);

trainer = new convnetjs.SGDTrainer(net, {method:'adam', batch_size:20});
`;
