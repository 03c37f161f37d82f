import { useDashboard, useDashboardActions } from '../../state/store';
import { formatInteger } from '../common/format';
import { SavedRunsOffer } from './SavedRunsOffer';
import { useBusy } from '../common/use-busy';
import './autosave.css';

/**
 * What the page did with the autosave it found at load: resumed the run, paused, until the
 * person picks "Resume" or "Start fresh"; or could not use it, and why (a damaged record,
 * or the run open in another tab). Below it, on a page opened fresh, the recent runs.
 */
export function AutosaveBanner() {
  return (
    <>
      <AutosaveNotice />
      <SavedRunsOffer />
    </>
  );
}

function AutosaveNotice() {
  const notice = useDashboard((s) => s.autosave);
  const actions = useDashboardActions();
  const [busy, run] = useBusy();
  if (!notice) return null;

  if (notice.kind === 'refused' || notice.kind === 'open-elsewhere') {
    return (
      <section className="banner autosave-banner autosave-banner--refused" aria-label="Autosave">
        <p role="alert">{notice.message}</p>
        <button type="button" className="button" onClick={() => actions.dismissAutosaveNotice()}>
          Dismiss
        </button>
      </section>
    );
  }
  return (
    <section className="banner autosave-banner" aria-label="Autosave">
      <p role="status">
        Resumed from autosave at {formatInteger(notice.examples)} examples.{' '}
        <span className="banner autosave-banner__when">Saved {new Date(notice.savedAt).toLocaleString()}; training is paused.</span>
      </p>
      <div className="banner autosave-banner__actions">
        <button type="button" className="button button--primary" disabled={busy} onClick={run(() => actions.resumeFromAutosave())}>
          Resume
        </button>
        <button type="button" className="button" disabled={busy} onClick={run(() => actions.startFresh())}>
          Start fresh
        </button>
      </div>
    </section>
  );
}
