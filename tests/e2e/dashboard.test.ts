/**
 * End to end, in a real Chromium: the production build served by `vite preview`, the real
 * worker, the real MNIST chunks. One scenario, step by step, on one page:
 * data loads and training runs, validation accuracy passes 90% within 60 s, an uploaded
 * digit is recognised, bad input is refused while training goes on, pause/resume, snapshot
 * round trip, a smaller network rebuilds the layer panels; no console errors, and no
 * main-thread task over 100 ms while training runs (figures printed at the end).
 *
 * Needs /usr/bin/chromium. Without it the suite fails under CI=true and is skipped with a
 * notice otherwise.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { imagePixels } from '../../src/data/mnist';
import { loadMnistSet, MNIST_FILES, mnistDataDirectory } from '../../src/data/node-loader';
import { SEED_DEFINITION_TEXT } from '../../src/engine/parse';
import {
  buildApp,
  CHROMIUM_PATH,
  chromiumAvailable,
  launchChromium,
  LONG_TASK_RECORDER,
  PROJECT_ROOT,
  startPreview,
  type LongTask,
  type PreviewServer,
} from './harness';
import { encodeGrayPng, enlarge } from './png';

const hasChromium = chromiumAvailable();
if (!hasChromium) {
  const notice = `e2e: ${CHROMIUM_PATH} not found; the real-browser suite cannot run (on Debian: apt-get install chromium).`;
  if (process.env.CI === 'true') throw new Error(`${notice} CI=true, so this is a failure.`);
  console.warn(`\n*** SKIPPING the end-to-end suite: ${notice} ***\n`);
}

const ARTIFACTS = join(PROJECT_ROOT, 'artifacts');
const SMALLER_NETWORK = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:4, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:3, stride:3});
layer_defs.push({type:'softmax', num_classes:10});

net = new convnetjs.Net();
net.makeLayers(layer_defs);

trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:20, l2_decay:0.001});
`;

describe.skipIf(!hasChromium)('dashboard in Chromium', () => {
  let outDir: string;
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  let loadedAt = 0;
  /** performance.now() in the page when training was first seen running. */
  let trainingStartedAt = 0;
  const problems: string[] = [];
  /** Page-time windows of our own screenshots, left out of the long-task judgement. */
  const screenshotWindows: [number, number][] = [];
  const figures: Record<string, unknown> = {};
  /** Page time at which each step began, to tell which step a long task belongs to. */
  const phases: { name: string; start: number }[] = [];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'mnist-dashboard-e2e-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildApp(outDir);
    server = await startPreview(outDir);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await context.addInitScript(LONG_TASK_RECORDER);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`console ${message.type()}: ${message.text()} (${message.location().url})`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('crash', () => problems.push('page crashed'));
  }, 180_000);

  beforeEach(async (context) => {
    if (page && !page.isClosed() && page.url().startsWith('http')) {
      phases.push({ name: context.task.name, start: await pageNow() });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    if (Object.keys(figures).length > 0) {
      writeFileSync(join(ARTIFACTS, 'e2e-figures.json'), JSON.stringify(figures, null, 2) + '\n');
      console.log(`\ne2e figures:\n${JSON.stringify(figures, null, 2)}\n`);
    }
  });

  // ---------------------------------------------------------------------------
  // Reading the page the way a person does: by region, label and role.

  const statsRegion = () => page.getByRole('region', { name: 'Training Stats' });

  async function stat(label: string): Promise<string> {
    return (await statsRegion().locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '';
  }
  async function examplesSeen(): Promise<number> {
    return Number((await stat('Examples seen')).replace(/,/g, ''));
  }
  async function percent(label: string): Promise<number | null> {
    const text = await stat(label);
    return text.endsWith('%') ? Number.parseFloat(text) / 100 : null;
  }
  async function lossValue(): Promise<number> {
    return Number.parseFloat(await stat('Classification loss'));
  }
  const pageNow = () => page.evaluate(() => performance.now());

  /** Waits until `read` satisfies `ok`, polling; returns the last value read. */
  async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!ok(value)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(value)})`);
      await page.waitForTimeout(250);
      value = await read();
    }
    return value;
  }

  async function screenshot(name: string, options: { fullPage?: boolean } = {}) {
    const from = await pageNow();
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: options.fullPage ?? false });
    screenshotWindows.push([from, await pageNow()]);
  }

  async function saveSnapshotText(): Promise<string> {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save snapshot' }).click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8');
    // Also offered as text to copy.
    await expect.poll(() => page.getByLabel('Saved snapshot JSON').inputValue()).toBe(text);
    return text;
  }

  // ---------------------------------------------------------------------------

  it('loads the page and the data, and starts training', async () => {
    await page.goto(server.url);
    loadedAt = Date.now();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/MNIST/);
    // The progress bar shows while the chunks stream in and goes once all are in.
    await page.getByRole('button', { name: 'Pause' }).waitFor({ state: 'visible', timeout: 60_000 });
    await expect.poll(() => page.getByLabel('Loading MNIST data').count(), { timeout: 60_000 }).toBe(0);
    figures.dataLoadedSeconds = round((Date.now() - loadedAt) / 1000);
    await waitFor(examplesSeen, (n) => n > 0, 30_000, 'the first examples');
    trainingStartedAt = await pageNow();
  }, 90_000);

  it('trains: examples seen increases and the loss falls', async () => {
    const first = await waitFor(examplesSeen, (n) => n >= 200, 30_000, '200 examples');
    const earlyLoss = await lossValue();
    await page.waitForTimeout(2000);
    expect(await examplesSeen()).toBeGreaterThan(first);
    figures.earlyLoss = { examples: first, loss: earlyLoss };
    await waitFor(examplesSeen, (n) => n >= first + 3000, 60_000, '3000 more examples');
    const laterLoss = await lossValue();
    figures.laterLoss = { examples: await examplesSeen(), loss: laterLoss };
    expect(laterLoss).toBeLessThan(earlyLoss);
  }, 120_000);

  it('passes 90% validation accuracy within 60 s (and reports when it reaches 97%)', async () => {
    const remaining = 60_000 - (Date.now() - loadedAt);
    await waitFor(() => percent('Validation accuracy'), (v) => v !== null && v > 0.9, Math.max(remaining, 0), 'validation accuracy > 90%');
    figures.secondsTo90 = round((Date.now() - loadedAt) / 1000);
    figures.examplesAt90 = await examplesSeen();
    await screenshot('01-training');
    try {
      await waitFor(() => percent('Validation accuracy'), (v) => v !== null && v >= 0.97, 120_000 - (Date.now() - loadedAt), 'validation accuracy >= 97%');
      figures.secondsTo97 = round((Date.now() - loadedAt) / 1000);
      figures.examplesAt97 = await examplesSeen();
    } catch {
      figures.secondsTo97 = `not reached within 120 s (validation ${await stat('Validation accuracy')} at ${await examplesSeen()} examples)`;
    }
    figures.examplesPerSecond = Number((await stat('Examples per second')).replace(/,/g, ''));
  }, 150_000);

  it('recognises an uploaded PNG of a test digit, and refuses a file that is not an image', async () => {
    const test = loadMnistSet(mnistDataDirectory(), MNIST_FILES.testImages, MNIST_FILES.testLabels);
    const index = 0;
    const label = test.labels[index];
    const png = encodeGrayPng(enlarge(imagePixels(test, index), 28, 4), 112, 112);
    writeFileSync(join(ARTIFACTS, `test-digit-${label}.png`), png);
    const region = page.getByRole('region', { name: 'Test an image from your computer' });
    await page.getByLabel('Image file').setInputFiles({ name: `digit-${label}.png`, mimeType: 'image/png', buffer: png });
    await expect.poll(() => region.getByText('Prediction:').textContent(), { timeout: 15_000 }).toBe(`Prediction: ${label}`);
    // The network view shows that image until asked to go back to training examples.
    const network = page.getByRole('region', { name: 'Network Visualization' });
    await network.getByRole('button', { name: 'Show training examples' }).waitFor();
    await network.scrollIntoViewIfNeeded();
    await page.waitForTimeout(800);
    await screenshot('02-user-image');
    await network.getByRole('button', { name: 'Show training examples' }).click();

    await page.getByLabel('Image file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
    await expect.poll(() => region.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/not an image/);
  }, 60_000);

  it("shows an error for learning rate 'abc' while training goes on", async () => {
    const field = page.getByLabel('Learning rate', { exact: true });
    const before = await field.inputValue();
    await field.fill('abc');
    await field.press('Enter');
    const trainer = page.getByRole('region', { name: 'Trainer' });
    await expect.poll(() => trainer.getByRole('alert').count()).toBeGreaterThan(0);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    const seen = await examplesSeen();
    await waitFor(examplesSeen, (n) => n > seen + 100, 20_000, 'training to go on');
    await screenshot('03-learning-rate-error');
    await field.press('Escape');
    expect(await field.inputValue()).toBe(before);
  }, 60_000);

  it('pauses and resumes', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await page.waitForTimeout(300);
    const paused = await examplesSeen();
    await page.waitForTimeout(1500);
    expect(await examplesSeen()).toBe(paused);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await waitFor(examplesSeen, (n) => n > paused, 20_000, 'training to continue');
  }, 60_000);

  it("refuses the 'adadelata' typo with a did-you-mean and changes nothing", async () => {
    const panelsBefore = await layerTitles();
    const seen = await examplesSeen();
    const editor = page.getByLabel('Network definition');
    await editor.fill(SEED_DEFINITION_TEXT.replace("'adadelta'", "'adadelata'"));
    await page.getByRole('button', { name: 'Change network' }).click();
    const region = page.getByRole('region', { name: 'Instantiate a Network and Trainer' });
    await expect.poll(() => region.getByRole('alert').textContent()).toMatch(/did you mean 'adadelta'/);
    // The running session is untouched: same layers, the count keeps going up from where it was.
    await waitFor(examplesSeen, (n) => n > seen + 100, 20_000, 'training to go on');
    expect(await layerTitles()).toEqual(panelsBefore);
    expect(await page.getByLabel('Method').inputValue()).toBe('adadelta');
    await region.scrollIntoViewIfNeeded();
    await screenshot('04-definition-error');
  }, 60_000);

  it('round-trips a snapshot: save, train on, load, save again gives the same JSON', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    const saved = await saveSnapshotText();
    expect(JSON.parse(saved).layers).toHaveLength(9);
    for (let i = 0; i < 2; i++) {
      const seen = await examplesSeen();
      await page.getByRole('button', { name: 'Step' }).click();
      await waitFor(examplesSeen, (n) => n > seen, 10_000, 'a step');
    }
    const changed = await saveSnapshotText();
    expect(changed).not.toBe(saved);
    await page.getByLabel('Snapshot file').setInputFiles({ name: 'saved.json', mimeType: 'application/json', buffer: Buffer.from(saved) });
    const region = page.getByRole('region', { name: 'Snapshot' });
    await expect.poll(() => region.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/Loaded the snapshot from saved\.json/);
    expect(await saveSnapshotText()).toBe(saved);

    await page.getByLabel('Or paste snapshot JSON').fill('{"layers": [{"layer_type": "input"}]}');
    await page.getByRole('button', { name: 'Load snapshot', exact: true }).click();
    // The reason is shown, and the network in force is still the one saved.
    await expect.poll(() => region.getByRole('alert').textContent()).toMatch(/snapshot.*(layer|input|fc|softmax)/i);
    expect(await saveSnapshotText()).toBe(saved);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
  }, 60_000);

  it('rebuilds the layer panels for a smaller valid network', async () => {
    const seen = await waitFor(examplesSeen, (n) => n >= 1000, 30_000, '1000 examples on the loaded snapshot');
    await page.getByLabel('Network definition').fill(SMALLER_NETWORK);
    await page.getByRole('button', { name: 'Change network' }).click();
    await expect.poll(layerTitles, { timeout: 15_000 }).toEqual([
      'input (24x24x1)',
      'conv (24x24x4)',
      'relu (24x24x4)',
      'pool (8x8x4)',
      'fc (1x1x10)',
      'softmax (1x1x10)',
    ]);
    const network = page.getByRole('region', { name: 'Network Visualization' });
    await expect.poll(() => network.getByText('parameters: 4x5x5x1+4 = 104').count()).toBe(1);
    await expect.poll(() => network.getByText('parameters: 10x256+10 = 2570').count()).toBe(1);
    // Statistics started over and training runs on the new network.
    const restarted = await examplesSeen();
    expect(restarted).toBeLessThan(seen);
    await waitFor(examplesSeen, (n) => n > restarted + 200, 20_000, 'training on the new network');
    await network.scrollIntoViewIfNeeded();
    await page.waitForTimeout(800);
    await screenshot('05-smaller-network');
  }, 60_000);

  it('had no console errors and no main-thread task over 100 ms while training ran', async () => {
    const end = await pageNow();
    const all = (await page.evaluate(() => (window as unknown as { __longTasks: LongTask[] }).__longTasks)) ?? [];
    const unsupported = await page.evaluate(() => (window as unknown as { __longTasksUnsupported?: string }).__longTasksUnsupported);
    expect(unsupported).toBeUndefined();
    const overlapsScreenshot = (t: LongTask) => screenshotWindows.some(([a, b]) => t.start < b && t.start + t.duration > a);
    const whileTraining = all.filter((t) => t.start >= trainingStartedAt && !overlapsScreenshot(t));
    const durations = whileTraining.map((t) => Math.round(t.duration));
    // Long tasks are wall-clock: on a machine busy with other work the page's thread waits
    // for a core and tasks stretch, so the load is part of the figures.
    figures.machine = { cores: cpus().length, loadAverage1m: round(loadavg()[0]) };
    figures.longTasks = {
      measuredSeconds: round((end - trainingStartedAt) / 1000),
      over50ms: durations.length,
      over100ms: durations.filter((d) => d > 100).length,
      maxMs: durations.length ? Math.max(...durations) : 0,
      durationsMs: durations,
      byStep: Object.fromEntries(
        phases.map((phase, i) => {
          const next = phases[i + 1]?.start ?? Infinity;
          return [phase.name, whileTraining.filter((t) => t.start >= phase.start && t.start < next).map((t) => Math.round(t.duration))];
        }),
      ),
      duringPageLoad: all.filter((t) => t.start < trainingStartedAt).map((t) => Math.round(t.duration)),
      duringOwnScreenshots: all.filter(overlapsScreenshot).map((t) => Math.round(t.duration)),
    };
    await screenshot('06-full-page', { fullPage: true });
    expect(problems).toEqual([]);
    expect(
      durations.filter((d) => d > 100),
      `main-thread tasks over 100 ms while training (load average ${round(loadavg()[0])} on ${cpus().length} cores)`,
    ).toEqual([]);
  }, 30_000);

  it('shows a data-load failure with Retry, and Retry finishes loading', async () => {
    // A fresh page whose fourth training chunk fails; console errors about it are expected here.
    const failing = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    let block = true;
    await failing.route('**/mnist/train-03.bin', (route) => (block ? route.abort('failed') : route.continue()));
    await failing.goto(server.url);
    const stats = failing.getByRole('region', { name: 'Training Stats' });
    await expect.poll(() => stats.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(/Could not load the MNIST data.*train-03\.bin/);
    await failing.screenshot({ path: join(ARTIFACTS, '07-data-error.png') });
    block = false;
    await stats.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => failing.getByLabel('Loading MNIST data').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => stats.getByRole('alert').count()).toBe(0);
    await stats.getByRole('button', { name: 'Pause' }).waitFor();
    await failing.close();
  }, 120_000);

  it('draws a "7"-like stroke on the pad and shows a prediction with top-3 bars', async () => {
    const region = page.getByRole('region', { name: 'Draw a digit' });
    const pad = region.getByRole('img', { name: /Drawing pad/ });
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    const at = (fx: number, fy: number): [number, number] => [box.x + fx * box.width, box.y + fy * box.height];
    await page.mouse.move(...at(0.25, 0.22));
    await page.mouse.down();
    await page.mouse.move(...at(0.72, 0.22), { steps: 12 });
    await page.mouse.move(...at(0.42, 0.85), { steps: 16 });
    await page.mouse.up();
    await expect.poll(() => region.getByText('Prediction:').textContent(), { timeout: 15_000 }).toMatch(/^Prediction: \d$/);
    await expect.poll(() => region.locator('.prob-bar').count()).toBe(3);
    await region.getByRole('img', { name: 'Your drawing as the network sees it' }).waitFor();
    // The layer views show the drawing until it is cleared.
    const network = page.getByRole('region', { name: 'Network Visualization' });
    await network.getByRole('button', { name: 'Show training examples' }).waitFor();
    await screenshot('08-draw-a-digit');
    await region.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => region.getByText('Prediction:').count()).toBe(0);
  }, 60_000);

  it('evaluates the full test set beside training: the confusion matrix sums to 10,000', async () => {
    const region = page.getByRole('region', { name: 'Test set evaluation' });
    await region.scrollIntoViewIfNeeded();
    const before = await examplesSeen();
    await region.getByRole('button', { name: 'Evaluate on full test set' }).click();
    const table = region.getByRole('table', { name: /Confusion matrix/ });
    await table.waitFor({ timeout: 150_000 });
    const counts = (await table.getByRole('button').allTextContents()).map(Number);
    expect(counts).toHaveLength(100);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    const diagonal = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    const fourCrop = (await region.locator('dt', { hasText: '4-crop accuracy' }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '';
    expect(fourCrop).toContain(`(${diagonal.toLocaleString('en-US')} of 10,000)`);
    // Training went on meanwhile.
    expect(await examplesSeen()).toBeGreaterThan(before);
    // A cell's images, with their bars, and the most confidently wrong gallery.
    await table.getByRole('button', { name: /^True 7, predicted 7:/ }).click();
    const cell = region.getByRole('list', { name: 'Test images of true 7 predicted 7' });
    await expect.poll(() => cell.getAttribute('aria-busy'), { timeout: 15_000 }).toBe('false');
    expect(await cell.locator(':scope > li').count()).toBe(Math.min(40, counts[77]));
    const wrong = region.getByRole('list', { name: 'Most confidently wrong test images' });
    expect(await wrong.locator(':scope > li').count()).toBe(Math.min(20, 10_000 - diagonal));
    figures.testEvaluation = { fourCrop, center: await region.locator('dt', { hasText: 'Center-crop accuracy' }).locator('xpath=following-sibling::dd[1]').textContent() };
    await screenshot('09-evaluation', { fullPage: true });
  }, 180_000);

  async function layerTitles(): Promise<string[]> {
    return page.getByRole('region', { name: 'Network Visualization' }).locator('article h3').allTextContents();
  }
});

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
