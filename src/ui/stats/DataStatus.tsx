import { useDashboard, useDashboardActions } from '../../state/store';
import './stats.css';

/** The data-loading progress bar while MNIST downloads, and the failure message with Retry. */
export function DataStatus() {
  const data = useDashboard((s) => s.data);
  const actions = useDashboardActions();

  if (data.phase === 'ready') return null;
  if (data.phase === 'error') {
    return (
      <div className="notice notice--error" role="alert">
        <p>Could not load the MNIST data{data.message ? `: ${data.message}` : '.'}</p>
        <button type="button" className="button" onClick={() => void actions.retryData()}>
          Retry
        </button>
      </div>
    );
  }
  const known = data.total > 0;
  return (
    <div className="data-progress">
      <label htmlFor="data-progress-bar">Loading MNIST data</label>
      <progress
        id="data-progress-bar"
        max={known ? data.total : undefined}
        value={known ? Math.min(data.loaded, data.total) : undefined}
      />
      {data.message ? <p className="muted">{data.message}</p> : null}
    </div>
  );
}
