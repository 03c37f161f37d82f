/**
 * End to end, in a real Chromium on one touch page resized through a phone (390x844), a
 * tablet (1024x768) and a desktop (1440x1000): nothing off screen, the inspector's Close
 * reachable and tappable, chart labels apart, and the rough edges people hit fixed where
 * only a real layout shows them (a folding section, button heights, wrapping code,
 * placeholders that fit, a toggle's pressed look). Screenshots of the main page and the
 * inspector at each width go to artifacts/layout-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type AppHandle } from './app';
import { chromiumAvailable, PROJECT_ROOT, statValue } from './harness';

const ARTIFACTS = join(PROJECT_ROOT, 'artifacts');
const PHONE = { width: 390, height: 844 };
const TABLET = { width: 1024, height: 768 };
const DESKTOP = { width: 1440, height: 1000 };

/** Visible buttons whose box reaches past the viewport's left or right edge, by name and box. */
async function buttonsOffScreen(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('button'))
      .filter((b) => {
        const box = b.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && (box.left < 0 || box.right > window.innerWidth);
      })
      .map((b) => {
        const box = b.getBoundingClientRect();
        return `${(b.getAttribute('aria-label') ?? b.textContent ?? '').trim()} (${Math.round(box.left)} to ${Math.round(box.right)})`;
      }),
  );
}

/**
 * Elements that reach past the right edge of the card they are in, where the card would cut
 * them off (cards contain their paint), unless a box between them scrolls sideways.
 */
async function cutOffByCards(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const cut: string[] = [];
    for (const card of document.querySelectorAll('.card')) {
      const edge = card.getBoundingClientRect().right;
      for (const el of card.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= edge + 1) continue;
        let scrolls = false;
        for (let up = el.parentElement; up && up !== card; up = up.parentElement) {
          if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) scrolls = true;
        }
        if (!scrolls) cut.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} in ${card.querySelector('h2')?.textContent ?? 'a card'}`);
      }
    }
    return cut.slice(0, 10);
  });
}

/**
 * Pairs of neighbouring x-axis labels that overlap, in every chart under `scope`. (Recharts
 * draws the labels in a group of their own, not inside the axis's group.)
 */
async function overlappingAxisLabels(scope: Locator): Promise<string[]> {
  return scope.evaluate((root) => {
    const clashes: string[] = [];
    for (const axis of Array.from(root.querySelectorAll('g')).filter((g) => g.classList.contains('recharts-xAxis-tick-labels'))) {
      const labels = Array.from(axis.querySelectorAll('.recharts-cartesian-axis-tick-value'))
        .map((label) => ({ text: label.textContent ?? '', box: label.getBoundingClientRect() }))
        .sort((a, b) => a.box.left - b.box.left);
      for (let i = 1; i < labels.length; i++) {
        if (labels[i]!.box.left < labels[i - 1]!.box.right) clashes.push(`${labels[i - 1]!.text} / ${labels[i]!.text}`);
      }
    }
    return clashes;
  });
}

async function axisLabelCount(scope: Locator): Promise<number> {
  return scope.evaluate((root) =>
    Array.from(root.querySelectorAll('g'))
      .filter((g) => g.classList.contains('recharts-xAxis-tick-labels'))
      .reduce((n, axis) => n + axis.querySelectorAll('.recharts-cartesian-axis-tick-value').length, 0),
  );
}

describe.skipIf(!chromiumAvailable())('the dashboard on a phone, a tablet and a desktop', () => {
  let app: AppHandle;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await startApp();
    page = await app.newPage('?workers=1', { viewport: PHONE, hasTouch: true });
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 60_000 });
    // Enough training for both charts to have a few labelled points.
    await vi.waitFor(async () => expect((await statValue(page, 'Examples seen')) ?? 0).toBeGreaterThan(3_000), { timeout: 60_000, interval: 500 });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  it.each([
    ['390', PHONE],
    ['1024', TABLET],
    ['1440', DESKTOP],
  ])('at %s px: every button on screen, chart labels apart, the inspector closed by a tap', async (name, size) => {
    await page.setViewportSize(size);
    // The charts draw only while on screen.
    for (const name of ['Loss', 'Accuracy']) {
      const card = page.getByRole('region', { name, exact: true });
      await card.scrollIntoViewIfNeeded();
      await expect.poll(() => axisLabelCount(card), { timeout: 15_000 }).toBeGreaterThan(1);
      expect(await overlappingAxisLabels(card)).toEqual([]);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await buttonsOffScreen(page)).toEqual([]);
    expect(await cutOffByCards(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await page.screenshot({ path: join(ARTIFACTS, `layout-main-${name}.png`), fullPage: true });

    await page.getByRole('button', { name: 'Inspect layer 4: conv (12x12x16)' }).click();
    const inspector = page.getByRole('region', { name: 'Layer inspector' });
    await inspector.locator('.inspector-channel').first().waitFor({ timeout: 15_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await buttonsOffScreen(page)).toEqual([]);
    expect(await cutOffByCards(page)).toEqual([]);
    // The value read-out and the frozen toggle are inside the card, not cut off by it.
    const card = (await inspector.boundingBox())!;
    for (const part of [inspector.locator('.inspector-readout'), inspector.getByRole('button', { name: 'Freeze example' })]) {
      const box = (await part.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(card.x);
      expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width);
    }
    // Wider than a phone, the channel figures fill rows of at least two (no wide empty gap).
    if (size.width >= 1000) {
      const tops = await inspector.locator('.inspector-channel').evaluateAll((figures) => figures.slice(0, 2).map((f) => f.getBoundingClientRect().top));
      expect(tops[0]).toBe(tops[1]);
    }
    await inspector.screenshot({ path: join(ARTIFACTS, `layout-inspector-${name}.png`) });
    await inspector.getByRole('button', { name: 'Close' }).tap();
    await inspector.waitFor({ state: 'detached' });
  }, 60_000);

  it('at 390 px: the code box wraps long lines, and the form’s placeholders fit their boxes', async () => {
    await page.setViewportSize(PHONE);
    const editor = page.getByRole('region', { name: 'Instantiate a Network and Trainer' });
    const code = editor.getByLabel('Network definition');
    expect(await code.evaluate((box) => box.scrollWidth <= box.clientWidth)).toBe(true);

    await editor.getByRole('tab', { name: 'Form' }).click();
    const cutOff = await editor.evaluate((root) => {
      const measure = document.createElement('canvas').getContext('2d')!;
      return Array.from(root.querySelectorAll<HTMLInputElement>('input[placeholder]'))
        .filter((input) => input.placeholder !== '' && input.offsetWidth > 0)
        .filter((input) => {
          const style = getComputedStyle(input);
          measure.font = `${style.fontSize} ${style.fontFamily}`;
          const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return measure.measureText(input.placeholder).width > room;
        })
        .map((input) => `${input.id}: ${input.placeholder}`);
    });
    expect(cutOff).toEqual([]);
    await editor.getByRole('tab', { name: 'Code' }).click();
  });

  it('folds Compare trainers when hidden, and keeps its Remove buttons button-sized', async () => {
    await page.setViewportSize(TABLET);
    const region = page.getByRole('region', { name: 'Compare trainers' });
    await region.getByRole('button', { name: 'Show comparison' }).click();
    const add = region.getByRole('button', { name: 'Add trainer' });
    await add.waitFor();
    await add.click();
    // Trainer 3 (adam) has more fields than trainer 1 beside it: its row is taller.
    const heights = await region.getByRole('button', { name: /^Remove Trainer/ }).evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().height));
    expect(heights).toHaveLength(3);
    for (const height of heights) expect(height).toBeLessThan(48);

    await region.getByRole('button', { name: 'Hide comparison' }).click();
    expect(await add.isVisible()).toBe(false);
    expect(await region.getByRole('group', { name: 'Trainer 1' }).isVisible()).toBe(false);
  });

  it('shows Freeze example pressed, not only in its aria-pressed', async () => {
    await page.setViewportSize(DESKTOP);
    await page.getByRole('button', { name: 'Inspect layer 1: conv (24x24x8)' }).click();
    const toggle = page.getByRole('button', { name: 'Freeze example' });
    const look = () => toggle.evaluate((b) => `${getComputedStyle(b).backgroundColor} ${getComputedStyle(b).borderColor}`);
    const off = await look();
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await look()).not.toBe(off);
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
    await page.getByRole('button', { name: 'Close' }).click();
    expect(app.problems).toEqual([]);
  });
});
