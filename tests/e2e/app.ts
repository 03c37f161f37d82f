/**
 * One served dashboard for an e2e file: the build made once by global-setup.ts, served by
 * its own `vite preview` (or by the server the file passes in), and a headless Chromium.
 * Pages opened with `newPage` record console errors and warnings, page errors and crashes
 * into `problems`, so a file can assert that its scenario ran clean.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { inject } from 'vitest';
import { launchChromium, LONG_TASK_RECORDER, startPreview, type PreviewServer } from './harness';

export interface AppHandle {
  /** The server's base URL, ending in '/' (and in the sub-path, if any). */
  url: string;
  browser: Browser;
  /** A page in a fresh browser context, opened at `pathAndQuery` (e.g. '?layer=1') and loaded. */
  newPage(pathAndQuery?: string, options?: BrowserContextOptions): Promise<Page>;
  problems: string[];
  stop(): Promise<void>;
}

export async function startApp(serve: (outDir: string) => Promise<PreviewServer> = startPreview): Promise<AppHandle> {
  const outDir = inject('e2eOutDir');
  if (!outDir) throw new Error('e2e: no production build to serve, because no Chromium was found to test it in');
  const server = await serve(outDir);
  const browser = await launchChromium();
  const problems: string[] = [];
  return {
    url: server.url,
    browser,
    problems,
    async newPage(pathAndQuery = '', options = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
      await context.addInitScript(LONG_TASK_RECORDER);
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          problems.push(`console ${message.type()}: ${message.text()} (${message.location().url})`);
        }
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('crash', () => problems.push('page crashed'));
      await page.goto(new URL(pathAndQuery, server.url).href);
      return page;
    },
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}
