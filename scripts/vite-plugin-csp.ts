/**
 * The app's Content-Security-Policy, written once and served three ways: as a response
 * header by `npm start` (vite dev) and `vite preview` (see vite.config.ts), and as a
 * <meta http-equiv> in the built index.html for static hosts that cannot set headers.
 *
 * Scripts run only from the app's own origin: no 'unsafe-inline', no 'unsafe-eval'.
 * 'wasm-unsafe-eval' lets the worker compile the engine's WebAssembly kernels; it allows
 * WebAssembly compilation only, not eval or new Function. Styles may be inline, because
 * React and the chart library set style attributes.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

const DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['style-src', "'self' 'unsafe-inline'"],
  // data: for the inline favicon; blob: for images made in the page.
  ['img-src', "'self' data: blob:"],
  ['font-src', "'self'"],
  // Same-origin fetches of the MNIST chunks (and the dev server's websocket).
  ['connect-src', "'self'"],
  ['worker-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'self'"],
];

/** Directives a <meta> policy ignores (with a console warning), so only the header carries them. */
const HEADER_ONLY: ReadonlyArray<readonly [string, string]> = [['frame-ancestors', "'none'"]];

const format = (directives: ReadonlyArray<readonly [string, string]>): string =>
  directives.map(([name, value]) => `${name} ${value}`).join('; ');

/** The policy as the Content-Security-Policy response header. */
export const CONTENT_SECURITY_POLICY = format([...DIRECTIVES, ...HEADER_ONLY]);

/** The same policy without the header-only directives, for the <meta> tag. */
export const CONTENT_SECURITY_POLICY_META = format(DIRECTIVES);

/**
 * Response headers for vite's server.headers and preview.headers. The two cross-origin
 * headers make the page cross-origin isolated, which is what lets the training workers
 * share memory (SharedArrayBuffer): with two workers, the mini-batch jobs then go through
 * shared memory and Atomics instead of messages (src/parallel/shared-link.ts). The app
 * loads nothing from other origins, so requiring CORP costs nothing; without these
 * headers (a static host that cannot set them) it still works, over messages.
 */
export const securityHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const INLINE_MODULE_SCRIPT = /<script type="module">([\s\S]*?)<\/script>/g;
const INLINE_PREFIX = '/@csp-inline/';

/**
 * Adds the policy as a <meta> tag to index.html, first in <head> so it governs every
 * script after it. In dev, it also moves inline module scripts that plugins inject (the
 * React fast-refresh preamble) into same-origin files, so dev runs under the same policy
 * as the build instead of needing 'unsafe-inline'.
 */
export function contentSecurityPolicyPlugin(): Plugin {
  const inlineScripts = new Map<string, string>();
  return {
    name: 'content-security-policy',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const out =
          ctx.server === undefined
            ? html
            : html.replace(INLINE_MODULE_SCRIPT, (_, code: string) => {
                const path = `${INLINE_PREFIX}${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
                inlineScripts.set(path, code);
                return `<script type="module" src="${path}"></script>`;
              });
        return {
          html: out,
          tags: [
            {
              tag: 'meta',
              attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY_META },
              injectTo: 'head-prepend',
            },
          ],
        };
      },
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0];
        const code = path === undefined ? undefined : inlineScripts.get(path);
        if (code === undefined) {
          next();
          return;
        }
        res.setHeader('Content-Type', 'text/javascript');
        res.setHeader('Cache-Control', 'no-cache');
        res.end(code);
      });
    },
  };
}
