import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Autosaver, restoreOptions, type PageVisibility } from '../../../src/state/autosave';
import {
  AUTOSAVE_VERSION,
  indexedDbStorage,
  LEGACY_AUTOSAVE_KEY,
  SavedRuns,
  type AutosaveRecord,
  type AutosaveStorage,
} from '../../../src/state/autosave-runs';
import { openTabRun, type TabMemory } from '../../../src/state/autosave-tab';
import { UNCOORDINATED_RUN_LOCKS } from '../../../src/state/autosave-locks';
import { createFakeBackend, type FakeBackend } from '../../../src/state/fake-backend';
import { createDashboardStore, type DashboardStore } from '../../../src/state/store';
import type { SessionCheckpoint } from '../../../src/training/checkpoint';
import { tinyCheckpoint } from '../helpers/checkpoint-fixture';

let base: SessionCheckpoint;
beforeAll(async () => {
  base = await tinyCheckpoint();
});

/** A page whose visibility the test sets. */
class FakePage implements PageVisibility {
  visibilityState: DocumentVisibilityState = 'visible';
  private listeners = new Set<() => void>();
  addEventListener(_type: 'visibilitychange', listener: () => void) {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'visibilitychange', listener: () => void) {
    this.listeners.delete(listener);
  }
  become(state: DocumentVisibilityState) {
    this.visibilityState = state;
    for (const listener of this.listeners) listener();
  }
}

interface Rig {
  backend: FakeBackend;
  store: DashboardStore;
  storage: AutosaveStorage;
  /** Every value written, in order. */
  writes: AutosaveRecord[];
  page: FakePage;
  autosaver: Autosaver;
  setClock(ms: number): void;
  /** The worker's examples count from now on (what the next checkpoint says). */
  setExamples(n: number): void;
  /** A push from the worker at the current clock. */
  push(running: boolean): void;
}

const stores: DashboardStore[] = [];

beforeEach(() => {
  // A fresh, empty IndexedDB for every test.
  globalThis.indexedDB = new IDBFactory();
});

afterEach(() => {
  for (const store of stores.splice(0)) store.dispose();
});

function rig(): Rig {
  const backend = createFakeBackend();
  let examples = 0;
  backend.answers.exportCheckpoint = () => ({ ...base, examples, trainerState: { ...base.trainerState, k: examples } });
  const store = createDashboardStore(backend);
  stores.push(store);
  const idb = indexedDbStorage();
  const writes: AutosaveRecord[] = [];
  const storage: AutosaveStorage = {
    ...idb,
    setMany: (entries) => {
      writes.push(...entries.filter(([key]) => key.startsWith('run:')).map(([, value]) => value as AutosaveRecord));
      return idb.setMany(entries);
    },
  };
  let clock = 0;
  const page = new FakePage();
  const autosaver = new Autosaver({ runs: new SavedRuns(storage), runId: RUN_ID, now: () => clock, page, persist: null, estimate: null });
  autosaver.attach(store);
  return {
    backend,
    store,
    storage,
    writes,
    page,
    autosaver,
    setClock: (ms) => (clock = ms),
    setExamples: (n) => (examples = n),
    push: (running) =>
      backend.emitUpdate({ stats: { running, examplesSeen: examples }, lossPoints: examples > 0 ? [{ examples, loss: 1 / examples }] : [] }),
  };
}

const RUN_ID = 'test-run1';

async function saved(storage: AutosaveStorage, id = RUN_ID): Promise<AutosaveRecord | undefined> {
  return (await storage.get(`run:${id}`)) as AutosaveRecord | undefined;
}

/** sessionStorage of one tab. */
function tabMemory(): TabMemory & { kept: Map<string, string> } {
  const kept = new Map<string, string>();
  return { kept, getItem: (key) => kept.get(key) ?? null, setItem: (key, value) => void kept.set(key, value) };
}

/** What a tab finds of an old single-record autosave (moved into a run record on the way). */
async function readLegacy(storage: AutosaveStorage, url: URLSearchParams) {
  const start = await openTabRun({ runs: new SavedRuns(storage), locks: UNCOORDINATED_RUN_LOCKS, url, memory: tabMemory() });
  return start;
}

describe('when the autosave writes', () => {
  it('saves at most every 10 s while training, counting from when training started', async () => {
    const r = rig();
    r.push(true); // training starts at t = 0
    for (const [t, n] of [[3000, 300], [9999, 999], [10_000, 1000], [15_000, 1500], [19_000, 1900], [20_000, 2000]] as const) {
      r.setClock(t);
      r.setExamples(n);
      r.push(true);
      await r.autosaver.settled();
    }
    expect(r.writes.map((w) => w.checkpoint.examples)).toEqual([1000, 2000]);
    expect((await saved(r.storage))?.checkpoint.examples).toBe(2000);
  });

  it('saves when training pauses, without waiting for the period', async () => {
    const r = rig();
    r.push(true);
    r.setClock(2000);
    r.setExamples(200);
    r.push(true);
    await r.autosaver.settled();
    expect(r.writes).toHaveLength(0);
    await r.store.getState().actions.pause();
    await r.autosaver.settled();
    expect(r.writes.map((w) => w.checkpoint.examples)).toEqual([200]);
  });

  it('saves when the page is hidden (closing the tab, switching away), not when it shows again', async () => {
    const r = rig();
    r.setExamples(50);
    r.push(false);
    r.page.become('hidden');
    await r.autosaver.settled();
    r.page.become('visible');
    await r.autosaver.settled();
    expect(r.writes.map((w) => w.checkpoint.examples)).toEqual([50]);
  });

  it('writes nothing while training stopped on a fault: the last good record stays', async () => {
    const r = rig();
    r.push(true);
    r.setClock(10_000);
    r.setExamples(1000);
    r.push(true);
    await r.autosaver.settled();
    r.backend.emitFault('The training worker stopped answering.');
    r.page.become('hidden');
    await r.autosaver.settled();
    expect(r.backend.callsTo('exportCheckpoint')).toHaveLength(1);
    expect((await saved(r.storage))?.checkpoint.examples).toBe(1000);
  });

  it('"Start fresh" forgets the record, and a save in flight then is dropped', async () => {
    const r = rig();
    r.setExamples(70);
    r.push(false);
    await r.autosaver.save();
    expect(await saved(r.storage)).toBeDefined();
    const inFlight = r.autosaver.save();
    await r.autosaver.discard();
    await inFlight;
    await r.autosaver.settled();
    expect(await saved(r.storage)).toBeUndefined();
  });
});

describe('what the autosave writes', () => {
  it('one record under one key: checkpoint, chart up to the checkpoint, statistics, configuration', async () => {
    const r = rig();
    r.setExamples(400);
    r.push(true);
    r.setExamples(600);
    r.push(true); // the chart has a point at 600, the checkpoint below says 500
    r.setExamples(500);
    await r.autosaver.save();
    expect(r.writes).toHaveLength(1);
    const record = (await saved(r.storage))!;
    expect(record.version).toBe(AUTOSAVE_VERSION);
    expect(record.checkpoint.examples).toBe(500);
    expect(record.checkpoint.params).toBeInstanceOf(Float32Array);
    expect(Array.from(record.checkpoint.params)).toEqual(Array.from(base.params));
    expect(record.lossHistory.map((p) => p.examples)).toEqual([400]);
    expect(record.stats.examplesSeen).toBe(500);
    expect(record.config).toEqual({ definitionText: base.definitionText, seed: base.seed });
  });

  it('a save that fails halfway (the value cannot be stored) leaves the last good record whole', async () => {
    const r = rig();
    r.setExamples(100);
    r.push(false);
    await r.autosaver.save();
    // The next checkpoint holds something IndexedDB cannot clone: the transaction aborts.
    r.backend.answers.exportCheckpoint = () => ({ ...base, examples: 200, rng: [1, 2, 3, (() => 4) as unknown as number] });
    await r.autosaver.save();
    expect(r.autosaver.lastError).toMatch(/clone|could not be cloned/i);
    const record = (await saved(r.storage))!;
    expect(record.checkpoint.examples).toBe(100);
    expect(r.autosaver.lastSavedExamples).toBe(100);
    // The person is told once, not at every failed attempt.
    expect(r.store.getState().notice).toMatch(/^Autosave failed \(.*clone.*\); training goes on/i);
    await r.autosaver.save();
    expect(r.store.getState().notice!.split('\n')).toHaveLength(1);
  });
});

describe('reading the autosave at page load', () => {
  const plainUrl = new URLSearchParams('');

  async function goodRecord(): Promise<AutosaveRecord> {
    const r = rig();
    r.setExamples(300);
    r.push(false);
    await r.autosaver.save();
    return (await saved(r.storage))!;
  }

  /** A tab whose sessionStorage names `id` (a reload of it). */
  function reloadOf(id: string) {
    const memory = tabMemory();
    memory.setItem('mnist-cnn-dashboard run', id);
    return openTabRun({ runs: new SavedRuns(indexedDbStorage()), locks: UNCOORDINATED_RUN_LOCKS, url: plainUrl, memory });
  }

  it("finds the tab's good record and turns it into a paused, restored run", async () => {
    const record = await goodRecord();
    const start = await reloadOf(RUN_ID);
    expect(start.runId).toBe(RUN_ID);
    expect(start.found).toEqual({ kind: 'found', record });
    const { restored } = restoreOptions(start.found);
    expect(restored?.checkpoint.examples).toBe(300);
  });

  it("a tab's record of another configuration than its address bar is older than it (a reload right after a change): the address wins", async () => {
    const record = await goodRecord();
    const memory = tabMemory();
    memory.setItem('mnist-cnn-dashboard run', RUN_ID);
    const runs = new SavedRuns(indexedDbStorage());
    const url = (seed: number) => new URLSearchParams({ net: record.config.definitionText, seed: String(seed) });
    const newer = await openTabRun({ runs, locks: UNCOORDINATED_RUN_LOCKS, url: url(record.config.seed + 1), memory });
    expect(newer.runId).toBe(RUN_ID);
    expect(newer.found).toEqual({ kind: 'none' });
    const same = await openTabRun({ runs, locks: UNCOORDINATED_RUN_LOCKS, url: url(record.config.seed), memory });
    expect(same.found).toEqual({ kind: 'found', record });
  });

  it('finds nothing in an empty database: a new run id, nothing to offer', async () => {
    const start = await readLegacy(indexedDbStorage(), plainUrl);
    expect(start.found).toEqual({ kind: 'none' });
    expect(start.runId).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
    expect(start.offer).toEqual([]);
  });

  it.each<[string, (record: AutosaveRecord) => unknown, RegExp]>([
    ['text', () => 'not a record', /not an object/],
    ['another version', (r) => ({ ...r, version: 99 }), /another version of the app \(record version 99/],
    ['weights that went through JSON', (r) => ({ ...r, checkpoint: { ...r.checkpoint, params: Array.from(r.checkpoint.params) } }), /params must be a Float32Array/],
    ['a NaN weight', (r) => ({ ...r, checkpoint: { ...r.checkpoint, params: r.checkpoint.params.map((v, i) => (i === 0 ? NaN : v)) } }), /NaN/],
    ['a broken chart', (r) => ({ ...r, lossHistory: [{ examples: 'x' }] }), /lossHistory/],
    ['no configuration', (r) => ({ ...r, config: null }), /config/],
  ])('refuses a corrupt record (%s) with a message naming what is wrong', async (_name, corrupt, message) => {
    const record = await goodRecord();
    const storage = indexedDbStorage();
    await storage.set(`run:${RUN_ID}`, corrupt(record));
    const found = (await reloadOf(RUN_ID)).found;
    expect(found.kind).toBe('refused');
    expect(found.kind === 'refused' && found.problem).toMatch(message);
    expect(restoreOptions(found).autosaveRefusal).toMatch(/^The autosaved run could not be restored, so a fresh run starts: /);
    // The same refusal for an old single-record autosave, which is then removed.
    await storage.set(LEGACY_AUTOSAVE_KEY, corrupt(record));
    const legacy = (await readLegacy(storage, plainUrl)).found;
    expect(legacy.kind === 'refused' && legacy.problem).toMatch(message);
    expect(await storage.get(LEGACY_AUTOSAVE_KEY)).toBeUndefined();
  });

  it('an old single-record autosave is moved into a run record and goes on in the first page opened', async () => {
    const record = await goodRecord();
    const storage = indexedDbStorage();
    await new SavedRuns(storage).remove(RUN_ID);
    await storage.set(LEGACY_AUTOSAVE_KEY, record);
    const start = await readLegacy(storage, plainUrl);
    expect(start.found).toEqual({ kind: 'found', record });
    expect(start.runId).not.toBe(RUN_ID);
    expect(await storage.get(LEGACY_AUTOSAVE_KEY)).toBeUndefined();
    expect(await saved(storage, start.runId)).toEqual(record);
    expect((await new SavedRuns(storage).list()).map((run) => [run.id, run.examples])).toEqual([[start.runId, 300]]);
  });

  it('with a run in the URL, an old single-record autosave is used only when it is that run (and kept either way)', async () => {
    const record = await goodRecord();
    const storage = indexedDbStorage();
    await new SavedRuns(storage).remove(RUN_ID);
    const legacyUnder = async (url: URLSearchParams) => {
      await storage.set(LEGACY_AUTOSAVE_KEY, record);
      return readLegacy(storage, url);
    };
    const same = new URLSearchParams({ net: record.config.definitionText, seed: String(record.config.seed) });
    expect((await legacyUnder(same)).found.kind).toBe('found');
    const otherSeed = new URLSearchParams({ net: record.config.definitionText, seed: String(record.config.seed + 1) });
    const other = await legacyUnder(otherSeed);
    expect(other.found).toEqual({ kind: 'none' });
    // Not lost: offered with the other runs.
    expect(other.offer.length).toBe(2);
    // A link with only a seed means the default network: not this run either.
    expect((await legacyUnder(new URLSearchParams({ seed: String(record.config.seed) }))).found).toEqual({ kind: 'none' });
  });
});
