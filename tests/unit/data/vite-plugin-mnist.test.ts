import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from 'vite';
import { mnistChunksPlugin } from '../../../scripts/vite-plugin-mnist';
import { checkManifest } from '../../../src/data/chunks';

type Hook = (this: unknown, ...args: unknown[]) => unknown;

describe('the Vite plugin that prepares the browser data', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('builds public/mnist/ at build start when it is missing, then finds it up to date', async () => {
    const publicDir = mkdtempSync(join(tmpdir(), 'mnist-public-'));
    dirs.push(publicDir);
    const logged: string[] = [];
    const config = { publicDir, root: publicDir, logger: { info: (m: string) => logged.push(m) } } as unknown as ResolvedConfig;
    const plugin = mnistChunksPlugin();
    (plugin.configResolved as Hook).call(null, config);
    const vitest = process.env.VITEST;
    delete process.env.VITEST; // the plugin stays idle under Vitest; this test is the exception
    try {
      await (plugin.buildStart as Hook).call(null, {});
      await (plugin.buildStart as Hook).call(null, {});
    } finally {
      process.env.VITEST = vitest;
    }
    const manifest = checkManifest(JSON.parse(readFileSync(join(publicDir, 'mnist', 'manifest.json'), 'utf8')));
    expect(manifest.sets).toEqual({ train: { count: 60000 }, test: { count: 10000 } });
    for (const chunk of manifest.chunks) expect(existsSync(join(publicDir, 'mnist', chunk.file))).toBe(true);
    // About 11.5 MB instead of 55 MB, with a first chunk under 1 MB so training starts early.
    expect(manifest.totalBytes).toBeLessThan(12_500_000);
    expect(manifest.chunks[0].bytes).toBeLessThan(1_000_000);
    expect(logged[0]).toMatch(/^MNIST chunks built in .*\(no manifest yet\): 10 chunks/);
    expect(logged[1]).toMatch(/up to date$/);
  });

  it('stays idle under Vitest', async () => {
    const publicDir = mkdtempSync(join(tmpdir(), 'mnist-public-'));
    dirs.push(publicDir);
    const plugin = mnistChunksPlugin();
    (plugin.configResolved as Hook).call(null, { publicDir, root: publicDir, logger: { info: () => {} } });
    await (plugin.buildStart as Hook).call(null, {});
    expect(existsSync(join(publicDir, 'mnist'))).toBe(false);
  });
});
