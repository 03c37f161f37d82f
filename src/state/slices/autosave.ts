/**
 * The autosave slice: the banner about the run found at page load (resumed, refused and
 * why, or open in another tab), the recent-runs offer of a page opened fresh, this tab's
 * run id and how often it is saved. Saving itself is the Autosaver's
 * (src/state/autosave.ts), which watches the store; which run a tab holds is
 * src/state/autosave-tab.ts's.
 */
import type { AutosaveNotice, AutosaveSlice } from '../types';
import type { RestoredRun, Slice, SliceContext } from './context';
import { clearedRun, pointsUpTo } from './run';

type AutosaveActions = 'resumeFromAutosave' | 'startFresh' | 'dismissAutosaveNotice' | 'resumeSavedRun' | 'deleteSavedRun' | 'dismissSavedRuns';

export const createAutosaveSlice: Slice<AutosaveSlice, AutosaveActions> = (context) => {
  const { set, get, options } = context;
  const { restored, autosaveRefusal, savedRuns } = options;
  return {
    autosave: initialNotice(restored, autosaveRefusal, savedRuns?.openElsewhere ?? null),
    savedRunId: savedRuns?.runId ?? null,
    savedRuns: savedRuns ? [...savedRuns.offer] : [],
    savedRunsProblem: null,
    autosavePeriodMs: null,
    autosaveSaveMs: null,
    actions: {
      async resumeFromAutosave() {
        set({ autosave: null });
        await get().actions.resume();
      },
      async startFresh() {
        set({ autosave: null, lastCheckpoint: null, continuesRun: false });
        await options.discardAutosave?.().catch(() => undefined);
        await get().actions.restartTraining();
      },
      dismissAutosaveNotice() {
        set({ autosave: null });
      },
      async resumeSavedRun(id) {
        if (!savedRuns) return;
        set({ savedRunsProblem: null });
        const opened = await savedRuns.open(id);
        if (!opened.ok) {
          set({ savedRunsProblem: opened.error });
          return;
        }
        await continueSavedRun(context, id, opened.run);
      },
      async deleteSavedRun(id) {
        if (!savedRuns) return;
        const removed = await savedRuns.remove(id);
        if (removed.ok) set({ savedRuns: removed.runs, savedRunsProblem: null });
        else set({ savedRunsProblem: removed.error });
      },
      dismissSavedRuns() {
        set({ savedRuns: [], savedRunsProblem: null });
      },
    },
  };
};

function initialNotice(restored: RestoredRun | null | undefined, refusal: string | null | undefined, openElsewhere: string | null): AutosaveNotice | null {
  if (restored) return { kind: 'resumed', examples: restored.checkpoint.examples, savedAt: restored.savedAt };
  if (refusal) return { kind: 'refused', message: refusal };
  if (openElsewhere) return { kind: 'open-elsewhere', message: openElsewhere };
  return null;
}

/**
 * This tab goes on with a saved run, paused, as a reload would have restored it: its chart
 * and statistics at once, then a new worker from its checkpoint. What the tab trained
 * before belongs to its own run (saved under its own id, if it was saved at all).
 */
async function continueSavedRun({ set, get, backend, guarded }: SliceContext, id: string, run: RestoredRun): Promise<void> {
  const state = get();
  const { checkpoint } = run;
  const cleared = clearedRun(state);
  state.chartHistory.add(pointsUpTo(run.lossHistory, checkpoint.examples));
  set({
    ...cleared,
    lossHistory: state.chartHistory.values,
    stats: { ...run.stats, examplesSeen: checkpoint.examples, examplesPerSecond: 0, running: false },
    continuesRun: true,
    lastCheckpoint: checkpoint,
    exampleFrozen: false,
    savedRunId: id,
    savedRuns: [],
    autosave: { kind: 'resumed', examples: checkpoint.examples, savedAt: run.savedAt },
  });
  await guarded('Resuming the saved run', () => backend.restart({ checkpoint, paused: true }), undefined);
}
