import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Autosaver, AUTOSAVE_PERIOD_MS, periodFor } from '../../../src/state/autosave';
import { broadcastRunLocks, webRunLocks } from '../../../src/state/autosave-locks';
import { indexedDbStorage, SavedRuns, type AutosaveRecord, type AutosaveStorage } from '../../../src/state/autosave-runs';
import { openTabRun, RUN_OPEN_ELSEWHERE, TAB_RUN_KEY, TabRuns, type TabMemory } from '../../../src/state/autosave-tab';
import { createFakeBackend, type FakeBackend } from '../../../src/state/fake-backend';
import { createDashboardStore } from '../../../src/state/store';
import type { SessionCheckpoint } from '../../../src/training/checkpoint';
import { tinyCheckpoint } from '../helpers/checkpoint-fixture';

let base: SessionCheckpoint;
beforeAll(async () => {
  base = await tinyCheckpoint();
});

const cleanups: (() => void)[] = [];
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/**
 * One browser's Web Locks, as navigator.locks behaves for `ifAvailable` requests: a held
 * name is refused, and released when the callback's promise settles.
 */
class FakeLockManager {
  private readonly held = new Set<string>();
  request(name: string, options: { ifAvailable?: true; signal?: AbortSignal }, callback: (lock: { name: string } | null) => unknown): Promise<unknown> {
    // A wait (with a signal) that the test never ends: as if it timed out at once.
    if (this.held.has(name) && options.signal) return Promise.reject(new DOMException('The lock wait timed out.', 'TimeoutError'));
    if (this.held.has(name)) return Promise.resolve(callback(null));
    this.held.add(name);
    return Promise.resolve(callback({ name })).finally(() => this.held.delete(name));
  }
  query() {
    return Promise.resolve({ held: [...this.held].map((name) => ({ name })), pending: [] });
  }
}

function memory(): TabMemory {
  const kept = new Map<string, string>();
  return { getItem: (key) => kept.get(key) ?? null, setItem: (key, value) => void kept.set(key, value) };
}

/** One tab: its store over a fake worker, its autosaver and its access to the runs. */
async function openTab(browser: FakeLockManager, tabMemory: TabMemory = memory(), storage: AutosaveStorage = indexedDbStorage()) {
  const backend: FakeBackend = createFakeBackend();
  let examples = 0;
  backend.answers.exportCheckpoint = () => ({ ...base, examples });
  const runs = new SavedRuns(storage);
  // Each tab has its own view of the browser's locks.
  const locks = webRunLocks(browser as unknown as LockManager);
  const start = await openTabRun({ runs, locks, url: new URLSearchParams(''), memory: tabMemory });
  const autosaver = new Autosaver({ runs, runId: start.runId, locks, page: null, persist: null, estimate: null });
  const savedRuns = new TabRuns(start, runs, locks, tabMemory, autosaver);
  const store = createDashboardStore(backend, { savedRuns });
  autosaver.attach(store);
  cleanups.push(() => {
    store.dispose();
    start.claim.release();
  });
  return {
    start,
    store,
    backend,
    autosaver,
    memory: tabMemory,
    async trainTo(n: number) {
      examples = n;
      backend.emitUpdate({ stats: { running: false, examplesSeen: n } });
      await autosaver.save();
    },
  };
}

/** A tab that trained to 300 examples and was closed, then a page opened fresh. */
async function freshPageAfterARun() {
  const locks = new FakeLockManager();
  const a = await openTab(locks);
  await a.trainTo(300);
  a.start.claim.release();
  return { a, fresh: await openTab(locks) };
}

describe('each run has its own record', () => {
  it('two tabs write two records, and a reload returns each tab to its own run', async () => {
    const locks = new FakeLockManager();
    const a = await openTab(locks);
    const b = await openTab(locks);
    expect(a.start.runId).not.toBe(b.start.runId);
    await a.trainTo(100);
    await b.trainTo(900);
    await a.trainTo(200);
    const listed = await new SavedRuns(indexedDbStorage()).list();
    expect(listed.map((run) => [run.id, run.examples]).sort()).toEqual([[a.start.runId, 200], [b.start.runId, 900]].sort());

    // Reload A: the tab lets go of its run, then opens with the same sessionStorage.
    a.start.claim.release();
    const reloaded = await openTab(locks, a.memory);
    expect(reloaded.start.runId).toBe(a.start.runId);
    expect(reloaded.start.found.kind === 'found' && reloaded.start.found.record.checkpoint.examples).toBe(200);
    expect(reloaded.store.getState().savedRunId).toBe(a.start.runId);
  });

  it('a page opened fresh offers the recent runs, newest first, with network, examples, accuracy and size', async () => {
    const { a, fresh } = await freshPageAfterARun();
    const offer = fresh.store.getState().savedRuns;
    expect(offer).toHaveLength(1);
    expect(offer[0]).toMatchObject({ id: a.start.runId, examples: 300, network: 'pool · softmax 10 · adadelta', params: base.params.length });
    expect(offer[0].bytes).toBeGreaterThan(base.params.byteLength);
    expect(offer[0].openElsewhere).toBeUndefined();
  });

  it('Resume from the offer makes that run the tab\'s own (paused, its chart back), and the autosave writes it from then on', async () => {
    const { a, fresh } = await freshPageAfterARun();
    await fresh.store.getState().actions.resumeSavedRun(a.start.runId);
    const state = fresh.store.getState();
    expect(state.savedRunId).toBe(a.start.runId);
    expect(state.savedRuns).toEqual([]);
    expect(state.autosave).toMatchObject({ kind: 'resumed', examples: 300 });
    expect(fresh.backend.callsTo('restart')).toHaveLength(1);
    expect(fresh.memory.getItem(TAB_RUN_KEY)).toBe(a.start.runId);
    await fresh.trainTo(450);
    expect((await new SavedRuns(indexedDbStorage()).read(a.start.runId)).kind === 'found').toBe(true);
    const record = (await indexedDbStorage().get(`run:${a.start.runId}`)) as AutosaveRecord;
    expect(record.checkpoint.examples).toBe(450);
    expect(await indexedDbStorage().get(`run:${fresh.start.runId}`)).toBeUndefined();
  });

  it('Delete from the offer forgets that run and lists the rest', async () => {
    const { a, fresh } = await freshPageAfterARun();
    await fresh.store.getState().actions.deleteSavedRun(a.start.runId);
    expect(fresh.store.getState().savedRuns).toEqual([]);
    expect(await indexedDbStorage().get(`run:${a.start.runId}`)).toBeUndefined();
  });
});

describe('a run open in another tab', () => {
  it('is not forked: a tab asking for it (a duplicated tab) starts a new run and says so', async () => {
    const locks = new FakeLockManager();
    const a = await openTab(locks);
    await a.trainTo(100);
    const duplicate = memory();
    duplicate.setItem(TAB_RUN_KEY, a.start.runId);
    const b = await openTab(locks, duplicate);
    expect(b.start.runId).not.toBe(a.start.runId);
    expect(b.start.found).toEqual({ kind: 'none' });
    expect(b.store.getState().autosave).toEqual({ kind: 'open-elsewhere', message: RUN_OPEN_ELSEWHERE });
    // Offered, but marked, and Resume and Delete are refused with a reason.
    expect(b.store.getState().savedRuns).toMatchObject([{ id: a.start.runId, openElsewhere: true }]);
    await b.store.getState().actions.resumeSavedRun(a.start.runId);
    expect(b.store.getState().savedRunsProblem).toMatch(/open in another tab/);
    expect(b.store.getState().savedRunId).toBe(b.start.runId);
    await b.store.getState().actions.deleteSavedRun(a.start.runId);
    expect(b.store.getState().savedRunsProblem).toMatch(/open in another tab/);
    expect(await indexedDbStorage().get(`run:${a.start.runId}`)).toBeDefined();
  });

  it('over a BroadcastChannel (no Web Locks): a claim held by another tab is refused until released', async () => {
    const channel = `test runs ${Math.random()}`;
    const tabA = broadcastRunLocks(channel, 50);
    const tabB = broadcastRunLocks(channel, 50);
    cleanups.push(() => tabA.close(), () => tabB.close());
    const claim = await tabA.claim('run-1');
    expect(claim).not.toBeNull();
    expect(await tabB.claim('run-1')).toBeNull();
    expect([...(await tabB.heldElsewhere())]).toEqual(['run-1']);
    claim!.release();
    expect(await tabB.claim('run-1')).not.toBeNull();
    expect(await tabA.claim('run-1')).toBeNull();
  });

  it('a reloading tab waits for the page it replaces to let go of its run', async () => {
    const channel = `test runs ${Math.random()}`;
    const leaving = broadcastRunLocks(channel, 20);
    const reloaded = broadcastRunLocks(channel, 20);
    cleanups.push(() => leaving.close(), () => reloaded.close());
    const claim = await leaving.claim('run-1');
    setTimeout(() => claim!.release(), 30);
    expect(await reloaded.claim('run-1', 200)).not.toBeNull();
  });
});

describe('full storage', () => {
  function quotaError(): DOMException {
    return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }

  it('says once how much is needed, keeps the last good record, and training goes on; persistent storage is asked on the first save', async () => {
    const idb = indexedDbStorage();
    let full = false;
    const storage: AutosaveStorage = { ...idb, setMany: (entries) => (full ? Promise.reject(quotaError()) : idb.setMany(entries)) };
    const backend = createFakeBackend();
    let examples = 100;
    backend.answers.exportCheckpoint = () => ({ ...base, examples });
    const store = createDashboardStore(backend);
    cleanups.push(() => store.dispose());
    let persistCalls = 0;
    const autosaver = new Autosaver({
      runs: new SavedRuns(storage),
      runId: 'quota-run',
      page: null,
      persist: async () => void persistCalls++,
      estimate: async () => ({ quota: 50 * 1024 * 1024, usage: 50 * 1024 * 1024 - 1024 }),
    });
    autosaver.attach(store);
    backend.emitUpdate({ stats: { running: true, examplesSeen: 100 } });
    await autosaver.save();
    full = true;
    examples = 200;
    await autosaver.save();
    await autosaver.save();
    const notice = store.getState().notice!;
    expect(notice.split('\n')).toHaveLength(1);
    expect(notice).toMatch(/^Autosave stopped: this site's storage is full \(the run's record needs about \d+\.\d MB, and 0\.0 MB are free\)\./);
    expect(notice).toMatch(/a reload would go back to the last good save \(100 examples\)/);
    expect(((await idb.get('run:quota-run')) as AutosaveRecord).checkpoint.examples).toBe(100);
    expect(store.getState().fault).toBeNull();
    expect(backend.callsTo('pause')).toHaveLength(0);
    expect(persistCalls).toBe(1);
  });
});

describe('the cap on runs kept', () => {
  async function keep(runs: SavedRuns, id: string, savedAt: number) {
    const record: AutosaveRecord = {
      version: 1,
      savedAt,
      checkpoint: { ...base, examples: savedAt },
      lossHistory: [],
      stats: { ...(await import('../../../src/state/store')).EMPTY_STATS },
      config: { definitionText: base.definitionText, seed: base.seed },
    };
    const { summarizeRun } = await import('../../../src/state/autosave-runs');
    await runs.write(id, record, summarizeRun(id, record));
  }

  it('drops the oldest runs beyond the cap with a note, never this tab\'s nor one open elsewhere', async () => {
    const runs = new SavedRuns(indexedDbStorage());
    await keep(runs, 'oldest-1', 1);
    await keep(runs, 'elsewhere-2', 2);
    await keep(runs, 'older-3', 3);
    const lockManager = new FakeLockManager();
    const otherTab = webRunLocks(lockManager as unknown as LockManager);
    const thisTab = webRunLocks(lockManager as unknown as LockManager);
    const held = await otherTab.claim('elsewhere-2');
    cleanups.push(() => held?.release());
    const backend = createFakeBackend();
    backend.answers.exportCheckpoint = () => ({ ...base, examples: 10 });
    const store = createDashboardStore(backend);
    cleanups.push(() => store.dispose());
    const autosaver = new Autosaver({ runs, runId: 'mine-4', locks: thisTab, page: null, persist: null, estimate: null, maxRuns: 2 });
    autosaver.attach(store);
    backend.emitUpdate({ stats: { running: false, examplesSeen: 10 } });
    await autosaver.save();
    expect((await runs.list()).map((run) => run.id).sort()).toEqual(['elsewhere-2', 'mine-4']);
    expect(store.getState().notice).toMatch(/^Autosave keeps at most 2 runs \(500\.0 MB\), so it dropped the oldest: pool · softmax 10 · adadelta at 1 examples; pool · softmax 10 · adadelta at 3 examples\.$/);
  });
});

describe('how often a big network is saved', () => {
  it('every 10 s up to about 1M parameters; longer beyond, so a save takes at most 5% of training', () => {
    expect(periodFor(0)).toBe(AUTOSAVE_PERIOD_MS);
    expect(periodFor(200)).toBe(AUTOSAVE_PERIOD_MS); // ~1M parameters, as measured
    expect(periodFor(800)).toBe(16_000);
    expect(periodFor(801)).toBe(17_000);
  });

  it('before a save is measured, estimates it from the network\'s size', () => {
    const backend = createFakeBackend();
    const store = createDashboardStore(backend);
    cleanups.push(() => store.dispose());
    const autosaver = new Autosaver({ runs: new SavedRuns(indexedDbStorage()), runId: 'size-run', page: null, persist: null, estimate: null });
    autosaver.attach(store);
    const network = (totalParams: number) => ({ layers: [], totalParams, trainer: base.trainer, definitionText: base.definitionText });
    backend.emitUpdate({ stats: { running: true }, network: network(1_000_000) });
    expect(store.getState().autosavePeriodMs).toBe(AUTOSAVE_PERIOD_MS);
    backend.emitUpdate({ stats: { running: true }, network: network(4_000_000) });
    expect(store.getState().autosavePeriodMs).toBe(36_000);
  });

  it('stretches the period by the save time it measures, and shows it in the store', async () => {
    let clock = 0;
    const backend = createFakeBackend();
    // This checkpoint takes 1.5 s to come back (a huge network).
    backend.answers.exportCheckpoint = () => {
      clock += 1500;
      return { ...base, examples: 10 };
    };
    const store = createDashboardStore(backend);
    cleanups.push(() => store.dispose());
    const autosaver = new Autosaver({ runs: new SavedRuns(indexedDbStorage()), runId: 'big-run', page: null, persist: null, estimate: null, now: () => clock });
    autosaver.attach(store);
    expect(store.getState().autosavePeriodMs).toBe(AUTOSAVE_PERIOD_MS);
    backend.emitUpdate({ stats: { running: false, examplesSeen: 10 } });
    await autosaver.save();
    expect(autosaver.periodMs).toBe(30_000);
    expect(store.getState().autosavePeriodMs).toBe(30_000);
    expect(store.getState().autosaveSaveMs).toBe(1500);
  });
});
