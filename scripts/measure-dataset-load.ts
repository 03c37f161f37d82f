/**
 * How long the page takes to load a local MNIST-format dataset: the production build in
 * headless Chromium, the files given to the Dataset panel's picker, timed from the pick
 * until the session trains on them (the panel names the new classes and examples count).
 *
 *   npx tsx scripts/measure-dataset-load.ts DIR     # DIR: the four IDX files (raw or .gz), optional classes.txt
 *
 * A measurement, not a test: it needs a real dataset, which the repository does not ship.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildApp, chromiumAvailable, launchChromium, missingChromiumAdvice, startPreview, statValue } from '../tests/e2e/harness';

const DATASET_FILE = /idx\d-ubyte(\.gz)?$|^classes\.txt$/;

function datasetFact(page: Page, term: string) {
  return page.getByRole('group', { name: 'Dataset in force' }).locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error('usage: npx tsx scripts/measure-dataset-load.ts DIR (a directory holding the four IDX files)');
  }
  const files = readdirSync(dir).filter((name) => DATASET_FILE.test(name)).map((name) => join(dir, name));
  if (files.filter((f) => !f.endsWith('classes.txt')).length !== 4) throw new Error(`${dir} does not hold the four IDX files`);
  if (!chromiumAvailable()) throw new Error(missingChromiumAdvice());
  const outDir = mkdtempSync(join(tmpdir(), 'dataset-load-'));
  await buildApp(outDir);
  const server = await startPreview(outDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await waitFor('MNIST to train', async () => ((await statValue(page, 'Examples seen')) ?? 0) > 0);
    const before = await datasetFact(page, 'Classes').textContent();
    const startedAt = Date.now();
    await page.getByRole('region', { name: 'Dataset' }).getByLabel('Dataset files or a .zip').setInputFiles(files);
    await waitFor('the new dataset', async () => (await datasetFact(page, 'Classes').textContent()) !== before);
    await waitFor('training on it', async () => ((await statValue(page, 'Examples seen')) ?? 0) > 0);
    const bytes = files.reduce((sum, path) => sum + statSync(path).size, 0);
    console.log(`${files.length} files, ${(bytes / 1e6).toFixed(1)} MB: picked -> training in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    console.log(`dataset: ${await datasetFact(page, 'Training on').textContent()}; ${await datasetFact(page, 'Classes').textContent()}`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
