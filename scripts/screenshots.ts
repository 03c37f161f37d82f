/**
 * Screenshots of the dashboard training for real: builds the app, serves it, lets MNIST
 * train in headless Chromium until validation accuracy reaches 97% (or 120 s pass), and
 * saves views of every panel to artifacts/ plus the README pictures, docs/screenshot*.png.
 *
 *   npx tsx scripts/screenshots.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildApp, chromiumAvailable, missingChromiumAdvice, launchChromium, PROJECT_ROOT, startPreview } from '../tests/e2e/harness';

const ARTIFACTS = join(PROJECT_ROOT, 'artifacts');
const DOCS = join(PROJECT_ROOT, 'docs');
const README_SHOT = join(DOCS, 'screenshot.png');
const TARGET_ACCURACY = 0.97;
const MAX_WAIT_MS = 120_000;

async function validationAccuracy(page: Page): Promise<number | null> {
  const text = await page
    .getByRole('region', { name: 'Training Stats' })
    .locator('dt', { hasText: 'Validation accuracy' })
    .locator('xpath=following-sibling::dd[1]')
    .textContent();
  return text?.endsWith('%') ? Number.parseFloat(text) / 100 : null;
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(missingChromiumAdvice());
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(join(PROJECT_ROOT, 'docs'), { recursive: true });
  const outDir = mkdtempSync(join(tmpdir(), 'mnist-dashboard-shots-'));
  await buildApp(outDir);
  const server = await startPreview(outDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const started = Date.now();
    await page.goto(server.url);
    let accuracy: number | null = null;
    while (Date.now() - started < MAX_WAIT_MS) {
      await page.waitForTimeout(1000);
      accuracy = await validationAccuracy(page);
      if (accuracy !== null && accuracy >= TARGET_ACCURACY) break;
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`validation accuracy ${accuracy === null ? 'n/a' : (accuracy * 100).toFixed(1) + '%'} after ${seconds} s`);

    await page.screenshot({ path: README_SHOT });
    await page.screenshot({ path: join(ARTIFACTS, 'shot-top.png') });
    for (const [name, region] of [
      ['network-view', 'Network Visualization'],
      ['predictions', 'Example predictions on Test set'],
      ['editor', 'Instantiate a Network and Trainer'],
    ] as const) {
      await page.getByRole('region', { name: region }).scrollIntoViewIfNeeded();
      await page.waitForTimeout(1000);
      await page.screenshot({ path: join(ARTIFACTS, `shot-${name}.png`) });
    }
    await page.screenshot({ path: join(ARTIFACTS, 'shot-full.png'), fullPage: true });

    // The README's feature pictures: the network as a form, a layer's inspector, a trainer comparison.
    const editor = page.getByRole('region', { name: 'Instantiate a Network and Trainer' });
    await editor.getByRole('tab', { name: 'Form' }).click();
    await editor.scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await editor.screenshot({ path: join(DOCS, 'screenshot-form.png') });
    await editor.getByRole('tab', { name: 'Code' }).click();

    const network = page.getByRole('region', { name: 'Network Visualization' });
    await network.getByRole('article', { name: 'conv (24x24x8)' }).first().click({ position: { x: 40, y: 12 } });
    await page.getByRole('heading', { name: 'Layer 1: conv (24x24x8)' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(DOCS, 'screenshot-inspector.png') });
    await page.keyboard.press('Escape');

    const comparison = page.getByRole('region', { name: 'Compare trainers' });
    await comparison.getByRole('button', { name: 'Show comparison' }).click();
    await comparison.getByRole('button', { name: 'Start comparison' }).click();
    await page.waitForTimeout(20_000);
    await comparison.screenshot({ path: join(DOCS, 'screenshot-comparison.png') });
    await comparison.getByRole('button', { name: 'Stop' }).click();

    // The same page at phone width: still usable, nothing cut off sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(ARTIFACTS, 'shot-phone.png') });
    // The layer maps shrink as a whole at this width; check they keep their shape.
    await page.getByRole('region', { name: 'Network Visualization' }).scrollIntoViewIfNeeded();
    await page.getByRole('article', { name: 'conv (12x12x16)' }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(ARTIFACTS, 'shot-phone-network-view.png') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    console.log(`phone width: horizontal overflow ${overflow} px`);
    console.log(`saved ${README_SHOT} and artifacts/shot-*.png`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
