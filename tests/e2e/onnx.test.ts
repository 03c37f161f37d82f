/**
 * End to end: the page's "Export ONNX" gives a model that ONNX Runtime runs to the same
 * outputs as the page's own network (its saved snapshot, evaluated by the engine in Node),
 * and the same file loads back into the page.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/node-loader';
import { parseSnapshotText } from '../../src/engine/snapshot';
import { Volume } from '../../src/engine/volume';
import { centerCropBatch, maxAbsDifference, ortSession, runOrt } from '../unit/onnx/ort-helpers';
import { startApp, type AppHandle } from './app';
import { chromiumAvailable, statValue } from './harness';

describe.skipIf(!chromiumAvailable())('ONNX export and import in the page', () => {
  let app: AppHandle;
  let page: Page;

  beforeAll(async () => {
    app = await startApp();
    page = await app.newPage();
  });

  afterAll(async () => {
    await app?.stop();
  });

  const snapshotStatus = () => page.getByRole('region', { name: 'Snapshot' }).getByRole('status').textContent();

  async function download(button: string): Promise<Buffer> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    return readFileSync(await file.path());
  }

  it('exports the trained network as a model ONNX Runtime runs to the same outputs', async () => {
    await expect.poll(() => statValue(page, 'Examples seen'), { timeout: 90_000 }).toBeGreaterThan(2000);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();

    const model = await download('Export ONNX');
    await expect.poll(() => snapshotStatus()).toMatch(/ONNX model exported \(\d+ KB\)/);
    const net = parseSnapshotText((await download('Save snapshot')).toString('utf8'));

    const test = loadMnist().test;
    const count = 50;
    const { sx, sy } = net.inputShape;
    const inputs = centerCropBatch(test, 0, count, sx, sy);
    const outputs = await runOrt(await ortSession(new Uint8Array(model)), inputs, [count, 1, sy, sx]);
    const engine = new Float32Array(count * 10);
    const x = new Volume(sx, sy, 1);
    for (let i = 0; i < count; i++) {
      x.w.set(inputs.subarray(i * sx * sy, (i + 1) * sx * sy));
      engine.set(net.forward(x, false).w, i * 10);
    }
    expect(maxAbsDifference(outputs, engine)).toBeLessThan(1e-5);

    // The same file loads back through the snapshot panel's file field.
    await page.getByLabel('Snapshot or ONNX file').setInputFiles({ name: 'net.onnx', mimeType: 'application/octet-stream', buffer: model });
    await expect.poll(() => snapshotStatus()).toContain('Loaded the ONNX model from net.onnx');
    expect(app.problems).toEqual([]);
  }, 180_000);
});
