import { useState } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import './fault.css';

/** Shown when training stopped for good (the worker failed); offers a fresh start instead of a frozen page. */
export function FaultBanner() {
  const fault = useDashboard((s) => s.fault);
  const actions = useDashboardActions();
  const [restarting, setRestarting] = useState(false);
  if (!fault) return null;
  return (
    <div className="banner fault-banner" role="alert">
      <p>
        <strong>Training stopped.</strong> {fault}
      </p>
      <button
        type="button"
        className="button button--primary"
        disabled={restarting}
        onClick={async () => {
          setRestarting(true);
          try {
            await actions.restartTraining();
          } finally {
            setRestarting(false);
          }
        }}
      >
        Restart training
      </button>
    </div>
  );
}
