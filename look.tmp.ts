import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './tests/e2e/harness';

const url = process.argv[2] ?? 'http://localhost:5173/';
const FASHION = '/work/data/fashion-mnist';
async function main() {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForTimeout(8000);
  await page.screenshot({ path: '/tmp/look/mnist-1440.png', fullPage: true });
  const panel = page.getByRole('region', { name: 'Dataset' });
  const files = readdirSync(FASHION).filter((f) => f.endsWith('.gz') || f === 'classes.txt').map((f) => join(FASHION, f));
  const t0 = Date.now();
  await panel.getByLabel('Dataset files or a .zip').setInputFiles(files);
  await page.getByRole('region', { name: 'Dataset' }).getByRole('radio', { name: /Fashion|train/i }).first().waitFor({ timeout: 60000 }).catch(() => {});
  await page.waitForTimeout(20000);
  console.log('after load+20s', (Date.now() - t0) / 1000);
  await page.getByRole('button', { name: 'Evaluate on full test set' }).click();
  await page.waitForTimeout(15000);
  await page.screenshot({ path: '/tmp/look/fashion-1440.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: '/tmp/look/fashion-390.png', fullPage: true });
  const stats = await page.getByRole('region', { name: 'Training Stats' }).innerText();
  console.log(stats.slice(0, 600));
  console.log('errors', errors);
  await browser.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
