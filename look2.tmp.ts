import { launchChromium } from './tests/e2e/harness';
(async () => {
  const browser = await launchChromium();
  for (const [w, h] of [[1440, 900], [390, 844]] as const) {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    await page.goto('http://localhost:5173/');
    await page.waitForTimeout(10000);
    const grid = page.getByRole('list', { name: 'Test predictions, newest first' });
    await grid.scrollIntoViewIfNeeded();
    await page.waitForTimeout(3000);
    await page.screenshot({ path: `/tmp/look/preds-${w}.png` });
    await page.getByRole('region', { name: 'Dataset' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `/tmp/look/dataset-${w}.png` });
    console.log(w, (await page.getByRole('region', { name: 'Training Stats' }).innerText()).replace(/\n/g, ' | ').slice(0, 400));
    await page.close();
  }
  await browser.close();
})();
