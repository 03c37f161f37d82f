/**
 * The autosave slice: the banner about the run found at page load (resumed, or refused
 * and why) and its buttons. Saving itself is the Autosaver's (src/state/autosave.ts),
 * which watches the store.
 */
import type { AutosaveSlice } from '../types';
import type { Slice } from './context';

export const createAutosaveSlice: Slice<AutosaveSlice, 'resumeFromAutosave' | 'startFresh' | 'dismissAutosaveNotice'> = ({ set, get, options }) => {
  const { restored, autosaveRefusal } = options;
  return {
    autosave: restored
      ? { kind: 'resumed', examples: restored.checkpoint.examples, savedAt: restored.savedAt }
      : autosaveRefusal
        ? { kind: 'refused', message: autosaveRefusal }
        : null,
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
    },
  };
};
