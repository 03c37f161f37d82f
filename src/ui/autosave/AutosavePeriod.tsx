import { useDashboard } from '../../state/store';

/** One line for the Run card: how often the run is autosaved (stretched for big networks) and what a save costs. */
export function AutosavePeriod() {
  const periodMs = useDashboard((s) => s.autosavePeriodMs);
  const saveMs = useDashboard((s) => s.autosaveSaveMs);
  if (periodMs === null) return null;
  const cost = saveMs === null ? '' : ` (the last save took ${(saveMs / 1000).toFixed(2)} s)`;
  return (
    <p className="muted autosave-period">
      Autosaved every {Math.round(periodMs / 1000)} s while training, and when it pauses{cost}.
    </p>
  );
}
