import { useDashboard, useDashboardActions } from '../../state/store';
import type { SavedRunSummary } from '../../state/types';
import { formatInteger, formatPercent } from '../common/format';
import { useBusy } from '../common/use-busy';
import './autosave.css';

/**
 * The recent runs a page opened fresh offers: each with its network, examples, accuracy
 * and when it was saved, to resume here (paused, as a reload would) or to delete. A run
 * open in another tab says so and offers neither.
 */
export function SavedRunsOffer() {
  const runs = useDashboard((s) => s.savedRuns);
  const problem = useDashboard((s) => s.savedRunsProblem);
  const actions = useDashboardActions();
  const [busy, act] = useBusy();
  if (runs.length === 0) return null;

  return (
    <section className="saved-runs" aria-labelledby="saved-runs-title">
      <div className="saved-runs__header">
        <h2 id="saved-runs-title" className="saved-runs__title">
          Recent runs
        </h2>
        <p className="saved-runs__lead">A new run is training. Resume one of your saved runs instead, or delete those you no longer need.</p>
        <button type="button" className="button" onClick={() => actions.dismissSavedRuns()}>
          Not now
        </button>
      </div>
      {problem && (
        <p className="saved-runs__problem" role="alert">
          {problem}
        </p>
      )}
      <ul className="saved-runs__list">
        {runs.map((run) => (
          <li key={run.id} className="saved-runs__run">
            <RunFacts run={run} />
            <div className="saved-runs__actions">
              {run.openElsewhere ? (
                <span className="saved-runs__elsewhere">Open in another tab</span>
              ) : (
                <>
                  <button
                    type="button"
                    className="button button--primary"
                    disabled={busy}
                    aria-label={`Resume ${runName(run)}`}
                    onClick={act(() => actions.resumeSavedRun(run.id))}
                  >
                    Resume
                  </button>
                  <button type="button" className="button" disabled={busy} aria-label={`Delete ${runName(run)}`} onClick={act(() => actions.deleteSavedRun(run.id))}>
                    Delete
                  </button>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RunFacts({ run }: { run: SavedRunSummary }) {
  return (
    <div className="saved-runs__facts">
      <p className="saved-runs__network">{run.network}</p>
      <p className="saved-runs__numbers">
        {formatInteger(run.examples)} examples · accuracy {formatPercent(run.accuracy)} · {formatInteger(run.params)} parameters · saved{' '}
        <time dateTime={new Date(run.savedAt).toISOString()}>{new Date(run.savedAt).toLocaleString()}</time>
      </p>
    </div>
  );
}

/** How a button names its run to a screen reader: "the run conv 8 · … at 3,000 examples". */
function runName(run: SavedRunSummary): string {
  return `the run ${run.network} at ${formatInteger(run.examples)} examples`;
}
