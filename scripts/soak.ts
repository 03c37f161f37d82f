/**
 * Memory soak: trains in headless Chromium for a long time with every live panel on screen
 * (the network view, the layer inspector, the predictions grid) and watches for leaks.
 * The page opens at ?layer=1; the inspector and the network view share a place on the
 * page, so they take turns, half of each sampling interval each.
 *
 *   npm run soak                               # 30 minutes, a sample every minute
 *   npm run soak -- --minutes 3 --every-seconds 20
 *   npm run soak -- --warmup-minutes 5         # samples before this are not judged
 *
 * Each sample first forces a full garbage collection (CDP HeapProfiler.collectGarbage) in
 * the page and in each training worker, then reads the live JS heap (Runtime.getHeapUsage)
 * of the page and of the workers, the page's DOM element count, and CDP's node count
 * (which also counts detached nodes something still holds). It prints the series as a
 * table and as one JSON line, and judges it: from the start of the judged stretch (after
 * the warm-up) to its end (medians of three samples at each end), the page heap and the
 * worker heap each grow under 10%, and the DOM stays flat (elements and nodes under 5%).
 * The exit status is 1 when a judgement fails.
 *
 * The production build is made into a temporary directory and served by `vite preview`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { buildApp, chromiumAvailable, missingChromiumAdvice, launchChromium, startPreview, statValue } from '../tests/e2e/harness';
import { parseScriptOptions } from './lib/script-options';

interface Options {
  minutes: number;
  everySeconds: number;
  warmupMinutes: number;
  /** Serve this existing build instead of building (for iterating on the script). */
  buildDir: string | null;
}

/** Clicks and waits on a busy machine (other processes share the cores) may take long. */
const UI_TIMEOUT_MS = 120_000;
/** Heap growth allowed after the warm-up, as a fraction. */
const MAX_HEAP_GROWTH = 0.1;
/**
 * "Flat" DOM: the panels' content varies from update to update (the predictions grid,
 * histograms), by a few percent either way; a leak grows without bound.
 */
const MAX_DOM_GROWTH = 0.05;

function parseOptions(argv: string[]): Options {
  const { numbers, strings } = parseScriptOptions(
    argv,
    {
      numbers: { minutes: { min: 0, exclusive: true }, 'every-seconds': { min: 0, exclusive: true }, 'warmup-minutes': { min: 0 } },
      strings: ['build-dir'],
    },
    'scripts/soak.ts',
  );
  return {
    minutes: numbers.minutes ?? 30,
    everySeconds: numbers['every-seconds'] ?? 60,
    warmupMinutes: numbers['warmup-minutes'] ?? 5,
    buildDir: strings['build-dir'] ?? null,
  };
}

interface Sample {
  /** Seconds since training was first seen running. */
  seconds: number;
  examplesSeen: number;
  /** Live JS heap of the page after a full GC, bytes. */
  pageHeap: number;
  /** Live JS heap of all training workers after a full GC, bytes (null if none could be read). */
  workerHeap: number | null;
  workers: number;
  /** document.getElementsByTagName('*').length */
  domElements: number;
  /** CDP Performance.getMetrics "Nodes": every DOM node alive, attached or not. */
  domNodes: number;
  /** CDP "JSEventListeners". */
  listeners: number;
}

/**
 * The dedicated workers of a page, reached through the page's CDP session: auto-attach
 * (non-flattened) hands out a session id per worker, and commands travel wrapped in
 * Target.sendMessageToTarget. Playwright gives no CDP session for a worker itself.
 */
class WorkerProbe {
  private readonly workers = new Map<string, string>(); // sessionId -> url
  private readonly pending = new Map<number, (result: unknown) => void>();
  private nextId = 1;

  constructor(private readonly cdp: CDPSession) {
    cdp.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type !== 'worker') return;
      this.workers.set(event.sessionId, event.targetInfo.url);
      console.log(`  (worker attached: ${event.targetInfo.url})`);
    });
    cdp.on('Target.detachedFromTarget', (event) => {
      if (event.sessionId) this.workers.delete(event.sessionId);
    });
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: unknown };
      const resolve = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!resolve) return;
      this.pending.delete(message.id!);
      resolve(message.error ? null : message.result);
    });
  }

  async start(): Promise<void> {
    await this.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  }

  get count(): number {
    return this.workers.size;
  }

  private call(sessionId: string, method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, 30_000);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(null);
      });
    });
  }

  /** Sum of the workers' live heaps after a full GC in each, or null when none answered. */
  async heapAfterGc(): Promise<number | null> {
    let total = 0;
    let answered = 0;
    for (const sessionId of this.workers.keys()) {
      await this.call(sessionId, 'HeapProfiler.collectGarbage');
      const usage = (await this.call(sessionId, 'Runtime.getHeapUsage')) as { usedSize: number } | null;
      if (usage) {
        total += usage.usedSize;
        answered++;
      }
    }
    return answered > 0 ? total : null;
  }
}

async function showNetworkView(page: Page): Promise<void> {
  // A click through the DOM: the inspector's buttons push history entries, and Playwright's
  // own click can then wait a long time for a "navigation" that never comes.
  await page
    .getByRole('region', { name: 'Layer inspector' })
    .getByRole('button', { name: 'Close' })
    .evaluate((button: HTMLElement) => button.click(), undefined, { timeout: UI_TIMEOUT_MS });
  await page.getByRole('region', { name: 'Network Visualization' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
}

async function openInspector(page: Page): Promise<void> {
  await page
    .getByRole('button', { name: /^Inspect layer 1:/ })
    .evaluate((button: HTMLElement) => button.click(), undefined, { timeout: UI_TIMEOUT_MS });
  await page.getByRole('heading', { name: /^Layer 1/ }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
}

async function takeSample(page: Page, cdp: CDPSession, workers: WorkerProbe, startedAt: number): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const workerHeap = await workers.heapAfterGc();
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  const domElements = await page.evaluate(() => document.getElementsByTagName('*').length);
  return {
    seconds: Math.round((Date.now() - startedAt) / 1000),
    examplesSeen: (await statValue(page, 'Examples seen')) ?? 0,
    pageHeap: heap.usedSize,
    workerHeap,
    workers: workers.count,
    domElements,
    domNodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
  };
}

const mb = (bytes: number | null): string => (bytes === null ? '–' : (bytes / 1024 / 1024).toFixed(2));

function printTable(samples: Sample[]): void {
  const header = ['t (s)', 'examples', 'page heap MB', 'worker heap MB', 'workers', 'elements', 'nodes', 'listeners'];
  const rows = samples.map((s) => [
    String(s.seconds),
    String(s.examplesSeen),
    mb(s.pageHeap),
    mb(s.workerHeap),
    String(s.workers),
    String(s.domElements),
    String(s.domNodes),
    String(s.listeners),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

interface Verdict {
  name: string;
  ok: boolean;
  detail: string;
}

function judge(samples: Sample[], warmupSeconds: number): Verdict[] {
  const judged = samples.filter((s) => s.seconds >= warmupSeconds);
  if (judged.length < 2) {
    return [{ name: 'enough samples', ok: false, detail: `only ${judged.length} sample(s) after the warm-up; run longer or sample more often` }];
  }
  // Each end is the median of up to three samples, so one sample taken while a burst of
  // work was in flight (an evaluation, a grid refill) does not decide the verdict.
  const ends = Math.min(3, Math.floor(judged.length / 2)) || 1;
  const head = judged.slice(0, ends);
  const tail = judged.slice(-ends);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const span = `samples at ${head.map((s) => s.seconds).join('/')} s vs ${tail.map((s) => s.seconds).join('/')} s`;
  const verdicts: Verdict[] = [];
  const compare = (name: string, read: (s: Sample) => number, limit: number, show: (v: number) => string) => {
    const first = median(head.map(read));
    const last = median(tail.map(read));
    const growth = (last - first) / first;
    verdicts.push({
      name,
      ok: growth < limit,
      detail: `${show(first)} -> ${show(last)} (${(growth * 100).toFixed(1)}%, limit ${(limit * 100).toFixed(0)}%; medians of ${span})`,
    });
  };
  compare('page heap', (s) => s.pageHeap, MAX_HEAP_GROWTH, (v) => `${mb(v)} MB`);
  if (judged.every((s) => s.workerHeap !== null)) {
    compare('worker heap', (s) => s.workerHeap!, MAX_HEAP_GROWTH, (v) => `${mb(v)} MB`);
  }
  compare('DOM elements', (s) => s.domElements, MAX_DOM_GROWTH, String);
  compare('DOM nodes (incl. detached)', (s) => s.domNodes, MAX_DOM_GROWTH, String);
  const first = judged[0];
  const last = judged[judged.length - 1];
  verdicts.push({
    name: 'training ran',
    ok: last.examplesSeen > first.examplesSeen,
    detail: `${first.examplesSeen} -> ${last.examplesSeen} examples`,
  });
  return verdicts;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!chromiumAvailable()) throw new Error(missingChromiumAdvice());
  const durationSeconds = options.minutes * 60;
  let warmupSeconds = options.warmupMinutes * 60;
  if (warmupSeconds >= durationSeconds) {
    // A short check run: judge its last two thirds rather than nothing.
    warmupSeconds = Math.round(durationSeconds / 3);
    console.log(`the run is not longer than the warm-up; judging from ${warmupSeconds} s instead`);
  }

  let tempDir: string | null = null;
  let outDir = options.buildDir;
  if (!outDir) {
    tempDir = mkdtempSync(join(tmpdir(), 'mnist-dashboard-soak-'));
    outDir = tempDir;
    console.log('building the app (vite build) ...');
    await buildApp(outDir);
  }
  const server = await startPreview(outDir);
  const browser = await launchChromium();
  const problems: string[] = [];
  let failed = false;
  try {
    // Tall enough that the network view, the inspector and the predictions grid are all
    // laid out and painted, as on a big monitor.
    const context = await browser.newContext({ viewport: { width: 1400, height: 4400 } });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('crash', () => problems.push('page crashed'));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const workers = new WorkerProbe(cdp);
    await workers.start();
    await page.goto(new URL('?layer=1', server.url).href);
    await page.getByRole('button', { name: 'Pause' }).waitFor({ state: 'visible', timeout: 120_000 });
    await page.getByRole('heading', { name: /^Layer 1/ }).waitFor({ state: 'visible' });
    await page.getByRole('region', { name: 'Example predictions on Test set' }).waitFor({ state: 'visible' });
    const startedAt = Date.now();
    console.log(
      `training; sampling every ${options.everySeconds} s for ${options.minutes} min on ${cpus().length} cores ` +
        `(load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`,
    );
    const samples: Sample[] = [];
    const waitUntil = async (secondsAfterStart: number) => {
      const wait = startedAt + secondsAfterStart * 1000 - Date.now();
      if (wait > 0) await page.waitForTimeout(wait);
    };
    for (let next = 0; next <= durationSeconds; next += options.everySeconds) {
      if (next > 0) {
        // The inspector takes the network view's place, so the two take turns: the
        // network view for the first half of each interval, the inspector (where the
        // samples are taken, always in the same layout) for the second. Opening and
        // closing them also tests that unmounting frees what they held.
        await showNetworkView(page);
        await waitUntil(next - options.everySeconds / 2);
        await openInspector(page);
      }
      await waitUntil(next);
      const sample = await takeSample(page, cdp, workers, startedAt);
      samples.push(sample);
      console.log(
        `  t=${sample.seconds} s: ${sample.examplesSeen} examples, page heap ${mb(sample.pageHeap)} MB, ` +
          `worker heap ${mb(sample.workerHeap)} MB, ${sample.domElements} elements, ${sample.domNodes} nodes`,
      );
    }
    console.log('');
    printTable(samples);
    const verdicts = judge(samples, warmupSeconds);
    console.log('');
    for (const v of verdicts) console.log(`${v.ok ? 'PASS' : 'FAIL'} ${v.name}: ${v.detail}`);
    if (problems.length > 0) console.log(`page problems:\n  ${problems.slice(0, 20).join('\n  ')}`);
    failed = verdicts.some((v) => !v.ok) || problems.length > 0;
    console.log(
      JSON.stringify({
        minutes: options.minutes,
        everySeconds: options.everySeconds,
        warmupSeconds,
        cores: cpus().length,
        samples,
        verdicts,
        problems,
        ok: !failed,
      }),
    );
  } finally {
    await browser.close();
    await server.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
  if (failed) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
