import { useId, useState, type FormEvent } from 'react';
import { parseSeed } from '../../state/run-url';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import './run.css';
import { FieldError } from '../common/ErrorNotice';
import { AutosavePeriod } from '../autosave/AutosavePeriod';

/**
 * The run as something to repeat and share: the seed in force with "Reset" (the same
 * network and trainer from fresh weights drawn with that seed), and "Copy link" (the
 * address bar always holds the network, trainer and seed; see followRunInUrl).
 */
export function RunControls() {
  const seedInForce = useDashboard((s) => s.network?.seed ?? null);
  const started = useDashboard((s) => s.network !== null);
  const actions = useDashboardActions();
  const seedId = useId();
  const helpId = useId();
  const errorId = useId();
  /** What the person typed, until a Reset with it is accepted; null shows the seed in force. */
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = draft ?? (seedInForce === null ? '' : String(seedInForce));

  async function reset(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    const parsed = parseSeed(shown);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setBusy(true);
    const result = await actions.restartRun(parsed.seed);
    setBusy(false);
    if (result.ok) {
      setDraft(null);
      setStatus(`Training restarted from fresh weights drawn with seed ${parsed.seed}.`);
    } else {
      setError(result.error);
    }
  }

  async function copyLink() {
    setStatus(null);
    try {
      await navigator.clipboard.writeText(window.location.href);
      setStatus('Link copied. Opening it trains this network and trainer from the same seed.');
    } catch {
      setStatus('The link could not be copied here; copy the address from the address bar instead.');
    }
  }

  return (
    <Card title="Run" className="run-card">
      <RunNotice />
      <form className="run-form" onSubmit={reset} noValidate>
        <div className="field">
          <label htmlFor={seedId}>Seed</label>
          <input
            id={seedId}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            value={shown}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${errorId} ${helpId}` : helpId}
            onChange={(e) => {
              setDraft(e.target.value);
              setError(null);
            }}
          />
          <FieldError id={errorId} message={error} />
        </div>
        <div className="button-row">
          <button type="submit" className="button" disabled={!started || busy}>
            Reset
          </button>
          <button type="button" className="button" onClick={() => void copyLink()}>
            Copy link
          </button>
        </div>
      </form>
      <p id={helpId} className="muted">
        The seed draws the first weights, the order and crops of the training examples and the validation
        split. Reset starts this network and trainer over from fresh weights drawn with the seed. The page
        address holds the network, the trainer and the seed, so the link reproduces this run.
      </p>
      <AutosavePeriod />
      <p className="run-status" role="status">
        {status}
      </p>
    </Card>
  );
}

/** What the page could not take from a shared link (or other news that did not stop training). */
function RunNotice() {
  const notice = useDashboard((s) => s.notice);
  const actions = useDashboardActions();
  if (!notice) return null;
  return (
    <div className="run-notice" role="alert">
      <p>{notice}</p>
      <button type="button" className="button" onClick={() => actions.dismissNotice()}>
        Dismiss
      </button>
    </div>
  );
}
