/**
 * Chaos, end to end in a real Chromium: the training worker dies mid-training and the page
 * recovers from the last checkpoint, keeping the chart; the page is reloaded mid-training
 * and the run comes back from the autosave (paused, with a banner) having lost at most
 * 10 s of training. Prints the measured recovery times.
 *
 * The worker is killed the way it dies in the wild, from the inside (`self.close()`, run in
 * the worker through Playwright): no 'error' event reaches the page, so only the page's
 * heartbeat can notice. Nothing in the app exists for this test.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from './harness';
import { startApp, type AppHandle } from './app';

const hasChromium = chromiumAvailable();
const AUTOSAVE_PERIOD_S = 10;

describe.skipIf(!hasChromium)('recovery in Chromium', () => {
  let app: AppHandle;
  const figures: Record<string, string> = {};

  beforeAll(async () => {
    app = await startApp();
  }, 120_000);

  afterAll(async () => {
    console.log(`\nRecovery times:\n${Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
    await app?.stop();
  });

  // Reading the page by region, label and role.
  async function examplesSeen(page: Page): Promise<number> {
    const stats = page.getByRole('region', { name: 'Training Stats' });
    const text = await stats.locator('dt', { hasText: 'Examples seen' }).locator('xpath=following-sibling::dd[1]').textContent();
    return Number((text ?? '').replace(/,/g, ''));
  }

  /** Points on the loss curve as drawn (0 before the line exists). */
  async function lossCurvePoints(page: Page): Promise<number> {
    return page.getByRole('region', { name: 'Loss', exact: true }).evaluate((region) => {
      const d = region.querySelector('path.recharts-line-curve')?.getAttribute('d') ?? '';
      return Math.floor((d.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).length / 2);
    });
  }

  async function waitFor<T>(page: Page, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!ok(value)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`);
      await page.waitForTimeout(100);
      value = await read();
    }
    return value;
  }

  async function trainingRuns(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Pause' }).waitFor({ state: 'visible', timeout: 60_000 });
    await waitFor(page, () => examplesSeen(page), (n) => n > 0, 60_000, 'training to start');
  }

  /** Reads examples seen every ~250 ms for `seconds`, with the time of each reading. */
  async function trainFor(page: Page, seconds: number): Promise<{ at: number; examples: number }[]> {
    const readings: { at: number; examples: number }[] = [];
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      readings.push({ at: Date.now(), examples: await examplesSeen(page) });
      await page.waitForTimeout(250);
    }
    return readings;
  }

  /** Seconds of training between the moment the page first showed `examples` and `until`. */
  function secondsSince(readings: { at: number; examples: number }[], examples: number, until: number): string {
    const reached = readings.find((r) => r.examples >= examples);
    return reached ? `${((until - reached.at) / 1000).toFixed(1)} s` : 'n/a';
  }

  function trainingWorker(page: Page): Worker {
    const worker = page.workers().find((w) => /worker/i.test(w.url()) && !/replica/i.test(w.url()));
    if (!worker) throw new Error(`no training worker among ${page.workers().map((w) => w.url()).join(', ') || 'none'}`);
    return worker;
  }

  it('a worker that dies mid-training: the page says so, and Restart training goes on from the last checkpoint with the chart kept', async () => {
    const page = await app.newPage();
    await trainingRuns(page);
    // Past one autosave period, so a checkpoint exists to go back to.
    const readings = await trainFor(page, AUTOSAVE_PERIOD_S + 3);
    const pointsBeforeKill = await lossCurvePoints(page);
    expect(pointsBeforeKill).toBeGreaterThan(2);

    const killedAt = Date.now();
    await trainingWorker(page)
      .evaluate(() => (self as unknown as { close(): void }).close())
      .catch(() => undefined); // the worker may be gone before it answers
    const fault = page.getByRole('alert').filter({ hasText: 'Training stopped' });
    await fault.waitFor({ timeout: 30_000 });
    const detectedAt = Date.now();
    expect(await fault.textContent()).toMatch(/stopped answering/);
    const examplesAtFault = await examplesSeen(page);

    await fault.getByRole('button', { name: 'Restart training' }).click();
    const clickedAt = Date.now();
    // At once: the statistics and the chart up to the checkpoint, not an empty run.
    const checkpointExamples = await examplesSeen(page);
    expect(checkpointExamples).toBeGreaterThan(0);
    expect(checkpointExamples).toBeLessThanOrEqual(examplesAtFault);
    // The checkpoint is at most one autosave period behind the kill (1 s of slack for the readings).
    const periodBeforeKill = readings.filter((r) => r.at <= killedAt - (AUTOSAVE_PERIOD_S + 1) * 1000).pop();
    expect(periodBeforeKill).toBeDefined();
    expect(checkpointExamples).toBeGreaterThanOrEqual(periodBeforeKill!.examples);
    expect(await lossCurvePoints(page)).toBeGreaterThan(2);

    // Training goes on from there, in a new worker.
    await waitFor(page, () => examplesSeen(page), (n) => n > checkpointExamples, 60_000, 'training to continue from the checkpoint');
    const resumedAt = Date.now();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'Training stopped' }).count()).toBe(0);
    expect(await lossCurvePoints(page)).toBeGreaterThanOrEqual(Math.min(pointsBeforeKill - 10, 3));

    figures['worker killed -> fault shown'] = `${detectedAt - killedAt} ms`;
    figures['Restart training -> training again'] = `${resumedAt - clickedAt} ms`;
    figures['examples lost to the kill'] = `${examplesAtFault - checkpointExamples} (checkpoint at ${checkpointExamples}, ${readings[readings.length - 1].examples} seen just before the kill)`;
    figures['checkpoint age at the kill'] = secondsSince(readings, checkpointExamples, killedAt);
    expect(app.problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('a reload mid-training: the run comes back paused from the autosave, at most 10 s of training lost; Resume goes on', async () => {
    const page = await app.newPage();
    await trainingRuns(page);
    const readings = await trainFor(page, AUTOSAVE_PERIOD_S + 4);
    const reloadAt = Date.now();
    const beforeReload = await examplesSeen(page);
    await page.reload();
    const banner = page.getByRole('region', { name: 'Autosave' });
    await banner.waitFor({ timeout: 30_000 });
    const bannerAt = Date.now();
    const message = (await banner.getByRole('status').textContent()) ?? '';
    const match = /Resumed from autosave at ([\d,]+) examples\./.exec(message);
    expect(match, message).not.toBeNull();
    const resumedFrom = Number(match![1].replace(/,/g, ''));

    // Within 10 s of training before the reload (readings every 250 ms: one reading of slack).
    const tenSecondsBefore = [...readings].reverse().find((r) => r.at <= reloadAt - AUTOSAVE_PERIOD_S * 1000 - 250);
    expect(tenSecondsBefore).toBeDefined();
    expect(resumedFrom).toBeGreaterThanOrEqual(tenSecondsBefore!.examples);
    expect(resumedFrom).toBeLessThanOrEqual(beforeReload + 200);

    // Paused, with the statistics and the chart back.
    expect(await examplesSeen(page)).toBe(resumedFrom);
    await page.getByRole('button', { name: 'Resume' }).first().waitFor();
    await page.waitForTimeout(1500);
    expect(await examplesSeen(page)).toBe(resumedFrom);
    expect(await lossCurvePoints(page)).toBeGreaterThan(2);

    await banner.getByRole('button', { name: 'Resume' }).click();
    const resumeClickedAt = Date.now();
    await waitFor(page, () => examplesSeen(page), (n) => n > resumedFrom, 60_000, 'training to go on after Resume');
    const trainingAgainAt = Date.now();
    expect(await banner.count()).toBe(0);

    // Start fresh, after another reload, forgets the saved run: training starts over.
    await trainFor(page, 2);
    await page.reload();
    await banner.waitFor({ timeout: 30_000 });
    await banner.getByRole('button', { name: 'Start fresh' }).click();
    await waitFor(page, () => examplesSeen(page), (n) => n > 0 && n < resumedFrom, 60_000, 'a fresh run to train');
    expect(await banner.count()).toBe(0);

    figures['reload -> banner shown'] = `${bannerAt - reloadAt} ms`;
    figures['Resume -> training again'] = `${trainingAgainAt - resumeClickedAt} ms`;
    figures['examples lost to the reload'] = `${beforeReload - resumedFrom} (resumed at ${resumedFrom})`;
    figures['training lost to the reload'] = secondsSince(readings, resumedFrom, reloadAt);
    expect(app.problems).toEqual([]);
    await page.context().close();
  }, 180_000);
});
