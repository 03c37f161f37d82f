/**
 * Checks that the app runs under its Content-Security-Policy in headless Chromium.
 *
 *   npm run check:csp          production build, served by `vite preview`
 *   npm run check:csp -- --dev the dev server (`npm start`), fast refresh included
 *
 * It checks the policy header (and, for the build, the <meta> tag) is the one in
 * scripts/vite-plugin-csp.ts, then loads the page, waits for training to start (worker,
 * WebAssembly kernels, data fetches), and checks that the policy is in force (eval and
 * inline scripts are refused) while the app itself caused no violation. Exits 1 on any failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium } from '../tests/e2e/chromium';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_META } from './vite-plugin-csp';

const ROOT = resolve(import.meta.dirname, '..');
const VITE = join(ROOT, 'node_modules/vite/bin/vite.js');
const dev = process.argv.includes('--dev');

/** Records violations from the first script on, in the page and (separately) in workers. */
const VIOLATION_RECORDER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
  });
`;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function runVite(args: string[]): ChildProcess {
  return spawn(process.execPath, [VITE, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function waitForServer(url: string, child: ChildProcess): Promise<Response> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const failures: string[] = [];
  const check = (ok: boolean, what: string): void => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  let outDir: string | null = null;
  let server: ChildProcess;
  if (dev) {
    server = runVite(['--host', '127.0.0.1', '--port', String(port), '--strictPort']);
  } else {
    outDir = mkdtempSync(join(tmpdir(), 'csp-check-'));
    const build = runVite(['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']);
    const code = await new Promise<number | null>((done) => build.once('exit', done));
    if (code !== 0) throw new Error(`vite build exited with ${code}`);
    server = runVite(['preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort']);
  }
  const browser = await launchChromium();
  try {
    const response = await waitForServer(url, server);
    const header = response.headers.get('content-security-policy');
    check(header === CONTENT_SECURITY_POLICY, `${dev ? 'dev server' : 'vite preview'} sends the policy header`);
    const scriptSrc = (header ?? '').split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src ')) ?? '';
    check(scriptSrc !== '' && !/'unsafe-(eval|inline)'/.test(scriptSrc), `script-src allows neither unsafe-eval nor unsafe-inline (${scriptSrc})`);
    const html = await response.text();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    check(meta === CONTENT_SECURITY_POLICY_META, 'index.html carries the policy as a <meta> tag');
    check(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'index.html has no inline script');

    const page = await browser.newPage();
    const consoleProblems: string[] = [];
    let hmrConnected = false;
    page.on('console', (m) => {
      if (m.text().includes('[vite] connected')) hmrConnected = true;
      if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) consoleProblems.push(`[${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleProblems.push(`[pageerror] ${e.message}`));
    await page.addInitScript(VIOLATION_RECORDER);
    await page.goto(url);
    await page.getByRole('heading', { level: 1 }).waitFor({ timeout: 60_000 });

    const stats = page.getByRole('region', { name: 'Training Stats' });
    const examplesSeen = async (): Promise<number> =>
      Number(((await stats.locator('dt', { hasText: 'Examples seen' }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '').replace(/,/g, ''));
    const deadline = Date.now() + 90_000;
    let seen = 0;
    while (Date.now() < deadline && seen < 200) {
      // '-' until the first stats arrive.
      seen = (await examplesSeen().catch(() => 0)) || 0;
      await page.waitForTimeout(500);
    }
    check(seen >= 200, `training runs under the policy (${seen} examples seen)`);
    // Fast refresh talks to the dev server over a websocket, which connect-src 'self' must allow.
    if (dev) check(hmrConnected, 'the dev client connected its hot-reload websocket');

    // Everything so far was the app's own doing: it must have caused no violation.
    type Violation = { directive: string; blocked: string };
    const violations = (): Promise<Violation[]> =>
      page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations);
    const fromApp = await violations();
    check(fromApp.length === 0, `the app caused no policy violation${fromApp.length ? `: ${JSON.stringify(fromApp)}` : ''}`);
    check(consoleProblems.length === 0, `no console errors${consoleProblems.length ? `:\n  ${consoleProblems.join('\n  ')}` : ''}`);

    // The policy is in force. Code run by page.evaluate itself is exempt (DevTools may
    // always evaluate), so each probe runs from a timer callback, as page code would.
    const worker = page.workers()[0];
    const inWorker = worker
      ? await worker.evaluate(
          () =>
            new Promise<{ wasm: string; evalResult: string }>((done) =>
              setTimeout(() => {
                let wasm: string;
                try {
                  new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
                  wasm = 'compiles';
                } catch (e) {
                  wasm = String(e);
                }
                let evalResult: string;
                try {
                  // eslint-disable-next-line no-eval -- the point: the worker's policy must refuse this
                  evalResult = String((0, eval)('1 + 1'));
                } catch (e) {
                  evalResult = (e as Error).name;
                }
                done({ wasm, evalResult });
              }, 0),
            ),
        )
      : { wasm: 'no worker', evalResult: 'no worker' };
    check(inWorker.wasm === 'compiles', `the training worker may compile WebAssembly (${inWorker.wasm})`);
    check(inWorker.evalResult === 'EvalError', `the training worker refuses eval (${inWorker.evalResult})`);

    const probes = await page.evaluate(
      () =>
        new Promise<{ evalResult: string; inlineRan: boolean }>((done) =>
          setTimeout(() => {
            let evalResult: string;
            try {
              // eslint-disable-next-line no-eval -- the point: the policy must refuse this
              evalResult = String((0, eval)('1 + 1'));
            } catch (e) {
              evalResult = (e as Error).name;
            }
            const script = document.createElement('script');
            script.textContent = 'window.__inlineRan = true;';
            document.head.appendChild(script);
            done({ evalResult, inlineRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true });
          }, 0),
        ),
    );
    check(probes.evalResult === 'EvalError', `eval is refused (${probes.evalResult})`);
    check(!probes.inlineRan, 'an injected inline script is refused');
    check((await violations()).length > fromApp.length, 'the refusals were reported as policy violations');
    console.log(`\nContent-Security-Policy: ${CONTENT_SECURITY_POLICY}`);
  } finally {
    await browser.close();
    await stop(server);
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} CSP check(s) failed`);
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
