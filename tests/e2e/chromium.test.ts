/**
 * The order in which chromium.ts looks for a browser (CHROMIUM_PATH, then the system's,
 * then the one packaged in @sparticuz/chromium), on fake executables in a temp folder;
 * and, under CI=true, that a browser was found at all, so a CI run without one fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateChromium, missingChromiumAdvice } from './chromium';

const packagedUsable = process.platform === 'linux' && process.arch === 'x64';

describe('finding Chromium', () => {
  const bin = mkdtempSync(join(tmpdir(), 'chromium-finder-'));
  const emptyBin = mkdtempSync(join(tmpdir(), 'chromium-finder-empty-'));
  const explicit = join(bin, 'my-chrome');
  for (const name of ['my-chrome', 'google-chrome']) writeFileSync(join(bin, name), '#!/bin/sh\n', { mode: 0o755 });

  afterAll(() => {
    rmSync(bin, { recursive: true, force: true });
    rmSync(emptyBin, { recursive: true, force: true });
  });

  it('takes CHROMIUM_PATH first, even when a system browser exists', () => {
    expect(locateChromium({ CHROMIUM_PATH: explicit, PATH: bin })).toEqual({ source: 'CHROMIUM_PATH', path: explicit });
  });

  it('does not fall back when CHROMIUM_PATH names no file, and says so', () => {
    const env = { CHROMIUM_PATH: join(bin, 'missing'), PATH: bin };
    expect(locateChromium(env)).toBeNull();
    expect(missingChromiumAdvice(env)).toContain(`CHROMIUM_PATH is set to ${join(bin, 'missing')}, which does not exist`);
  });

  it('then finds a system Chromium or Chrome on PATH', () => {
    expect(locateChromium({ PATH: [emptyBin, bin].join(delimiter) })).toEqual({ source: 'system', path: join(bin, 'google-chrome') });
  });

  it.runIf(packagedUsable)('then the browser packaged in @sparticuz/chromium', () => {
    const found = locateChromium({ PATH: emptyBin });
    expect(found?.source).toBe('packaged');
    expect(found?.path).toMatch(/@sparticuz\/chromium\/bin\/chromium\.br$/);
  });

  it.runIf(packagedUsable)('skips the system lookup when CHROMIUM_SOURCES=packaged', () => {
    expect(locateChromium({ PATH: bin, CHROMIUM_SOURCES: 'packaged' })?.source).toBe('packaged');
  });

  it('finds nothing with CHROMIUM_SOURCES=none, and tells how to provide a browser', () => {
    const env = { PATH: bin, CHROMIUM_SOURCES: 'none' };
    expect(locateChromium(env)).toBeNull();
    expect(missingChromiumAdvice(env)).toMatch(/npm install.*apt-get install chromium.*CHROMIUM_PATH/s);
  });
});

describe('a browser for the end-to-end suite', () => {
  it.runIf(process.env.CI === 'true')('is found under CI, where every browser test must run', () => {
    expect(locateChromium(), missingChromiumAdvice()).not.toBeNull();
  });
});
