/**
 * Serving the production build and driving Chromium, for the end-to-end suite and the
 * browser scripts: `vite build` into a temporary directory, `vite preview` on a free port,
 * and playwright-core launching the Chromium that chromium.ts finds, headless.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export { chromiumAvailable, launchChromium, missingChromiumAdvice } from './chromium';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VITE_BIN = join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js');

/**
 * The environment for child Vite processes: without Vitest's variables, so the build is
 * a real production build and the data plugin prepares the MNIST chunks as `npm run build` would.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST') continue;
    env[key] = value;
  }
  return env;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [VITE_BIN, ...args], { cwd: PROJECT_ROOT, env: buildEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`vite ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

export async function buildApp(outDir: string): Promise<void> {
  await run(['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']);
}

async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

export interface PreviewServer {
  url: string;
  stop(): Promise<void>;
}

/** `vite preview` of outDir on a free local port; resolves once it answers. */
export async function startPreview(outDir: string): Promise<PreviewServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child: ChildProcess = spawn(
    process.execPath,
    [VITE_BIN, 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: PROJECT_ROOT, env: buildEnv(), stdio: 'ignore' },
  );
  const stop = () =>
    new Promise<void>((resolvePromise) => {
      if (child.exitCode !== null) return resolvePromise();
      child.once('exit', () => resolvePromise());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vite preview did not answer on ${url} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop };
}

/**
 * Installed before any page script: records every main-thread long task (> 50 ms) with
 * its start and duration, so a test can judge them by time window.
 */
export const LONG_TASK_RECORDER = `
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    window.__longTasksUnsupported = String(e);
  }
`;

export interface LongTask {
  start: number;
  duration: number;
}

/** What the Training Stats panel shows for `label`, e.g. '12,345' or '2 (messages)'. */
export async function statText(page: Page, label: string): Promise<string> {
  const text = await page
    .getByRole('region', { name: 'Training Stats' })
    .locator('dt', { hasText: label })
    .locator('xpath=following-sibling::dd[1]')
    .textContent();
  return text ?? '';
}

/** A number shown by the Training Stats panel ('12,345' -> 12345), or null while it shows '–'. */
export async function statValue(page: Page, label: string): Promise<number | null> {
  const digits = (await statText(page, label)).replace(/[^0-9.]/g, '');
  return digits === '' ? null : Number(digits);
}
