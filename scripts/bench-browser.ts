/**
 * The dashboard's training speed and time to accuracy in headless Chromium, measured the
 * way a person would see them: the production build served by `vite preview`, the real
 * worker(s), the real MNIST chunks, figures read off the page.
 *
 *   npm run bench:browser                      # 1 and 2 workers, then time to 99% with 2 (max 90 s of training), 3 runs
 *   npm run bench:browser -- --accuracy-runs 5 # time to 99% in 5 runs (each a fresh page, so a fresh seed)
 *   npm run bench:browser -- --max-seconds 180 --target 0.99 --window 6 --rounds 4 --workers 1,2
 *   npm run bench:browser -- --skip-accuracy    # throughput only
 *   npm run bench:browser -- --skip-throughput  # time to accuracy (and evaluation time) only
 *   npm run bench:browser -- --rebuild          # build even when dist/ looks fresh
 *
 * Throughput: one page per worker count, all open at once; after a warm-up each trains in
 * turn (Resume, `--window` seconds, Pause) for `--rounds` rounds, and the examples seen
 * (Training Stats) over each window give its rate. The speed-up is the median of the
 * rounds' ratios. Time to accuracy: the dashboard's "Evaluate on full test set" is
 * pressed after `--first-eval` seconds of training and then every `--eval-every` seconds
 * of training; the time reported is the training time at which the evaluated weights were
 * copied (the press). Training time is the wall time since the first example minus the
 * evaluations' wall time as seen from this script (press to result, round trips included):
 * an evaluation has the workers first and training waits for it
 * (TrainingStats.trainingSeconds counts the same in the session), so this slightly
 * undercounts training, never overcounts it. Each evaluation's time in the page (the press
 * to the new result on screen, timed by the page) is the full-test evaluation time reported.
 * How many examples a run needs for 99% moves much more than its speed (from 244,000 to
 * 677,000 in five runs in session 8), so time to accuracy is measured `--accuracy-runs`
 * times, each in a fresh page with its own random seed, and the median is the figure.
 * The load average is printed, since other processes on the machine slow every figure.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  buildApp,
  chromiumAvailable,
  missingChromiumAdvice,
  launchChromium,
  LONG_TASK_RECORDER,
  PROJECT_ROOT,
  startPreview,
  statValue,
  type LongTask,
} from '../tests/e2e/harness';
import { parseScriptOptions } from './lib/script-options';
import { median } from './lib/median';

interface Options {
  workers: number[];
  maxSeconds: number;
  target: number;
  warmupSeconds: number;
  windowSeconds: number;
  rounds: number;
  firstEvalSeconds: number;
  evalEverySeconds: number;
  accuracyWorkers: number | null;
  accuracyRuns: number;
  skipAccuracy: boolean;
  skipThroughput: boolean;
  rebuild: boolean;
}

function parseOptions(argv: string[]): Options {
  const { numbers, strings, flags } = parseScriptOptions(
    argv,
    {
      numbers: {
        'max-seconds': { min: 0 },
        target: { min: 0 },
        warmup: { min: 0 },
        window: { min: 0 },
        rounds: { min: 1 },
        'first-eval': { min: 0 },
        'eval-every': { min: 0 },
        'accuracy-workers': { min: 1 },
        'accuracy-runs': { min: 1 },
      },
      strings: ['workers'],
      flags: ['skip-accuracy', 'skip-throughput', 'rebuild'],
    },
    'scripts/bench-browser.ts',
  );
  const workers = strings.workers === undefined ? [1, 2] : strings.workers.split(',').map(Number);
  if (workers.length === 0 || workers.some((w) => !(Number.isInteger(w) && w >= 1))) {
    throw new Error(`--workers takes worker counts separated by commas, e.g. 1,2 or 1,2,4; got '${strings.workers}'`);
  }
  return {
    workers,
    maxSeconds: numbers['max-seconds'] ?? 90,
    target: numbers.target ?? 0.99,
    warmupSeconds: numbers.warmup ?? 5,
    windowSeconds: numbers.window ?? 6,
    rounds: numbers.rounds ?? 4,
    firstEvalSeconds: numbers['first-eval'] ?? 8,
    evalEverySeconds: numbers['eval-every'] ?? 3,
    accuracyWorkers: numbers['accuracy-workers'] ?? null,
    accuracyRuns: numbers['accuracy-runs'] ?? 3,
    skipAccuracy: flags['skip-accuracy'],
    skipThroughput: flags['skip-throughput'],
    rebuild: flags.rebuild,
  };
}

/** Newest modification time under `path` (a file or a directory tree), ms. */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** dist/ is fresh when its index.html is newer than every input of the build. */
function distIsFresh(distDir: string): boolean {
  const built = newestMtime(join(distDir, 'index.html'));
  if (built === 0) return false;
  const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json', 'scripts/vite-plugin-mnist.ts', 'scripts/vite-plugin-csp.ts'];
  return inputs.every((p) => newestMtime(join(PROJECT_ROOT, p)) < built);
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function openDashboard(browser: Browser, url: string, workers: number): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(LONG_TASK_RECORDER);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}?workers=${workers}`);
  return {
    page,
    close: async () => {
      if (errors.length > 0) console.log(`  page errors: ${errors.join('; ')}`);
      await context.close();
    },
  };
}

/** Waits until training runs (examples seen > 0); returns Date.now() at that moment. */
async function waitForTraining(page: Page): Promise<number> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const seen = await statValue(page, 'Examples seen');
    if (seen !== null && seen > 0) return Date.now();
    await page.waitForTimeout(100);
  }
  throw new Error('training did not start within 120 s');
}

/** Waits until every MNIST chunk is in (the loading bar is gone): a second worker joins only then. */
async function waitForData(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('.stats-card') !== null && document.getElementById('data-progress-bar') === null, null, {
    timeout: 120_000,
    polling: 100,
  });
}

interface Throughput {
  workers: number;
  examplesPerSecond: number;
  examples: number;
  seconds: number;
  load: string;
  /** The page's own account: "1", "2 (shared memory)" or "2 (messages)". */
  trainingThreads: string;
  /** Fraction of the window the page's main thread was busy (rendering the dashboard): CPU the workers cannot have. */
  mainThreadBusy: number;
  /** Main-thread tasks over 50 ms during the window: how many, and the longest (ms). */
  longTasks: { count: number; longestMs: number };
  /** JS memory by context at the end of the window (MB), or null where the browser cannot tell. */
  memoryMB: { page: number; workers: number; total: number } | null;
}

/** performance.measureUserAgentSpecificMemory's answer (cross-origin isolated pages only). */
interface MemoryBreakdown {
  bytes: number;
  breakdown: { bytes: number; attribution: { scope?: string }[] }[];
}

/**
 * The page's and its workers' JS memory, as Chromium attributes it. Needs cross-origin
 * isolation, which the app's server provides; null if unavailable.
 */
async function memoryByContext(page: Page): Promise<Throughput['memoryMB']> {
  const result = await page.evaluate(async () => {
    const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<unknown> }).measureUserAgentSpecificMemory;
    if (!self.crossOriginIsolated || !measure) return null;
    // Some Chromium builds have the method but refuse it (SecurityError, e.g. the headless
    // shell of @sparticuz/chromium): the figure is then unknown, not a failed bench.
    try {
      return (await measure.call(performance)) as unknown;
    } catch {
      return null;
    }
  });
  if (!result) return null;
  const memory = result as MemoryBreakdown;
  let workers = 0;
  let pageBytes = 0;
  for (const entry of memory.breakdown) {
    if (entry.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope')) workers += entry.bytes;
    else pageBytes += entry.bytes;
  }
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return { page: mb(pageBytes), workers: mb(workers), total: mb(memory.bytes) };
}

async function statText(page: Page, label: string): Promise<string> {
  const dd = page.locator('.stats-card dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  return (await dd.count()) === 0 ? '' : ((await dd.textContent()) ?? '');
}

/** One dashboard page training with a given worker count, and what its windows measured. */
interface Contender {
  workers: number;
  page: Page;
  close(): Promise<void>;
  taskSeconds(): Promise<number>;
  /** Examples/s of each window, in order. */
  rates: number[];
  examples: number;
  seconds: number;
  busySeconds: number;
  longTasks: LongTask[];
}

/** Long tasks in the first moment after Resume belong to the press (see trainWindow). */
const RESUME_SETTLE_MS = 1000;

/** Presses Pause or Resume in the Training Stats card and waits for the other button to show. */
async function setTraining(page: Page, running: boolean): Promise<void> {
  const stats = page.getByRole('region', { name: 'Training Stats' });
  await stats.getByRole('button', { name: running ? 'Resume' : 'Pause', exact: true }).click();
  await stats.getByRole('button', { name: running ? 'Pause' : 'Resume', exact: true }).waitFor();
}

async function openContender(browser: Browser, url: string, workers: number, options: Options): Promise<Contender> {
  const { page, close } = await openDashboard(browser, url, workers);
  await waitForTraining(page);
  await waitForData(page);
  await page.waitForTimeout(options.warmupSeconds * 1000);
  await setTraining(page, false);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  return { workers, page, close, taskSeconds, rates: [], examples: 0, seconds: 0, busySeconds: 0, longTasks: [] };
}

/**
 * One window: resume every page of `group` at once, train `seconds`, pause them; each
 * page's examples counted between its two presses. Recorded into the contenders'
 * figures when `record` (a solo window), else only returned (the control's).
 */
async function trainWindow(group: Contender[], seconds: number, record = true): Promise<number[]> {
  const before = await Promise.all(
    group.map(async (c) => ({
      seen: (await statValue(c.page, 'Examples seen')) ?? 0,
      task: await c.taskSeconds(),
    })),
  );
  const startAt = Date.now();
  await Promise.all(group.map((c) => setTraining(c.page, true)));
  // Long tasks are counted while training runs steadily: from a second after Resume (the
  // charts' first redraw after a pause, ~55 ms of recharts, is the press's, not training's).
  const trainingFrom = await Promise.all(group.map((c) => c.page.evaluate((settle) => performance.now() + settle, RESUME_SETTLE_MS)));
  await group[0].page.waitForTimeout(seconds * 1000);
  const trainingTo = await Promise.all(group.map((c) => c.page.evaluate(() => performance.now())));
  await Promise.all(group.map((c) => setTraining(c.page, false)));
  const elapsed = (Date.now() - startAt) / 1000;
  // Paused, a page shows the exact count (an update is pushed right after every action).
  await group[0].page.waitForTimeout(200);
  const rates: number[] = [];
  for (const [i, c] of group.entries()) {
    const examples = ((await statValue(c.page, 'Examples seen')) ?? 0) - before[i].seen;
    rates.push(examples / elapsed);
    if (!record) continue;
    c.rates.push(examples / elapsed);
    c.examples += examples;
    c.seconds += elapsed;
    c.busySeconds += (await c.taskSeconds()) - before[i].task;
    const tasks = await c.page.evaluate(
      ([from, to]) => ((window as unknown as { __longTasks?: LongTask[] }).__longTasks ?? []).filter((t) => t.start >= from && t.start < to),
      [trainingFrom[i], trainingTo[i]],
    );
    c.longTasks.push(...tasks);
  }
  return rates;
}

/** What the throughput windows found. */
interface ThroughputRun {
  results: Throughput[];
  /** Per round: 2 workers / 1 worker. */
  ratios: number[];
  /**
   * Per round: two 1-worker pages training at the same time / one alone. What this
   * machine gives two independent training threads next to a live page in that round:
   * the ceiling for 2 workers, which share every mini-batch besides.
   */
  controls: number[];
}

/**
 * Throughput of each worker count, one page each, in alternating windows: this machine's
 * speed drifts by 20-30% within seconds (its second core is at times much slower), so
 * back-to-back windows compare like with like where one long run per count would compare
 * two different machines. Only the pages in a window train; the others are paused. Per
 * round, every count gets one window; with both counts, a control window follows.
 */
async function measureThroughput(browser: Browser, url: string, options: Options): Promise<ThroughputRun> {
  const contenders: Contender[] = [];
  let control: Contender | null = null;
  try {
    for (const workers of options.workers) contenders.push(await openContender(browser, url, workers, options));
    const one = contenders.find((c) => c.workers === 1);
    const two = contenders.find((c) => c.workers === 2);
    if (one && two) control = await openContender(browser, url, 1, options);
    const ratios: number[] = [];
    const controls: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const c of contenders) await trainWindow([c], options.windowSeconds);
      let line = contenders.map((c) => `${c.workers} worker${c.workers === 1 ? '' : 's'} ${c.rates[round].toFixed(0)}/s`).join(', ');
      if (one && two && control) {
        const [a, b] = await trainWindow([one, control], options.windowSeconds, false);
        ratios.push(two.rates[round] / one.rates[round]);
        controls.push((a + b) / one.rates[round]);
        line += `; ratio ${ratios[round].toFixed(2)}; control (two 1-worker pages at once) ${(a + b).toFixed(0)}/s = ${controls[round].toFixed(2)}`;
      }
      console.log(`  round ${round + 1}: ${line}`);
    }
    const results: Throughput[] = [];
    for (const c of contenders) {
      results.push({
        workers: c.workers,
        examples: c.examples,
        seconds: c.seconds,
        examplesPerSecond: median(c.rates),
        load: loadAverage(),
        trainingThreads: await statText(c.page, 'Training threads'),
        mainThreadBusy: Math.round((100 * c.busySeconds) / c.seconds) / 100,
        longTasks: { count: c.longTasks.length, longestMs: Math.round(Math.max(0, ...c.longTasks.map((t) => t.duration))) },
        memoryMB: await memoryByContext(c.page),
      });
    }
    return { results, ratios, controls };
  } finally {
    for (const c of contenders) await c.close();
    await control?.close();
  }
}

interface EvaluationPoint {
  /** Training time when the weights were copied (the press), s: wall time minus earlier evaluations'. */
  trainingSeconds: number;
  examplesSeen: number;
  accuracy: number;
  correct: number;
  total: number;
  /** Wall time the evaluation took in the page, press to result on screen, s. */
  evaluationSeconds: number;
  /** The same seen from here (with the round trips): what is taken off the training time, s. */
  hostSeconds: number;
}

/**
 * The result on screen: "99.12% (9,912 of 10,000)" -> 9912 of 10000, and the examples of its
 * weights. Both are read in one step in the page: read one after the other, a new result
 * rendered in between paired the previous accuracy with the new weights.
 */
function parseEvaluation(texts: readonly string[] | null): { correct: number; total: number; examples: number } | null {
  if (!texts) return null;
  const [accuracy, weights] = texts;
  const match = /\(([\d,]+) of ([\d,]+)\)/.exec(accuracy);
  if (!match) return null;
  const digits = (s: string) => Number(s.replace(/[^0-9]/g, ''));
  return { correct: digits(match[1]), total: digits(match[2]), examples: digits(weights) };
}

/**
 * Presses "Evaluate on full test set" and waits for a new result, all inside the page: the
 * press, a look at the page every 10 ms (a timer and two queries, well under a millisecond)
 * and the clock are the page's own. Reading the page from here every 25 ms instead, as
 * this bench did until session 7, cost the page's main thread 7-20 ms a read (one
 * DevTools round trip each), a share of one of the two cores the evaluation runs on: the
 * evaluations it timed were 0.2-0.3 s longer than the page's own.
 */
async function evaluateNow(page: Page, trainingSeconds: () => number): Promise<EvaluationPoint> {
  await page.getByRole('button', { name: 'Evaluate on full test set' }).waitFor({ state: 'visible' });
  const examplesSeen = (await statValue(page, 'Examples seen')) ?? 0;
  const pressedAt = Date.now();
  const trainedSeconds = trainingSeconds();
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  const seen = await page.evaluate(async (timeoutMs) => {
    const button = Array.from(document.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Evaluate on full test set');
    if (!button) return { error: 'no "Evaluate on full test set" button' };
    let before: string | null = null;
    let started = 0;
    for (;;) {
      const texts = ['4-crop accuracy', 'Weights after'].map(
        (term) => Array.from(document.querySelectorAll('.evaluation__summary dt')).find((dt) => dt.textContent?.includes(term))?.nextElementSibling?.textContent ?? '',
      );
      if (before === null) {
        before = texts.join('|');
        started = performance.now();
        button.click();
      } else if (!button.disabled && texts[0] !== '' && texts.join('|') !== before) {
        return { texts, ms: performance.now() - started };
      } else if (performance.now() - started > timeoutMs) {
        return { error: `no new result within ${timeoutMs / 1000} s` };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }, 300_000);
  const hostSeconds = (Date.now() - pressedAt) / 1000;
  if ('error' in seen) throw new Error(`an evaluation failed: ${seen.error}`);
  const result = parseEvaluation(seen.texts);
  if (!result) throw new Error(`an evaluation's result could not be read: ${seen.texts.join(' / ')}`);
  return {
    trainingSeconds: trainedSeconds,
    examplesSeen: result.examples || examplesSeen,
    accuracy: result.correct / result.total,
    correct: result.correct,
    total: result.total,
    evaluationSeconds: seen.ms / 1000,
    hostSeconds,
  };
}

interface AccuracyRun {
  workers: number;
  reached: boolean;
  secondsToTarget: number | null;
  best: EvaluationPoint | null;
  evaluations: EvaluationPoint[];
  evaluationSecondsTotal: number;
  /** Median wall time of the complete evaluations in the page, s. */
  evaluationSecondsMedian: number | null;
  load: string;
}

async function timeToAccuracy(browser: Browser, url: string, workers: number, options: Options): Promise<AccuracyRun> {
  const { page, close } = await openDashboard(browser, url, workers);
  const evaluations: EvaluationPoint[] = [];
  try {
    const startedAt = await waitForTraining(page);
    let evaluatingSeconds = 0;
    const trained = () => (Date.now() - startedAt) / 1000 - evaluatingSeconds;
    let nextAt = options.firstEvalSeconds;
    for (;;) {
      const wait = nextAt - trained();
      if (wait > 0) await page.waitForTimeout(wait * 1000);
      if (trained() > options.maxSeconds) break;
      const point = await evaluateNow(page, trained);
      evaluatingSeconds += point.hostSeconds;
      evaluations.push(point);
      console.log(
        `  t=${point.trainingSeconds.toFixed(1)} s, ${point.examplesSeen} examples: 4-crop ${(point.accuracy * 100).toFixed(2)}% ` +
          `(${point.correct}/${point.total}), evaluation took ${point.evaluationSeconds.toFixed(2)} s in the page (${point.hostSeconds.toFixed(2)} s seen from here); load ${loadAverage()}`,
      );
      if (point.total === 10_000 && point.accuracy >= options.target) break;
      nextAt = trained() + options.evalEverySeconds;
    }
  } finally {
    await close();
  }
  const full = evaluations.filter((e) => e.total === 10_000);
  const hit = full.find((e) => e.accuracy >= options.target) ?? null;
  const best = full.reduce<EvaluationPoint | null>((b, e) => (b === null || e.accuracy > b.accuracy ? e : b), null);
  return {
    workers,
    reached: hit !== null,
    secondsToTarget: hit?.trainingSeconds ?? null,
    best,
    evaluations,
    evaluationSecondsTotal: evaluations.reduce((s, e) => s + e.evaluationSeconds, 0),
    evaluationSecondsMedian: full.length > 0 ? median(full.map((e) => e.evaluationSeconds)) : null,
    load: loadAverage(),
  };
}

/** One run's outcome, as the run ends. */
function reportAccuracyRun(run: AccuracyRun, options: Options): void {
  if (run.reached) {
    console.log(`  reached ${(options.target * 100).toFixed(1)}% after ${run.secondsToTarget!.toFixed(1)} s of training`);
  } else {
    const b = run.best;
    console.log(
      `  did not reach ${(options.target * 100).toFixed(1)}% within ${options.maxSeconds} s; best ` +
        (b ? `${(b.accuracy * 100).toFixed(2)}% at ${b.trainingSeconds.toFixed(1)} s` : 'n/a (no complete evaluation)'),
    );
  }
  const typical = run.evaluationSecondsMedian;
  console.log(
    `  evaluations: ${run.evaluations.length}, ${run.evaluationSecondsTotal.toFixed(1)} s of wall time in all` +
      (typical === null ? '' : `; a full-test evaluation took ${typical.toFixed(2)} s in the page (median)`),
  );
}

interface AccuracySummary {
  /** The median run's training time to the target, s; null when the median run did not reach it. */
  secondsToTarget: number | null;
  reachedRuns: number;
  completeEvaluations: number;
  evaluationSecondsMedian: number | null;
  hostSecondsMedian: number | null;
}

/** The runs together: a run that did not reach the target counts as slower than any that did. */
function summarizeAccuracy(runs: readonly AccuracyRun[]): AccuracySummary {
  const times = runs.map((r) => r.secondsToTarget ?? Infinity);
  const middle = median(times);
  const complete = runs.flatMap((r) => r.evaluations.filter((e) => e.total === 10_000));
  return {
    secondsToTarget: Number.isFinite(middle) ? middle : null,
    reachedRuns: runs.filter((r) => r.reached).length,
    completeEvaluations: complete.length,
    evaluationSecondsMedian: complete.length > 0 ? median(complete.map((e) => e.evaluationSeconds)) : null,
    hostSecondsMedian: complete.length > 0 ? median(complete.map((e) => e.hostSeconds)) : null,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!Number.isInteger(options.accuracyRuns)) throw new Error(`--accuracy-runs takes a whole number of runs, got ${options.accuracyRuns}`);
  if (!chromiumAvailable()) throw new Error(missingChromiumAdvice());
  const distDir = join(PROJECT_ROOT, 'dist');
  if (options.rebuild || !distIsFresh(distDir)) {
    console.log('building the app (vite build) into dist/ ...');
    await buildApp(distDir);
  } else {
    console.log('dist/ is fresh; not rebuilding (--rebuild forces it)');
  }
  const server = await startPreview(distDir);
  const browser = await launchChromium();
  console.log(`machine: ${cpus().length} cores; load average ${loadAverage()}`);
  try {
    const skipped: ThroughputRun = { results: [], ratios: [], controls: [] };
    if (!options.skipThroughput) {
      console.log(`throughput: ${options.rounds} rounds of ${options.windowSeconds} s windows per worker count, alternating`);
    }
    const { results: throughput, ratios, controls } = options.skipThroughput ? skipped : await measureThroughput(browser, server.url, options);
    for (const t of throughput) {
      console.log(
        `${t.workers} worker${t.workers === 1 ? ' ' : 's'}: ${t.examplesPerSecond.toFixed(0)} examples/s (median of the windows; ` +
          `${t.examples} in ${t.seconds.toFixed(1)} s in all, after the data and ${options.warmupSeconds} s of warm-up); load ${t.load}`,
      );
      const memory = t.memoryMB
        ? `JS memory: page ${t.memoryMB.page} MB, workers ${t.memoryMB.workers} MB, all ${t.memoryMB.total} MB`
        : 'JS memory: not measurable in this browser (it needs cross-origin isolation and a Chromium that allows the measurement)';
      console.log(
        `  training threads: ${t.trainingThreads || '?'}; main thread busy ${(100 * t.mainThreadBusy).toFixed(0)}% of the windows; ` +
          `tasks over 50 ms: ${t.longTasks.count}` +
          ` (longest ${t.longTasks.longestMs} ms); ${memory}`,
      );
    }
    // The median of the per-round ratios: each compares two windows a few seconds apart.
    const speedup = ratios.length > 0 ? median(ratios) : null;
    const control = controls.length > 0 ? median(controls) : null;
    if (speedup !== null && control !== null) {
      console.log(`2 workers / 1 worker: ${speedup.toFixed(2)}x (median of the rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
      console.log(
        `control, two 1-worker pages at once / one: ${control.toFixed(2)}x (median); ` +
          `2 workers reach ${((100 * speedup) / control).toFixed(0)}% of what two independent threads get`,
      );
    }

    const accuracyRuns: AccuracyRun[] = [];
    if (!options.skipAccuracy) {
      // The figure is for 2 workers, unless another count is named.
      const workers = options.accuracyWorkers ?? 2;
      console.log(
        `time to ${(options.target * 100).toFixed(1)}% 4-crop test accuracy, ${workers} worker(s), ${options.accuracyRuns} run(s) in fresh pages, ` +
          `at most ${options.maxSeconds} s of training each (evaluations after ${options.firstEvalSeconds} s, then every ` +
          `${options.evalEverySeconds} s; their time is not training time):`,
      );
      for (let run = 1; run <= options.accuracyRuns; run++) {
        console.log(`run ${run}:`);
        const result = await timeToAccuracy(browser, server.url, workers, options);
        accuracyRuns.push(result);
        reportAccuracyRun(result, options);
      }
    }
    const accuracy = accuracyRuns.length > 0 ? summarizeAccuracy(accuracyRuns) : null;
    if (accuracy) {
      const times = accuracyRuns.map((r) => (r.secondsToTarget === null ? 'not reached' : `${r.secondsToTarget.toFixed(1)} s`));
      console.log(
        `time to ${(options.target * 100).toFixed(1)}%: ` +
          (accuracy.secondsToTarget === null ? `median not reached within ${options.maxSeconds} s` : `median ${accuracy.secondsToTarget.toFixed(1)} s`) +
          ` of training over ${accuracyRuns.length} run(s) (${times.join(', ')}); reached in ${accuracy.reachedRuns} of ${accuracyRuns.length}`,
      );
      if (accuracy.evaluationSecondsMedian !== null) {
        console.log(
          `a full-test evaluation took ${accuracy.evaluationSecondsMedian.toFixed(2)} s in the page (median of all runs' ` +
            `${accuracy.completeEvaluations} complete evaluations; ${accuracy.hostSecondsMedian!.toFixed(2)} s seen from here)`,
        );
      }
    }
    console.log(
      JSON.stringify({
        cores: cpus().length,
        throughput: throughput.map((t) => ({
          workers: t.workers,
          examplesPerSecond: Math.round(t.examplesPerSecond),
          trainingThreads: t.trainingThreads,
          mainThreadBusy: t.mainThreadBusy,
          longTasks: t.longTasks,
          memoryMB: t.memoryMB,
          load: t.load,
        })),
        speedup2: speedup === null ? null : Number(speedup.toFixed(3)),
        speedup2Rounds: ratios.map((r) => Number(r.toFixed(3))),
        control2: controls.length > 0 ? Number(median(controls).toFixed(3)) : null,
        control2Rounds: controls.map((r) => Number(r.toFixed(3))),
        accuracy: accuracy && {
          workers: accuracyRuns[0].workers,
          target: options.target,
          runs: accuracyRuns.length,
          reachedRuns: accuracy.reachedRuns,
          secondsToTarget: accuracy.secondsToTarget === null ? null : Number(accuracy.secondsToTarget.toFixed(1)),
          perRun: accuracyRuns.map((r) => ({
            reached: r.reached,
            secondsToTarget: r.secondsToTarget === null ? null : Number(r.secondsToTarget.toFixed(1)),
            best: r.best && { accuracy: r.best.accuracy, seconds: Number(r.best.trainingSeconds.toFixed(1)), examples: r.best.examplesSeen },
            evaluations: r.evaluations.length,
            evaluationSeconds: Number(r.evaluationSecondsTotal.toFixed(1)),
            load: r.load,
          })),
          evaluationSecondsMedian: accuracy.evaluationSecondsMedian === null ? null : Number(accuracy.evaluationSecondsMedian.toFixed(2)),
          hostSecondsMedian: accuracy.hostSecondsMedian === null ? null : Number(accuracy.hostSecondsMedian.toFixed(2)),
          maxSeconds: options.maxSeconds,
        },
      }),
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
