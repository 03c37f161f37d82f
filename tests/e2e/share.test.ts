/**
 * End to end, in a real Chromium: the layer inspector opened by clicking a layer panel,
 * a hovered value read with its (x, y, channel); a run's network, trainer and seed
 * carried by the address bar and rebuilt on reload; a broken link refused with a
 * message while the default network trains.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHandle } from './app';
import { chromiumAvailable, PROJECT_ROOT } from './harness';

const ARTIFACTS = join(PROJECT_ROOT, 'artifacts');

const SHARED_NETWORK = `// shared: one small conv layer — «ünïcode» ✓
layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:6, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:3, stride:3});
layer_defs.push({type:'softmax', num_classes:10});

net = new convnetjs.Net();
net.makeLayers(layer_defs);

trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:20, l2_decay:0.001});
`;

describe.skipIf(!chromiumAvailable())('share a run, open the inspector', () => {
  let app: AppHandle;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await startApp();
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
  });

  async function trainingRuns(page: Page) {
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    const network = page.getByRole('region', { name: 'Network Visualization' });
    await network.locator('article h3').first().waitFor({ timeout: 60_000 });
  }

  async function layerTitles(page: Page): Promise<string[]> {
    return page.getByRole('region', { name: 'Network Visualization' }).locator('article h3').allTextContents();
  }

  it('opens conv 1 by clicking its panel and reads a hovered value with its (x, y, channel)', async () => {
    const page = await app.newPage();
    await trainingRuns(page);
    const network = page.getByRole('region', { name: 'Network Visualization' });
    await network.getByRole('article', { name: 'conv (24x24x8)' }).first().click({ position: { x: 40, y: 12 } });
    await page.getByRole('heading', { name: 'Layer 1: conv (24x24x8)' }).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).searchParams.get('layer')).toBe('1');

    const channels = page.getByRole('group', { name: /Channels of conv layer 1/ });
    await channels.waitFor();
    // 24x24 maps are enlarged 7x: (5*7+3, 2*7+3) is x 5, y 2.
    await page.getByTestId('channel-3').hover({ position: { x: 38, y: 17 } });
    const readoutId = await channels.getAttribute('aria-describedby');
    const readout = page.locator(`[id="${readoutId}"]`);
    await expect.poll(() => readout.textContent(), { timeout: 10_000 }).toMatch(/^Value -?\d.* at \(x 5, y 2, channel 3\)$/);
    await page.screenshot({ path: join(ARTIFACTS, 'share-01-inspector-hover.png') });

    await page.keyboard.press('Escape');
    await network.waitFor();
    expect(new URL(page.url()).searchParams.get('layer')).toBeNull();
    // Keyboard: the layer's Inspect button (its one tab stop), Enter opens its inspector.
    await page.getByRole('button', { name: 'Inspect layer 3: pool (12x12x8)' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Layer 3: pool (12x12x8)' }).waitFor({ timeout: 15_000 });
    await page.context().close();
    expect(app.problems).toEqual([]);
  }, 180_000);

  it('keeps network, trainer and seed in the address bar and rebuilds them on reload', async () => {
    const page = await app.newPage('?workers=1');
    await trainingRuns(page);
    const run = page.getByRole('region', { name: 'Run' });

    await page.getByLabel('Network definition').fill(SHARED_NETWORK);
    await page.getByRole('button', { name: 'Change network' }).click();
    await expect.poll(() => layerTitles(page), { timeout: 30_000 }).toEqual([
      'input (24x24x1)',
      'conv (24x24x6)',
      'relu (24x24x6)',
      'pool (8x8x6)',
      'fc (1x1x10)',
      'softmax (1x1x10)',
    ]);
    // A live trainer change reaches the text in force and so the link.
    const batchSize = page.getByRole('region', { name: 'Trainer', exact: true }).getByLabel('Batch size');
    await batchSize.fill('12');
    await batchSize.press('Enter');
    await run.getByLabel('Seed').fill('2024');
    await run.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect.poll(() => run.getByRole('status').textContent()).toMatch(/seed 2024/);

    await expect.poll(() => new URL(page.url()).searchParams.get('seed'), { timeout: 10_000 }).toBe('2024');
    const shared = new URL(page.url());
    const expectedText = SHARED_NETWORK.replace('batch_size:20', 'batch_size:12');
    expect(shared.searchParams.get('net')).toBe(expectedText);
    expect(shared.searchParams.get('workers')).toBe('1');

    // A plain reload of the page. This run may have been autosaved (it is the run the link
    // names), and then comes back paused with the autosave banner (issue 7): resume it.
    await page.reload();
    const banner = page.getByRole('region', { name: 'Autosave' });
    const pause = page.getByRole('button', { name: 'Pause', exact: true });
    await banner.or(pause).first().waitFor({ timeout: 60_000 });
    if (await banner.isVisible()) await banner.getByRole('button', { name: 'Resume' }).click();
    await trainingRuns(page);
    await expect.poll(() => page.getByLabel('Network definition').inputValue(), { timeout: 30_000 }).toBe(expectedText);
    expect(await page.getByRole('region', { name: 'Run' }).getByLabel('Seed').inputValue()).toBe('2024');
    const titles = await layerTitles(page);
    // One training page at a time: the machine may have few cores.
    await page.context().close();

    // Opened afresh from the link, in a new browser context: the same configuration.
    const second = await app.newPage(shared.search);
    await trainingRuns(second);
    await expect.poll(() => second.getByLabel('Network definition').inputValue(), { timeout: 30_000 }).toBe(expectedText);
    expect(await layerTitles(second)).toEqual(titles);
    expect(await second.getByRole('region', { name: 'Run' }).getByLabel('Seed').inputValue()).toBe('2024');
    expect(await second.getByRole('region', { name: 'Trainer', exact: true }).getByLabel('Batch size').inputValue()).toBe('12');
    await second.getByRole('button', { name: 'Pause', exact: true }).click();
    await second.screenshot({ path: join(ARTIFACTS, 'share-02-reloaded.png'), timeout: 60_000 });
    await second.context().close();
    expect(app.problems).toEqual([]);
  }, 240_000);

  it('refuses a broken link with a message and trains the default network', async () => {
    const page = await app.newPage(`?seed=12x&net=${encodeURIComponent("layer_defs.push({type:'conv'});")}`);
    await trainingRuns(page);
    const notice = page.getByRole('region', { name: 'Run' }).getByRole('alert');
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toMatch(/The link's seed cannot be used, so seed 1 is used instead\./);
    expect(await notice.textContent()).toMatch(/The link's network cannot be used, so the default network trains instead\./);
    expect(await layerTitles(page)).toContain('conv (12x12x16)');
    expect(await page.getByRole('region', { name: 'Run' }).getByLabel('Seed').inputValue()).toBe('1');
    // The address bar now holds the run in force: the default, so no parameters but the tab's autosaved run.
    await expect.poll(() => [...new URL(page.url()).searchParams.keys()]).toEqual(['run']);
    await page.screenshot({ path: join(ARTIFACTS, 'share-03-broken-link.png') });
    await page.context().close();
    expect(app.problems).toEqual([]);
  }, 180_000);
});
