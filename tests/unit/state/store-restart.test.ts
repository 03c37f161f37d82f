import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeBackend, type FakeBackend } from '../../../src/state/fake-backend';
import { createDashboardStore, EMPTY_STATS, type DashboardStore, type DashboardStoreOptions } from '../../../src/state/store';
import type { SessionCheckpoint } from '../../../src/training/checkpoint';
import type { LossPoint } from '../../../src/training/protocol';
import { tinyCheckpoint } from '../helpers/checkpoint-fixture';

let checkpointAt1200: SessionCheckpoint;
beforeAll(async () => {
  checkpointAt1200 = await tinyCheckpoint(1200);
});

const stores: DashboardStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.dispose();
});

function setup(options: DashboardStoreOptions = {}): { backend: FakeBackend; store: DashboardStore } {
  const backend = createFakeBackend();
  const store = createDashboardStore(backend, options);
  stores.push(store);
  return { backend, store };
}

/** Chart points every 200 examples from `from` to `to`. */
function points(from: number, to: number): LossPoint[] {
  const out: LossPoint[] = [];
  for (let e = from; e <= to; e += 200) out.push({ examples: e, loss: 1000 / e });
  return out;
}

const examplesOf = (store: DashboardStore) => store.getState().lossHistory.map((p) => p.examples);

describe('restart after a worker fault', () => {
  it('goes back to the last checkpoint: a new worker from it, the chart and statistics kept up to it', async () => {
    const { backend, store } = setup();
    backend.answers.exportCheckpoint = () => checkpointAt1200;
    backend.emitUpdate({ runId: 1, stats: { running: true, examplesSeen: 1200, classificationLoss: 0.4 }, lossPoints: points(200, 1200) });
    expect(await store.getState().actions.exportCheckpoint()).toBe(checkpointAt1200);
    backend.emitUpdate({ stats: { examplesSeen: 1700 }, lossPoints: points(1400, 1600) });
    backend.emitFault('The training worker stopped answering (no reply for 5 s): it was closed or ran out of memory.');

    await store.getState().actions.restartTraining();
    expect(backend.callsTo('restart')).toEqual([[{ checkpoint: checkpointAt1200, paused: false }]]);
    let s = store.getState();
    expect(s.fault).toBeNull();
    // The training after the checkpoint is lost, so its points go; the rest stays.
    expect(examplesOf(store)).toEqual([200, 400, 600, 800, 1000, 1200]);
    expect(s.stats?.examplesSeen).toBe(1200);
    expect(s.stats?.classificationLoss).toBe(0.4);

    // The new worker's run (its own run id, 1 again) continues the chart instead of clearing it.
    backend.emitUpdate({ runId: 1, stats: { running: true, examplesSeen: 1400 }, lossPoints: points(1400, 1400) });
    expect(examplesOf(store)).toEqual([200, 400, 600, 800, 1000, 1200, 1400]);
    s = store.getState();
    expect(s.stats?.running).toBe(true);
  });

  it('starts fresh when there is no checkpoint yet (the worker died before the first save)', async () => {
    const { backend, store } = setup();
    backend.emitUpdate({ runId: 1, stats: { running: true }, lossPoints: points(200, 600) });
    backend.emitFault('boom');
    await store.getState().actions.restartTraining();
    expect(backend.callsTo('restart')).toEqual([[]]);
    expect(store.getState().lossHistory).toEqual([]);
  });

  it('does not go back to a checkpoint of a network that was replaced since', async () => {
    const { backend, store } = setup();
    backend.answers.exportCheckpoint = () => checkpointAt1200;
    backend.emitUpdate({ runId: 1, stats: { running: true }, lossPoints: points(200, 1200) });
    await store.getState().actions.exportCheckpoint();
    backend.emitUpdate({ runId: 2, stats: { running: true, examplesSeen: 0 } }); // a new network
    backend.emitFault('boom');
    await store.getState().actions.restartTraining();
    expect(backend.callsTo('restart')).toEqual([[]]);
  });

  it('gets no checkpoint from a worker that does not answer, and keeps the previous one', async () => {
    const { backend, store } = setup();
    backend.answers.exportCheckpoint = () => checkpointAt1200;
    backend.emitUpdate({ runId: 1, stats: { running: true } });
    await store.getState().actions.exportCheckpoint();
    backend.answers.exportCheckpoint = () => {
      throw new Error('gone');
    };
    expect(await store.getState().actions.exportCheckpoint()).toBeNull();
    backend.emitFault('boom');
    expect(await store.getState().actions.exportCheckpoint()).toBeNull();
    await store.getState().actions.restartTraining();
    expect(backend.callsTo('restart')).toEqual([[{ checkpoint: checkpointAt1200, paused: false }]]);
  });
});

describe('a run restored from the autosave at page load', () => {
  const restoredRun = () => ({
    checkpoint: checkpointAt1200,
    // Saved a moment after the checkpoint: a point past it is dropped.
    lossHistory: points(200, 1400),
    stats: { ...EMPTY_STATS, running: true, examplesSeen: 1300, classificationLoss: 0.5 },
    savedAt: 1_700_000_000_000,
  });

  it('shows the saved chart and statistics at once, paused, and starts the worker from the checkpoint', () => {
    const { backend, store } = setup({ restored: restoredRun() });
    expect(backend.callsTo('connect')).toEqual([[{ checkpoint: checkpointAt1200, paused: true }]]);
    const s = store.getState();
    expect(examplesOf(store)).toEqual([200, 400, 600, 800, 1000, 1200]);
    expect(s.stats).toMatchObject({ examplesSeen: 1200, running: false, classificationLoss: 0.5 });
    expect(s.autosave).toEqual({ kind: 'resumed', examples: 1200, savedAt: 1_700_000_000_000 });
    // The restored worker's first push continues the run the chart shows.
    backend.emitUpdate({ runId: 1, stats: { running: false, examplesSeen: 1200 } });
    expect(examplesOf(store)).toEqual([200, 400, 600, 800, 1000, 1200]);
  });

  it('"Resume" trains on and hides the banner', async () => {
    const { backend, store } = setup({ restored: restoredRun() });
    backend.emitUpdate({ runId: 1, stats: { running: false, examplesSeen: 1200 } });
    await store.getState().actions.resumeFromAutosave();
    expect(backend.callsTo('resume')).toHaveLength(1);
    expect(store.getState().autosave).toBeNull();
    expect(store.getState().stats?.running).toBe(true);
  });

  it('"Start fresh" forgets the autosave and starts a new run from the default or the link', async () => {
    let discarded = 0;
    const { backend, store } = setup({ restored: restoredRun(), discardAutosave: async () => void discarded++ });
    backend.emitUpdate({ runId: 1, stats: { running: false, examplesSeen: 1200 } });
    await store.getState().actions.startFresh();
    expect(discarded).toBe(1);
    expect(backend.callsTo('restart')).toEqual([[]]);
    expect(store.getState().autosave).toBeNull();
    expect(store.getState().lossHistory).toEqual([]);
    backend.emitUpdate({ runId: 1, stats: { running: true, examplesSeen: 0 } });
    expect(store.getState().lossHistory).toEqual([]);
  });

  it('when the worker refuses the checkpoint, drops what was restored, says why and forgets the autosave', () => {
    let discarded = 0;
    const { backend, store } = setup({ restored: restoredRun(), discardAutosave: async () => void discarded++ });
    backend.emitUpdate({ runId: 1, stats: { running: true, examplesSeen: 0 } });
    backend.emitResumeRefused('The saved run cannot be restored: it holds 10 weights, but its network has 20.');
    expect(store.getState().lossHistory).toEqual([]);
    expect(store.getState().autosave).toEqual({
      kind: 'refused',
      message: 'The saved run cannot be restored: it holds 10 weights, but its network has 20.',
    });
    expect(discarded).toBe(1);
    backend.emitUpdate({ stats: { examplesSeen: 200 }, lossPoints: points(200, 200) });
    expect(examplesOf(store)).toEqual([200]);
  });

  it('shows why an autosave found at load could not be used', () => {
    const { store } = setup({ autosaveRefusal: 'The autosaved run could not be restored, so a fresh run starts: params holds NaN.' });
    expect(store.getState().autosave).toEqual({ kind: 'refused', message: expect.stringMatching(/params holds NaN/) });
    store.getState().actions.dismissAutosaveNotice();
    expect(store.getState().autosave).toBeNull();
  });
});
