/**
 * The comparison slice: the trainer comparison's run (its own worker, see src/comparison).
 * While a comparison is active the main training stays paused, since both would share
 * the same cores; stopping resumes it if the comparison paused it.
 */
import { createWorkerComparisonBackend, type ComparisonBackend } from '../../comparison/comparison-client';
import type { ComparisonSlice, ComparisonState } from '../types';
import type { Slice } from './context';

type ComparisonActions = 'startComparison' | 'pauseComparison' | 'resumeComparison' | 'stopComparison';

const IDLE_COMPARISON: ComparisonState = { status: 'idle', update: null, error: null, pausedMainTraining: false };

/** The comparison backend: the one given, or a comparison worker made on first use. */
export function comparisonBackendOf(given: ComparisonBackend | undefined): () => ComparisonBackend {
  let backend = given ?? null;
  return () => (backend ??= createWorkerComparisonBackend());
}

export const createComparisonSlice =
  (comparisonBackend: () => ComparisonBackend): Slice<ComparisonSlice, ComparisonActions> =>
  ({ set, get }) => {
    const patch = (changes: Partial<ComparisonState>) => set({ comparison: { ...get().comparison, ...changes } });
    return {
      comparison: IDLE_COMPARISON,
      actions: {
        async startComparison(request) {
          patch({ error: null, update: null, status: 'starting' });
          const result = await comparisonBackend().start(request, {
            update: (update) => patch({ update }),
            fault: (message) => patch({ error: message, status: 'stopped' }),
          });
          if (!result.ok) {
            patch({ error: result.error, status: get().comparison.status === 'starting' ? 'idle' : get().comparison.status });
            return;
          }
          patch({ status: 'active' });
          if (get().stats?.running ?? false) {
            patch({ pausedMainTraining: true });
            await get().actions.pause();
          }
        },
        pauseComparison: () => comparisonBackend().pause(),
        resumeComparison: () => comparisonBackend().resume(),
        async stopComparison() {
          await comparisonBackend().stop();
          const pausedMain = get().comparison.pausedMainTraining;
          patch({ status: 'stopped', pausedMainTraining: false });
          if (pausedMain) await get().actions.resume();
        },
      },
    };
  };
