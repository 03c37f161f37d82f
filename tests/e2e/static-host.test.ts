/**
 * End to end: the production build copied to a plain static host, the way a project page
 * (https://user.example/repo/) serves it: under a sub-path, with no COOP/COEP headers and
 * no CSP header (the <meta> tag in index.html carries the policy). With ?workers=2 the page
 * is not cross-origin isolated, so the two training workers talk over messages instead of
 * shared memory; it must still train, say so in the stats, and fetch every script, worker
 * and MNIST chunk from under the sub-path.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppHandle } from './app';
import { chromiumAvailable, statText, statValue } from './harness';
import { serveStatic, type StaticHost } from './static-host';

const SUB_PATH = '/repo/';

describe.skipIf(!chromiumAvailable())('the build on a plain static host, under a sub-path', () => {
  let app: AppHandle;
  let host: StaticHost;
  let page: Page;

  beforeAll(async () => {
    app = await startApp(async (outDir) => (host = await serveStatic(outDir, SUB_PATH)));
    page = await app.newPage('?workers=2');
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('trains with two message-passing workers and says why in the stats', async () => {
    expect(page.url()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${SUB_PATH}\\?workers=2$`));
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(false);
    // By the load event the page's own scripts and styles were fetched, from the sub-path.
    expect(host.notFound).toEqual([]);

    // Training starts on one thread; the second worker joins once it has the data.
    await expect
      .poll(() => statText(page, 'Training threads'), { timeout: 90_000 })
      .toBe('2 (messages: the page is not cross-origin isolated)');
    const first = (await statValue(page, 'Examples seen'))!;
    await expect.poll(() => statValue(page, 'Examples seen'), { timeout: 60_000 }).toBeGreaterThan(first);

    // Everything came from under the sub-path: the page, its workers, the MNIST chunks.
    expect(host.requests.filter((path) => !path.startsWith(SUB_PATH))).toEqual([]);
    expect(host.notFound).toEqual([]);
    const fetched = (pattern: RegExp) => host.requests.some((path) => pattern.test(path));
    expect(fetched(/^\/repo\/assets\/worker-[\w-]+\.js$/)).toBe(true);
    expect(fetched(/^\/repo\/assets\/replica-worker-[\w-]+\.js$/)).toBe(true);
    expect(fetched(/^\/repo\/mnist\/manifest\.json$/)).toBe(true);
    expect(fetched(/^\/repo\/mnist\/train-\d+\.bin$/)).toBe(true);

    // The <meta> policy allowed all of it: a refusal would be a console error ("Refused to ...").
    expect(app.problems).toEqual([]);
  }, 180_000);
});
