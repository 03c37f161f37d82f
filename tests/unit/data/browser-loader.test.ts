import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMnistChunks, ensureMnistChunks, staleReason } from '../../../scripts/mnist-chunks';
import { MnistBrowserLoader, MnistLoadError, type MnistLoadProgress } from '../../../src/data/browser-loader';
import { checkManifest, type MnistManifest } from '../../../src/data/chunks';
import { encodeIdxImages, encodeIdxLabels } from '../../../src/data/idx';
import { loadMnist, MNIST_FILES } from '../../../src/data/node-loader';

// A small synthetic MNIST (6000 train, 2500 test) so the chunk plan has several chunks per set.
const TRAIN = 6000;
const TEST = 2500;
let sourceDir: string;
let outDir: string;
let manifest: MnistManifest;

function synthetic(count: number, salt: number) {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (i * 31 + salt + (i >> 9)) & 255;
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 7 + salt) % 10);
  return { images, labels };
}

beforeAll(() => {
  sourceDir = mkdtempSync(join(tmpdir(), 'mnist-src-'));
  outDir = mkdtempSync(join(tmpdir(), 'mnist-out-'));
  const train = synthetic(TRAIN, 1);
  const test = synthetic(TEST, 2);
  writeFileSync(join(sourceDir, MNIST_FILES.trainImages), encodeIdxImages(train.images, TRAIN, 28, 28));
  writeFileSync(join(sourceDir, MNIST_FILES.trainLabels), encodeIdxLabels(train.labels));
  writeFileSync(join(sourceDir, MNIST_FILES.testImages), encodeIdxImages(test.images, TEST, 28, 28));
  writeFileSync(join(sourceDir, MNIST_FILES.testLabels), encodeIdxLabels(test.labels));
  manifest = buildMnistChunks(outDir, sourceDir);
});

afterAll(() => {
  rmSync(sourceDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

type Override = (file: string, body: Uint8Array) => Response | Uint8Array | null;

/** A fetch that serves `outDir`, with a hook to damage or fail files; records requests. */
function fakeServer(override?: Override) {
  const requests: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const file = new URL(String(input)).pathname.split('/').pop()!;
    requests.push(file);
    let body: Uint8Array;
    try {
      body = new Uint8Array(readFileSync(join(outDir, file)));
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
    const replaced = override?.(file, body);
    if (replaced instanceof Response) return replaced;
    return new Response((replaced ?? body) as Uint8Array<ArrayBuffer>);
  }) as typeof fetch;
  return { fetchFn, requests };
}

function loader(fetchFn: typeof fetch, onProgress?: (p: MnistLoadProgress) => void, attempts = 2) {
  return new MnistBrowserLoader({ baseUrl: 'http://test.local/mnist/', fetch: fetchFn, onProgress, attempts, retryDelayMs: 0 });
}

describe('browser chunks (build step)', () => {
  it('writes a manifest whose chunks cover both sets, small training chunk first', () => {
    expect(checkManifest(manifest)).toBe(manifest);
    expect(manifest.sets).toEqual({ train: { count: TRAIN }, test: { count: TEST } });
    expect(manifest.chunks.map((c) => [c.file, c.set, c.start, c.count])).toEqual([
      ['train-00.bin', 'train', 0, 4000],
      ['test-00.bin', 'test', 0, 2000],
      ['train-01.bin', 'train', 4000, 2000],
      ['test-01.bin', 'test', 2000, 500],
    ]);
    const raw = gunzipSync(readFileSync(join(outDir, 'train-00.bin')));
    expect(raw.length).toBe(manifest.chunks[0].rawBytes);
  });

  it('knows when the chunks are current and when they are stale', () => {
    expect(staleReason(outDir, sourceDir)).toBeNull();
    expect(ensureMnistChunks(outDir, sourceDir)).toMatch(/up to date/);
    const dir = mkdtempSync(join(tmpdir(), 'mnist-stale-'));
    try {
      expect(staleReason(dir, sourceDir)).toBe('no manifest yet');
      buildMnistChunks(dir, sourceDir);
      writeFileSync(join(dir, 'test-01.bin'), new Uint8Array(10));
      expect(staleReason(dir, sourceDir)).toBe('test-01.bin has the wrong size');
      rmSync(join(dir, 'test-01.bin'));
      expect(staleReason(dir, sourceDir)).toBe('test-01.bin is missing');
      expect(ensureMnistChunks(dir, sourceDir)).toMatch(/built .*test-01.bin is missing/);
      expect(staleReason(dir, sourceDir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MnistBrowserLoader', () => {
  it('loads every example exactly as the IDX files hold them, reporting progress', async () => {
    const progress: MnistLoadProgress[] = [];
    const { fetchFn, requests } = fakeServer();
    const l = loader(fetchFn, (p) => progress.push(p));
    await l.load();
    const source = loadMnist(sourceDir);
    expect(l.complete).toBe(true);
    expect(l.train.count).toBe(TRAIN);
    expect(l.test.count).toBe(TEST);
    // A session reads the sets per example: the views are not rebuilt on every access.
    expect(l.train).toBe(l.train);
    expect(Buffer.from(l.train.images).equals(Buffer.from(source.train.images))).toBe(true);
    expect(Buffer.from(l.train.labels).equals(Buffer.from(source.train.labels))).toBe(true);
    expect(Buffer.from(l.test.images).equals(Buffer.from(source.test.images))).toBe(true);
    expect(Buffer.from(l.test.labels).equals(Buffer.from(source.test.labels))).toBe(true);
    expect(requests).toEqual(['manifest.json', 'train-00.bin', 'test-00.bin', 'train-01.bin', 'test-01.bin']);
    const last = progress[progress.length - 1];
    expect(last).toEqual({
      loadedBytes: manifest.totalBytes,
      totalBytes: manifest.totalBytes,
      loadedChunks: 4,
      totalChunks: 4,
      trainLoaded: TRAIN,
      trainTotal: TRAIN,
      testLoaded: TEST,
      testTotal: TEST,
    });
    for (let k = 1; k < progress.length; k++) {
      expect(progress[k].loadedBytes).toBeGreaterThanOrEqual(progress[k - 1].loadedBytes);
    }
  });

  it('makes the first training chunk usable before the rest has arrived', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { fetchFn } = fakeServer();
    const slowFetch = (async (input: RequestInfo | URL) => {
      if (String(input).endsWith('test-00.bin')) await gate;
      return fetchFn(input);
    }) as typeof fetch;
    let sawFirstChunk!: () => void;
    const firstChunk = new Promise<void>((resolve) => (sawFirstChunk = resolve));
    const l = loader(slowFetch, (p) => {
      if (p.trainLoaded > 0) sawFirstChunk();
    });
    const done = l.load();
    await firstChunk;
    expect(l.train.count).toBe(4000);
    expect(l.test.count).toBe(0);
    expect(l.complete).toBe(false);
    expect(l.train.images.length).toBe(4000 * 784);
    release();
    await done;
    expect(l.train.count).toBe(TRAIN);
  });

  it('a corrupt chunk fails with its name, exposes nothing of it, and a retry resumes there', async () => {
    let damage = true;
    const { fetchFn, requests } = fakeServer((file, body) => {
      if (file !== 'train-01.bin' || !damage) return null;
      const bad = new Uint8Array(body);
      bad[bad.length >> 1] ^= 0xff;
      return bad;
    });
    const l = loader(fetchFn);
    const error = await l.load().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MnistLoadError);
    expect((error as MnistLoadError).file).toBe('train-01.bin');
    expect((error as Error).message).toMatch(/^Could not load MNIST data train-01\.bin: the data is corrupt .*\(2 attempts\)\.$/);
    expect(l.train.count).toBe(4000);
    expect(l.test.count).toBe(2000);
    expect(l.complete).toBe(false);

    damage = false;
    requests.length = 0;
    await l.load();
    expect(requests).toEqual(['train-01.bin', 'test-01.bin']);
    expect(l.train.count).toBe(TRAIN);
    expect(l.progress.loadedBytes).toBe(manifest.totalBytes);
  });

  it('reports HTTP failures, truncated chunks and checksum mismatches by file', async () => {
    const failures: Array<[Override, RegExp]> = [
      [(f) => (f === 'test-00.bin' ? new Response('', { status: 500, statusText: 'Internal Server Error' }) : null), /test-00\.bin: HTTP 500 Internal Server Error/],
      [(f, b) => (f === 'train-00.bin' ? b.subarray(0, b.length - 100) : null), /train-00\.bin: received \d+ bytes, the manifest says \d+/],
      [(f) => (f === 'manifest.json' ? new TextEncoder().encode('{"format":') : null), /manifest\.json: the manifest is not valid JSON/],
      [(f) => (f === 'manifest.json' ? new TextEncoder().encode('<!doctype html><html></html>') : null), /manifest\.json: the server sent an HTML page, not the manifest: the data was not prepared/],
    ];
    for (const [override, message] of failures) {
      await expect(loader(fakeServer(override).fetchFn).load()).rejects.toThrow(message);
    }
    const fetchMissing = (async () => new Response('', { status: 404, statusText: 'Not Found' })) as typeof fetch;
    await expect(loader(fetchMissing, undefined, 1).load()).rejects.toThrow(
      'Could not load MNIST data manifest.json: HTTP 404 Not Found (1 attempt).',
    );
  });

  it('rejects a chunk whose content does not match the SHA-256 in the manifest', async () => {
    const { fetchFn } = fakeServer((file, body) => {
      if (file !== 'manifest.json') return null;
      const m = JSON.parse(new TextDecoder().decode(body)) as MnistManifest;
      m.chunks[3].sha256 = '0'.repeat(64);
      return new TextEncoder().encode(JSON.stringify(m));
    });
    const l = loader(fetchFn);
    await expect(l.load()).rejects.toThrow(
      'Could not load MNIST data test-01.bin: the data is corrupt (SHA-256 mismatch) (2 attempts).',
    );
    expect(l.test.count).toBe(2000);
  });

  it('rejects a chunk that is not gzip data of the announced size', async () => {
    const { fetchFn } = fakeServer((file, body) => (file === 'train-01.bin' ? new Uint8Array(body.length) : null));
    await expect(loader(fetchFn).load()).rejects.toThrow(/train-01\.bin: the data is corrupt \(not gzip data\)/);
  });

  it('accepts a chunk the server already decompressed (Content-Encoding: gzip)', async () => {
    const { fetchFn } = fakeServer((file, body) => (file.endsWith('.bin') ? gunzipSync(body) : null));
    const l = loader(fetchFn);
    await l.load();
    expect(l.train.count).toBe(TRAIN);
  });
});
