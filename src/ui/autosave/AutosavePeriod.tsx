import { useDashboard } from '../../state/store';

/** One line for the Run card: how often the run is autosaved (stretched for big networks). */
export function AutosavePeriod() {
  const periodMs = useDashboard((s) => s.autosavePeriodMs);
  if (periodMs === null) return null;
  return <p className="muted autosave-period">Autosaved every {Math.round(periodMs / 1000)} s while training, and when it pauses.</p>;
}
