/**
 * Which Chromium the end-to-end suite and the browser scripts (bench-browser, soak,
 * screenshots, check-csp) drive, and how to launch it. The first of these that exists:
 *
 *   1. CHROMIUM_PATH: an explicit choice. When it is set, nothing else is tried, so a typo
 *      is reported instead of quietly testing some other browser.
 *   2. A system Chromium or Chrome: chromium, chromium-browser, google-chrome(-stable) on
 *      PATH (Debian, Ubuntu, Fedora, Arch), or the usual macOS application bundles.
 *   3. The headless Chromium inside the npm package @sparticuz/chromium (a devDependency,
 *      Linux x64 only), unpacked by the package into the temp folder on first use. With it,
 *      `npm install && npm test` runs every browser test with no apt step.
 *
 * CHROMIUM_SOURCES narrows steps 2 and 3, e.g. `CHROMIUM_SOURCES=packaged` proves the
 * package's browser works on a machine that also has a system one; `none` shows what
 * happens with no browser at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'packaged';

export interface ChromiumLocation {
  source: ChromiumSource;
  /** The executable; for the packaged browser, the compressed binary the package unpacks. */
  path: string;
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const MAC_BUNDLES = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/**
 * Flags for every Chromium we launch, system or packaged (Playwright adds --headless itself;
 * no sandbox, since CI containers run as root). The package's own `args` export is NOT used:
 * it is tuned for AWS Lambda (--single-process, --disable-web-security, site isolation off),
 * which would change the very behaviour these tests check (workers, cross-origin isolation,
 * the CSP). The packaged binary is chrome-headless-shell and needs no extra flag to start.
 */
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Which of the system and packaged lookups to run: all unless CHROMIUM_SOURCES says otherwise. */
function allowedSources(env: NodeJS.ProcessEnv): Set<string> {
  const listed = env.CHROMIUM_SOURCES?.trim();
  if (!listed) return new Set(['system', 'packaged']);
  return new Set(listed.split(',').map((s) => s.trim()));
}

function systemChromium(env: NodeJS.ProcessEnv): string | null {
  const directories = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of SYSTEM_NAMES) {
    for (const directory of directories) {
      const candidate = join(directory, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return process.platform === 'darwin' ? (MAC_BUNDLES.find((bundle) => existsSync(bundle)) ?? null) : null;
}

/** The brotli-compressed binary shipped in @sparticuz/chromium, when installed and usable here. */
function packagedChromium(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    return null;
  }
  // entry is <package>/build/cjs/index.cjs; the binaries are in <package>/bin.
  const compressed = join(dirname(entry), '..', '..', 'bin', 'chromium.br');
  return existsSync(compressed) ? compressed : null;
}

/** The browser the tests will use, without unpacking or launching anything; null when there is none. */
export function locateChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLocation | null {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) return existsSync(explicit) ? { source: 'CHROMIUM_PATH', path: explicit } : null;
  const sources = allowedSources(env);
  const system = sources.has('system') ? systemChromium(env) : null;
  if (system) return { source: 'system', path: system };
  const packaged = sources.has('packaged') ? packagedChromium() : null;
  if (packaged) return { source: 'packaged', path: packaged };
  return null;
}

export function chromiumAvailable(): boolean {
  return locateChromium() !== null;
}

/** Why no browser was found and how to provide one, as a person reads it at the end of `npm test`. */
export function missingChromiumAdvice(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.CHROMIUM_PATH?.trim();
  const reason = explicit
    ? `CHROMIUM_PATH is set to ${explicit}, which does not exist.`
    : `No Chromium was found: CHROMIUM_PATH is not set, ` +
      (allowedSources(env).has('system') ? `none of ${SYSTEM_NAMES.join(', ')} is on PATH, ` : 'the system lookup is off (CHROMIUM_SOURCES), ') +
      (allowedSources(env).has('packaged')
        ? `and the packaged browser of @sparticuz/chromium is not installed or not usable here (it needs Linux x64).`
        : 'and the packaged browser is off (CHROMIUM_SOURCES).');
  return (
    `${reason}\nTo run the browser tests, do one of these: ` +
    `run \`npm install\` on Linux x64 (the devDependency @sparticuz/chromium brings a headless Chromium); ` +
    `install Chromium or Chrome (Debian/Ubuntu: apt-get install chromium); ` +
    `or point CHROMIUM_PATH at a Chromium or Chrome executable.`
  );
}

/** The executable to start: the packaged browser is unpacked (once, into the temp folder) on first call. */
export async function chromiumExecutable(location: ChromiumLocation): Promise<string> {
  if (location.source !== 'packaged') return location.path;
  const packaged = (await import('@sparticuz/chromium')).default;
  return packaged.executablePath(dirname(location.path));
}

/** Whether the dynamic linker cannot find some library the executable needs (per `ldd`). */
function lacksSharedLibraries(executable: string): boolean {
  const ldd = spawnSync('ldd', [executable], { encoding: 'utf8' });
  return ldd.status === 0 && /not found/.test(ldd.stdout);
}

/**
 * The packaged binary links against NSS and expat, which a bare Linux (a slim container with
 * no browser ever installed) lacks. The package carries them, for Amazon Linux, in
 * bin/al2023.tar.br; its own unpacker (not exported, hence the file path) puts them in
 * <temp>/al2023/lib. Returns the LD_LIBRARY_PATH to launch with, or null when none is needed.
 */
async function packagedLibraryPath(executable: string, location: ChromiumLocation): Promise<string | null> {
  if (!lacksSharedLibraries(executable)) return null;
  const packageDir = join(dirname(location.path), '..');
  const unpacker = pathToFileURL(join(packageDir, 'build', 'esm', 'lambdafs.js')).href;
  const { inflate } = (await import(unpacker)) as { inflate: (file: string) => Promise<string> };
  const libraries = join(await inflate(join(packageDir, 'bin', 'al2023.tar.br')), 'lib');
  return [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(delimiter);
}

export async function launchChromium(): Promise<Browser> {
  const location = locateChromium();
  if (location === null) throw new Error(missingChromiumAdvice());
  const executablePath = await chromiumExecutable(location);
  const libraryPath = location.source === 'packaged' ? await packagedLibraryPath(executablePath, location) : null;
  const env = libraryPath === null ? undefined : { ...process.env, LD_LIBRARY_PATH: libraryPath };
  return chromium.launch({ executablePath, args: LAUNCH_ARGS, env });
}
