/**
 * Datasets in the page, end to end in a real Chromium: a made MNIST-format dataset (three
 * classes of simple shapes, with their names) loaded through the Dataset panel's file
 * picker trains, its classes reach the predictions and the confusion matrix, and after a
 * reload the page trains on it again without the files. (How long a real dataset takes to
 * load is measured by scripts/measure-dataset-load.ts, not here.)
 */
import { gzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdxImages, encodeIdxLabels } from '../../src/data/idx';
import { Rng } from '../../src/engine/rng';
import { startApp, type AppHandle } from './app';
import { chromiumAvailable, statValue } from './harness';

const SIDE = 28;
const CLASS_NAMES = ['circle', 'square', 'triangle'];

/** A light shape of class `label` (circle, square, triangle) of random size and place on a dark ground. */
function shapeImages(count: number, rng: Rng): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * SIDE * SIDE);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    labels[i] = label;
    const r = rng.int(5, 9);
    const cx = rng.int(r + 1, SIDE - r - 1);
    const cy = rng.int(r + 1, SIDE - r - 1);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const inside =
          label === 0 ? dx * dx + dy * dy <= r * r : label === 1 ? Math.abs(dx) <= r && Math.abs(dy) <= r : dy <= r && dy >= -r && Math.abs(dx) <= (dy + r) / 2;
        images[i * SIDE * SIDE + y * SIDE + x] = inside ? 200 + rng.int(0, 55) : rng.int(0, 30);
      }
    }
  }
  return { images, labels };
}

/** The four gzipped IDX files of the made dataset, as the file picker takes them. */
function shapeFiles(): { name: string; mimeType: string; buffer: Buffer }[] {
  const rng = new Rng(11);
  const train = shapeImages(300, rng);
  const test = shapeImages(60, rng);
  const file = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'application/gzip', buffer: Buffer.from(gzipSync(bytes)) });
  return [
    file('train-images-idx3-ubyte.gz', encodeIdxImages(train.images, 300, SIDE, SIDE)),
    file('train-labels-idx1-ubyte.gz', encodeIdxLabels(train.labels)),
    file('t10k-images-idx3-ubyte.gz', encodeIdxImages(test.images, 60, SIDE, SIDE)),
    file('t10k-labels-idx1-ubyte.gz', encodeIdxLabels(test.labels)),
  ];
}

function datasetFact(page: Page, term: string) {
  return page.getByRole('group', { name: 'Dataset in force' }).locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
}

describe.skipIf(!chromiumAvailable())('datasets in the page', () => {
  let app: AppHandle;

  beforeAll(async () => {
    app = await startApp();
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('loads a made MNIST-format dataset by file picker, trains on it, and finds it again after a reload', async () => {
    const page = await app.newPage();
    await expect.poll(() => statValue(page, 'Examples seen'), { timeout: 60_000 }).toBeGreaterThan(0);
    const panel = page.getByRole('region', { name: 'Dataset' });
    await panel.getByLabel('Name (optional)').fill('Shapes');
    await panel.getByLabel(/^Class names/).fill(CLASS_NAMES.join(', '));
    await panel.getByLabel('Dataset files or a .zip').setInputFiles(shapeFiles());

    await expect.poll(() => datasetFact(page, 'Training on').textContent(), { timeout: 60_000 }).toBe('Shapes');
    expect(await datasetFact(page, 'Classes').textContent()).toBe('3: circle, square, triangle');
    expect(await datasetFact(page, 'Examples').textContent()).toBe('300 training, 60 test');
    expect(await panel.getByRole('radio', { name: /Shapes/ }).isChecked()).toBe(true);
    await expect.poll(() => statValue(page, 'Examples seen'), { timeout: 60_000 }).toBeGreaterThan(600);

    // The predictions grid shows the made test images, each labelled with its class's name
    // (the grid reads state.dataset.classNames), never with a class index or a digit.
    // The grid holds still off screen, so it is brought into view.
    const grid = page.getByRole('list', { name: 'Test predictions, newest first' });
    await grid.scrollIntoViewIfNeeded();
    // The tiles, not the items of their probability bars.
    const predictions = grid.locator(':scope > li');
    await expect.poll(() => predictions.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const summaries = await predictions.evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
    expect(summaries.length).toBeGreaterThan(0);
    for (const summary of summaries) expect(summary).toMatch(/, a (circle|square|triangle); predicted (circle|square|triangle) \(/);

    // The confusion matrix has one row and one column per class, headed by the class names.
    await page.getByRole('button', { name: 'Evaluate on full test set' }).click();
    const cells = page.locator('table.confusion button[data-cell]');
    await expect.poll(() => cells.count(), { timeout: 60_000 }).toBe(9);
    const columnNames = await page.locator('table.confusion thead th.confusion__column').allTextContents();
    const rowNames = await page.locator('table.confusion tbody th.confusion__row').allTextContents();
    expect(columnNames).toEqual(CLASS_NAMES);
    expect(rowNames).toEqual(CLASS_NAMES);
    expect(await page.locator('table.confusion button[data-cell="2-0"]').getAttribute('aria-label')).toMatch(/^True triangle, predicted circle: /);

    await page.reload();
    await expect.poll(() => datasetFact(page, 'Training on').textContent(), { timeout: 60_000 }).toBe('Shapes');
    expect(await page.getByRole('region', { name: 'Dataset' }).getByRole('radio', { name: /Shapes/ }).isChecked()).toBe(true);
    // The autosave may bring the run back paused: go on with it.
    const resume = page.getByRole('button', { name: 'Resume', exact: true });
    if ((await resume.count()) > 0) await resume.first().click();
    const before = (await statValue(page, 'Examples seen')) ?? 0;
    await expect.poll(() => statValue(page, 'Examples seen'), { timeout: 60_000 }).toBeGreaterThan(before + 100);
    expect(app.problems).toEqual([]);
    await page.context().close();
  }, 240_000);
});
