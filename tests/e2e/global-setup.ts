/**
 * Builds the production app once per end-to-end run, for every e2e file (a build takes
 * tens of seconds; each file serves the same output with its own `vite preview`), and
 * unpacks the packaged Chromium here, once, when that is the one the run will use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { chromiumExecutable, locateChromium } from './chromium';
import { buildApp } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory of the production build the e2e files serve; '' when Chromium is missing. */
    e2eOutDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const chromium = locateChromium();
  if (chromium === null) {
    project.provide('e2eOutDir', '');
    return () => {};
  }
  console.log(`e2e: Chromium from ${chromium.source}: ${await chromiumExecutable(chromium)}`);
  const outDir = mkdtempSync(join(tmpdir(), 'mnist-dashboard-e2e-'));
  await buildApp(outDir);
  project.provide('e2eOutDir', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
