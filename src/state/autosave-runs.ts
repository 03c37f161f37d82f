/**
 * The autosave records, one per run. Each run has an id (kept per tab, see autosave-tab.ts)
 * and two values in the app's IndexedDB store: `run:<id>`, the whole record (checkpoint,
 * chart, statistics, configuration), and `summary:<id>`, a few fields to list the run by
 * (network, examples, accuracy, when, size) without reading its weights. Both are written
 * in one transaction (idb-keyval's setMany), so a listing never names a record that is not
 * there, and a save cut short leaves the previous pair as it was.
 *
 * Only the tab holding a run's lock writes its keys (see autosave-locks.ts), so no value is
 * ever written by two tabs. Apps before per-run records kept one record under `run`; it is
 * moved into a run of its own the first time a page reads the store.
 */
import { createStore, del, delMany, get, keys, set, setMany } from 'idb-keyval';
import { parseNetwork } from '../engine';
import type { ResolvedLayer } from '../engine';
import { errorMessage } from '../engine';
import { checkpointProblem, type SessionCheckpoint } from '../training/checkpoint';
import type { LossPoint, TrainingStats } from '../training/protocol';
import type { RunInForce } from './run-url';
import type { SavedRunSummary } from './types';

export const AUTOSAVE_VERSION = 1;
/** Where apps before per-run records kept their one record. */
export const LEGACY_AUTOSAVE_KEY = 'run';
const RECORD_PREFIX = 'run:';
const SUMMARY_PREFIX = 'summary:';
/** At most this many runs are kept; a save beyond it drops the oldest. */
export const MAX_KEPT_RUNS = 12;
/** At most this many bytes of records are kept across runs (about 40 runs of a 1M-parameter net with Adam), B. */
export const MAX_KEPT_BYTES = 500 * 1024 * 1024;

export interface AutosaveRecord {
  version: typeof AUTOSAVE_VERSION;
  /** ms since the epoch. */
  savedAt: number;
  checkpoint: SessionCheckpoint;
  /** The loss chart as shown (downsampled), oldest first. */
  lossHistory: LossPoint[];
  stats: TrainingStats;
  /** The run's configuration, as a link carries it (see run-url.ts). */
  config: RunInForce;
}

/** Where the records live: IndexedDB in the app (fake-indexeddb in tests). */
export interface AutosaveStorage {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  /** All in one transaction: every value is written, or none. */
  setMany(entries: [string, unknown][]): Promise<void>;
  delMany(keys: string[]): Promise<void>;
  keys(): Promise<string[]>;
}

/** The app's storage: a database of its own, so nothing else on the origin can clash with it. */
export function indexedDbStorage(): AutosaveStorage {
  const store = createStore('mnist-cnn-dashboard', 'autosave');
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
    setMany: (entries) => setMany(entries, store),
    delMany: (names) => delMany(names, store),
    keys: async () => (await keys(store)).filter((key): key is string => typeof key === 'string'),
  };
}

/** Why `value` is not a usable autosave record (a sentence naming the field), or null. */
export function autosaveProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'the saved record is not an object';
  const record = value as Partial<Record<keyof AutosaveRecord, unknown>>;
  if (record.version !== AUTOSAVE_VERSION) {
    return `it was saved by another version of the app (record version ${String(record.version)}, this app reads ${AUTOSAVE_VERSION})`;
  }
  if (typeof record.savedAt !== 'number' || !Number.isFinite(record.savedAt)) return 'savedAt must be a time';
  const checkpoint = checkpointProblem(record.checkpoint);
  if (checkpoint) return checkpoint;
  if (!Array.isArray(record.lossHistory) || !record.lossHistory.every(isLossPoint)) {
    return 'lossHistory must be a list of {examples, loss} points';
  }
  const stats = record.stats as Partial<TrainingStats> | null | undefined;
  if (typeof stats !== 'object' || stats === null || typeof stats.examplesSeen !== 'number') return 'stats are missing';
  const config = record.config as Partial<RunInForce> | null | undefined;
  if (typeof config !== 'object' || config === null || typeof config.definitionText !== 'string' || typeof config.seed !== 'number') {
    return 'config must hold the definition text and the seed';
  }
  return null;
}

function isLossPoint(value: unknown): value is LossPoint {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<LossPoint>;
  return typeof p.examples === 'number' && typeof p.loss === 'number';
}

/** What reading one run's record gave. */
export type FoundAutosave =
  | { kind: 'none' }
  | { kind: 'found'; record: AutosaveRecord }
  /** A record that cannot be used: why, in a sentence. */
  | { kind: 'refused'; problem: string };

/** A new run id: the time (so ids sort roughly by age) and random bits (so two tabs never pick the same). */
export function newRunId(now = Date.now()): string {
  const random = new Uint32Array(1);
  crypto.getRandomValues(random);
  return `${now.toString(36)}-${random[0].toString(36).padStart(7, '0')}`;
}

/** A run id as newRunId makes them; anything else in a URL or sessionStorage is ignored. */
export function isRunId(text: string | null | undefined): text is string {
  return typeof text === 'string' && /^[a-z0-9]{1,12}-[a-z0-9]{1,12}$/.test(text);
}

/** The run records in one storage: list, read, write, remove, migrate, cap. */
export class SavedRuns {
  constructor(readonly storage: AutosaveStorage) {}

  /** Every run kept, newest first. */
  async list(): Promise<SavedRunSummary[]> {
    const names = (await this.storage.keys()).filter((key) => key.startsWith(SUMMARY_PREFIX));
    const summaries = await Promise.all(names.map((name) => this.storage.get(name)));
    return summaries.filter(isSummary).sort((a, b) => b.savedAt - a.savedAt);
  }

  async read(id: string): Promise<FoundAutosave> {
    let value: unknown;
    try {
      value = await this.storage.get(RECORD_PREFIX + id);
    } catch (error) {
      return { kind: 'refused', problem: `it could not be read (${errorMessage(error)})` };
    }
    if (value === undefined) return { kind: 'none' };
    const problem = autosaveProblem(value);
    return problem ? { kind: 'refused', problem } : { kind: 'found', record: value as AutosaveRecord };
  }

  /** Writes the record and its summary together (one transaction). */
  write(id: string, record: AutosaveRecord, summary: SavedRunSummary): Promise<void> {
    return this.storage.setMany([
      [RECORD_PREFIX + id, record],
      [SUMMARY_PREFIX + id, summary],
    ]);
  }

  remove(id: string): Promise<void> {
    return this.storage.delMany([RECORD_PREFIX + id, SUMMARY_PREFIX + id]);
  }

  /**
   * Moves the record an app before per-run records left under `run` into a run of its
   * own (or removes it, and says why, when it cannot be used). Null when there was none.
   */
  async migrateLegacy(): Promise<{ id: string; found: FoundAutosave } | null> {
    let value: unknown;
    try {
      value = await this.storage.get(LEGACY_AUTOSAVE_KEY);
    } catch {
      return null;
    }
    if (value === undefined) return null;
    const id = newRunId();
    const problem = autosaveProblem(value);
    if (problem) {
      await this.storage.del(LEGACY_AUTOSAVE_KEY);
      return { id, found: { kind: 'refused', problem } };
    }
    const record = value as AutosaveRecord;
    await this.write(id, record, summarizeRun(id, record));
    await this.storage.del(LEGACY_AUTOSAVE_KEY);
    return { id, found: { kind: 'found', record } };
  }

  /**
   * Drops the oldest runs until at most `maxRuns` runs and `maxBytes` bytes are kept.
   * Runs in `keep` (this tab's, those open in other tabs) are never dropped. Returns what
   * was dropped, oldest first.
   */
  async enforceCap(keep: ReadonlySet<string>, maxRuns = MAX_KEPT_RUNS, maxBytes = MAX_KEPT_BYTES): Promise<SavedRunSummary[]> {
    const runs = await this.list();
    let bytes = runs.reduce((sum, run) => sum + run.bytes, 0);
    let count = runs.length;
    const dropped: SavedRunSummary[] = [];
    for (const run of [...runs].reverse()) {
      if (count <= maxRuns && bytes <= maxBytes) break;
      if (keep.has(run.id)) continue;
      await this.remove(run.id);
      dropped.push(run);
      count--;
      bytes -= run.bytes;
    }
    return dropped;
  }
}

function isSummary(value: unknown): value is SavedRunSummary {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<SavedRunSummary>;
  return typeof s.id === 'string' && typeof s.savedAt === 'number' && typeof s.examples === 'number' && typeof s.network === 'string';
}

/** The few fields a run is listed by. */
export function summarizeRun(id: string, record: AutosaveRecord): SavedRunSummary {
  const { stats, checkpoint } = record;
  return {
    id,
    savedAt: record.savedAt,
    examples: checkpoint.examples,
    accuracy: stats.validationAccuracy ?? stats.trainingAccuracy ?? null,
    network: describeNetwork(checkpoint.definitionText, checkpoint.trainer.method),
    params: checkpoint.params.length,
    bytes: estimateBytes(record),
  };
}

/** "conv 8 · pool · conv 16 · pool · softmax 10 · adadelta": the layers that shape the network, and the trainer. */
export function describeNetwork(definitionText: string, method: string): string {
  let layers: ResolvedLayer[];
  try {
    layers = parseNetwork(definitionText).layers;
  } catch {
    return `a network this app cannot read · ${method}`;
  }
  const parts = layers.flatMap((layer, index): string[] => {
    switch (layer.type) {
      case 'conv':
        return [`conv ${layer.filters}`];
      case 'fc':
        // The fc layer a softmax or svm desugars to is said by the classifier itself.
        return isClassifier(layers[index + 1]) ? [] : [`fc ${layer.numNeurons}`];
      case 'softmax':
      case 'svm':
        return [`${layer.type} ${layer.numClasses}`];
      case 'pool':
      case 'dropout':
      case 'maxout':
      case 'lrn':
      case 'regression':
        return [layer.type];
      default:
        // input and the activations the definition desugars to say little about the network.
        return [];
    }
  });
  return [...parts, method].join(' · ');
}

function isClassifier(layer: ResolvedLayer | undefined): boolean {
  return layer?.type === 'softmax' || layer?.type === 'svm';
}

/** Roughly how many bytes `value` takes in storage: typed arrays by their length, text at 2 B a character. */
export function estimateBytes(value: unknown): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (typeof value === 'string') return 2 * value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 8;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + estimateBytes(item), 0);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).reduce((sum, [key, item]) => sum + 2 * key.length + estimateBytes(item), 0);
  }
  return 0;
}
