/**
 * A Vitest reporter, listed after the default one in vite.config.ts, so that what it prints
 * is the last thing of `npm test`: when no Chromium was found, which browser suites were
 * skipped and how to provide a browser. Without it the only trace would be a few skipped
 * suites in the middle of the output. Under CI=true the run also fails (chromium.test.ts).
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { locateChromium, missingChromiumAdvice } from './chromium';

const BROWSER_PROJECT = 'e2e';

export default class MissingBrowserReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (locateChromium() !== null) return;
    const skipped: string[] = [];
    for (const module of testModules) {
      if (module.project.name !== BROWSER_PROJECT) continue;
      for (const suite of module.children.suites()) {
        if (suite.state() === 'skipped') skipped.push(`  ${relative(process.cwd(), module.moduleId)}: ${suite.name}`);
      }
    }
    if (skipped.length === 0) return;
    const verdict =
      process.env.CI === 'true'
        ? 'CI=true, so this run FAILS: every browser test must run in CI.'
        : 'The run did not fail for this (it would under CI=true), but nothing was tested in a browser.';
    const rule = '*'.repeat(80);
    console.log(
      `\n${rule}\nSKIPPED: the end-to-end browser suites did not run.\n${skipped.join('\n')}\n\n` +
        `${missingChromiumAdvice()}\n${verdict}\n${rule}\n`,
    );
  }
}
