/**
 * Builds the production app once per end-to-end run, for every e2e file (a build takes
 * tens of seconds; each file serves the same output with its own `vite preview`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp, chromiumAvailable } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory of the production build the e2e files serve; '' when Chromium is missing. */
    e2eOutDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (!chromiumAvailable()) {
    project.provide('e2eOutDir', '');
    return () => {};
  }
  const outDir = mkdtempSync(join(tmpdir(), 'mnist-dashboard-e2e-'));
  await buildApp(outDir);
  project.provide('e2eOutDir', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
