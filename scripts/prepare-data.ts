/**
 * Builds public/mnist/ (the browser's compressed MNIST chunks) if missing or stale.
 * `npm start` and `npm run build` do this by themselves through the Vite plugin; this
 * entry point is for doing it by hand: `npx tsx scripts/prepare-data.ts [--force]`.
 */
import { fileURLToPath } from 'node:url';
import { buildMnistChunks, ensureMnistChunks } from './mnist-chunks';

const outDir = fileURLToPath(new URL('../public/mnist', import.meta.url));
try {
  if (process.argv.includes('--force')) {
    const m = buildMnistChunks(outDir);
    console.log(`MNIST chunks rebuilt in ${outDir}: ${m.chunks.length} chunks, ${(m.totalBytes / 1e6).toFixed(1)} MB`);
  } else {
    console.log(ensureMnistChunks(outDir));
  }
} catch (error) {
  console.error(`prepare-data: ${(error as Error).message}`);
  process.exitCode = 1;
}
