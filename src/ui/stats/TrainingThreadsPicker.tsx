import { useId, useState } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';

/** Threads the page may train on: the browser's logical cores (navigator.hardwareConcurrency), at least 1. */
function coresOfThisMachine(): number {
  const cores = globalThis.navigator?.hardwareConcurrency;
  return Number.isInteger(cores) && cores > 0 ? cores : 1;
}

/**
 * "Training threads" with a picker beside it: 1 up to the cores. Picking restarts the
 * training workers with that many threads, the run going on from a checkpoint (see the
 * store's setTrainingWorkers); the choice goes into the URL's `workers`.
 */
export function TrainingThreadsPicker({ disabled }: { disabled: boolean }) {
  const id = useId();
  const picked = useDashboard((s) => s.trainingWorkers);
  const running = useDashboard((s) => s.stats?.trainingThreads ?? 1);
  const actions = useDashboardActions();
  const [switching, setSwitching] = useState(false);
  const cores = coresOfThisMachine();
  const value = Math.min(picked ?? running, cores);
  const choices = Array.from({ length: cores }, (_, i) => i + 1);

  const pick = async (workers: number) => {
    setSwitching(true);
    try {
      await actions.setTrainingWorkers(workers);
    } finally {
      setSwitching(false);
    }
  };

  return (
    <span className="threads-picker">
      <label htmlFor={id}>Training threads</label>
      <select
        id={id}
        value={value}
        disabled={disabled || switching}
        title={`Threads that share each mini-batch, 1 to this machine's ${cores}; changing it restarts the workers and keeps the run`}
        onChange={(event) => void pick(Number(event.target.value))}
      >
        {choices.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </span>
  );
}
