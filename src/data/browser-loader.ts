/**
 * Loads MNIST in the browser (page or worker) from the chunks the Vite plugin builds into
 * public/mnist/: the manifest first, then each gzip chunk in order, decompressed with
 * DecompressionStream and checked (sizes, SHA-256 when crypto.subtle exists, and the IDX
 * structure) before a single example of it becomes visible.
 *
 * The data becomes usable incrementally: `train` and `test` are always the prefix loaded
 * so far, so training can start after the first (small) chunk. A failed or corrupt chunk
 * is retried a few times; then `load()` rejects with an MnistLoadError, and calling
 * `load()` again resumes from that chunk. Nothing partial or unchecked is ever exposed.
 *
 * Uses only fetch, streams, DecompressionStream and crypto.subtle: no DOM, works in a
 * worker and in Node 20 (which the tests use).
 */
import { checkManifest, decodeChunk, MANIFEST_FILE, toHex, type ChunkInfo, type MnistManifest } from './chunks';
import { MNIST_PIXELS, prefixOfSet, type MnistSet } from './mnist';
import { canShareMemory } from './shared-memory';
import { joinPieces } from './local-files';

export interface MnistLoadProgress {
  /** Compressed bytes received, over all chunks, and the total from the manifest (0 before it). */
  loadedBytes: number;
  totalBytes: number;
  loadedChunks: number;
  totalChunks: number;
  /** Examples checked and usable so far. */
  trainLoaded: number;
  trainTotal: number;
  testLoaded: number;
  testTotal: number;
}

export class MnistLoadError extends Error {
  /** The file that failed: 'manifest.json' or a chunk file. */
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'MnistLoadError';
    this.file = file;
  }
}

export interface MnistBrowserLoaderOptions {
  /** URL of the directory holding manifest.json, ending in '/', e.g. `${origin}${BASE_URL}mnist/`. */
  baseUrl: string | URL;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Called as bytes arrive and after each chunk becomes usable. */
  onProgress?: (progress: MnistLoadProgress) => void;
  /** Automatic attempts per file before load() rejects (default 3). */
  attempts?: number;
  /** Wait before the n-th retry: n * retryDelayMs (default 500). */
  retryDelayMs?: number;
}

interface SetBuffers {
  images: Uint8Array;
  labels: Uint8Array;
  loaded: number;
}

const EMPTY_SET: MnistSet = { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) };

export class MnistBrowserLoader {
  private readonly baseUrl: URL;
  private readonly fetchFn: typeof fetch;
  private readonly onProgress?: (progress: MnistLoadProgress) => void;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  private manifestValue: MnistManifest | null = null;
  private buffers: { train: SetBuffers; test: SetBuffers } | null = null;
  /** Views of the loaded prefixes, rebuilt only when a chunk lands (read per example by a session). */
  private trainView: MnistSet = EMPTY_SET;
  private testView: MnistSet = EMPTY_SET;
  /** Chunks fully loaded, in manifest order. */
  private nextChunk = 0;
  /** Compressed bytes of the chunks loaded, and that plus the bytes of the chunk in flight. */
  private completedBytes = 0;
  private loadedBytes = 0;
  private pending: Promise<void> | null = null;

  constructor(options: MnistBrowserLoaderOptions) {
    this.baseUrl = new URL(String(options.baseUrl));
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.onProgress = options.onProgress;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  get manifest(): MnistManifest | null {
    return this.manifestValue;
  }

  /** The training examples loaded so far (a view; grows as chunks arrive). */
  get train(): MnistSet {
    return this.trainView;
  }

  /** The test examples loaded so far. */
  get test(): MnistSet {
    return this.testView;
  }

  get complete(): boolean {
    return this.manifestValue !== null && this.nextChunk === this.manifestValue.chunks.length;
  }

  get progress(): MnistLoadProgress {
    const m = this.manifestValue;
    return {
      loadedBytes: this.loadedBytes,
      totalBytes: m?.totalBytes ?? 0,
      loadedChunks: this.nextChunk,
      totalChunks: m?.chunks.length ?? 0,
      trainLoaded: this.buffers?.train.loaded ?? 0,
      trainTotal: m?.sets.train.count ?? 0,
      testLoaded: this.buffers?.test.loaded ?? 0,
      testTotal: m?.sets.test.count ?? 0,
    };
  }

  /**
   * Loads everything not loaded yet. Resolves when all chunks are in; rejects with an
   * MnistLoadError after the automatic retries; call again to retry from where it stopped.
   */
  load(): Promise<void> {
    if (!this.pending) {
      this.pending = this.run().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async run(): Promise<void> {
    if (!this.manifestValue) {
      const manifest = await this.withRetries(MANIFEST_FILE, () => this.fetchManifest());
      this.buffers = {
        train: allocate(manifest.sets.train.count),
        test: allocate(manifest.sets.test.count),
      };
      this.manifestValue = manifest;
      this.report();
    }
    const chunks = this.manifestValue.chunks;
    while (this.nextChunk < chunks.length) {
      const chunk = chunks[this.nextChunk];
      const set = await this.withRetries(chunk.file, () => this.fetchChunk(chunk));
      const target = this.buffers![chunk.set];
      target.images.set(set.images, chunk.start * MNIST_PIXELS);
      target.labels.set(set.labels, chunk.start);
      target.loaded = chunk.start + chunk.count;
      if (chunk.set === 'train') this.trainView = setView(target);
      else this.testView = setView(target);
      this.completedBytes += chunk.bytes;
      this.loadedBytes = this.completedBytes;
      this.nextChunk++;
      this.report();
    }
  }

  private async withRetries<T>(file: string, attempt: () => Promise<T>): Promise<T> {
    let lastProblem = '';
    for (let n = 1; n <= this.attempts; n++) {
      try {
        return await attempt();
      } catch (error) {
        lastProblem = (error as Error).message;
        // Bytes of a failed attempt do not count as progress.
        this.loadedBytes = this.completedBytes;
        if (n < this.attempts) await delay(n * this.retryDelayMs);
      }
    }
    this.report();
    const tries = this.attempts === 1 ? '1 attempt' : `${this.attempts} attempts`;
    throw new MnistLoadError(file, `Could not load MNIST data ${file}: ${lastProblem} (${tries}).`);
  }

  private async fetchManifest(): Promise<MnistManifest> {
    const bytes = await this.download(MANIFEST_FILE, null);
    const text = new TextDecoder().decode(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A dev server or an SPA host answers a missing file with its index.html.
      throw new Error(
        text.trimStart().startsWith('<')
          ? 'the server sent an HTML page, not the manifest: the data was not prepared (npm start and npm run build prepare it)'
          : 'the manifest is not valid JSON',
      );
    }
    return checkManifest(json);
  }

  private async fetchChunk(chunk: ChunkInfo): Promise<MnistSet> {
    const received = await this.download(chunk.file, chunk.bytes);
    const raw = await decompressChunk(received, chunk);
    const subtle = globalThis.crypto?.subtle;
    // crypto.subtle exists only in secure contexts (https, localhost); elsewhere the gzip
    // CRC, the sizes and the IDX checks still catch corruption.
    if (subtle) {
      const digest = toHex(new Uint8Array(await subtle.digest('SHA-256', raw)));
      if (digest !== chunk.sha256) throw new Error('the data is corrupt (SHA-256 mismatch)');
    }
    return decodeChunk(raw, chunk);
  }

  /** Fetches a file, reporting bytes as they arrive when `expectedBytes` is known. */
  private async download(file: string, expectedBytes: number | null): Promise<Uint8Array<ArrayBuffer>> {
    const url = new URL(file, this.baseUrl);
    let response: Response;
    try {
      response = await this.fetchFn(url.href);
    } catch (error) {
      throw new Error(`network error (${(error as Error).message})`);
    }
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    if (!response.body || expectedBytes === null) return new Uint8Array(await response.arrayBuffer());
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let length = 0;
    const reader = response.body.getReader();
    const base = this.completedBytes;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.length;
      // Progress never runs past the chunk's size, even if the server sent more.
      this.loadedBytes = base + Math.min(length, expectedBytes);
      this.report();
    }
    return joinPieces(parts, length);
  }

  private report(): void {
    this.onProgress?.(this.progress);
  }
}

/** gunzips a chunk; accepts bytes a server already decoded (Content-Encoding: gzip). */
async function decompressChunk(received: Uint8Array<ArrayBuffer>, chunk: ChunkInfo): Promise<Uint8Array<ArrayBuffer>> {
  const isGzip = received.length >= 2 && received[0] === 0x1f && received[1] === 0x8b;
  if (!isGzip && received.length === chunk.rawBytes) return received;
  if (received.length !== chunk.bytes) {
    throw new Error(`received ${received.length} bytes, the manifest says ${chunk.bytes} (truncated or replaced file)`);
  }
  if (!isGzip) throw new Error('the data is corrupt (not gzip data)');
  try {
    const stream = new Blob([received]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(`the data is corrupt (gzip: ${(error as Error).message})`);
  }
}

/**
 * Where memory can be shared with workers (a cross-origin isolated page), the sets live in
 * SharedArrayBuffers from the start: a second training worker then reads these very bytes,
 * instead of the training worker holding a second, shared copy (47 MB for the training set).
 */
function allocate(count: number): SetBuffers {
  const bytes = (length: number) => new Uint8Array(canShareMemory() ? new SharedArrayBuffer(length) : new ArrayBuffer(length));
  return { images: bytes(count * MNIST_PIXELS), labels: bytes(count), loaded: 0 };
}

function setView(buffers: SetBuffers): MnistSet {
  return prefixOfSet({ count: buffers.loaded, images: buffers.images, labels: buffers.labels }, buffers.loaded);
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
