import { useCallback, useContext, useEffect, useRef, useState } from 'react';
import { createWorkerComparisonBackend, type ComparisonBackend } from '../../comparison/comparison-client';
import type { ComparisonRequest, ComparisonUpdate } from '../../comparison/protocol';
import { useDashboard, useDashboardActions } from '../../state/store';
import { ComparisonBackendContext } from './comparison-context';

/** idle: nothing started yet; stopped: the last comparison's results stay on show. */
export type ComparisonStatus = 'idle' | 'starting' | 'active' | 'stopped';

export interface ComparisonController {
  status: ComparisonStatus;
  update: ComparisonUpdate | null;
  error: string | null;
  /** The comparison paused the main training, and Stop will resume it. */
  pausedMainTraining: boolean;
  start(request: ComparisonRequest): Promise<void>;
  pauseAll(): Promise<void>;
  resumeAll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs comparisons for the panel. While one is active the main training stays paused
 * (both would share the same two cores); Stop resumes it if the comparison paused it.
 */
export function useComparison(): ComparisonController {
  const provided = useContext(ComparisonBackendContext);
  const backendRef = useRef<ComparisonBackend | null>(provided);
  const actions = useDashboardActions();
  const mainRunning = useDashboard((s) => s.stats?.running ?? false);
  const [status, setStatus] = useState<ComparisonStatus>('idle');
  const [update, setUpdate] = useState<ComparisonUpdate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pausedMainTraining, setPausedMainTraining] = useState(false);
  const mainRunningRef = useRef(mainRunning);
  useEffect(() => {
    mainRunningRef.current = mainRunning;
  }, [mainRunning]);
  const pausedMainRef = useRef(false);

  const backend = useCallback((): ComparisonBackend => {
    backendRef.current ??= provided ?? createWorkerComparisonBackend();
    return backendRef.current;
  }, [provided]);

  // Leaving the page (or unmounting in tests) ends the worker.
  useEffect(() => () => void backendRef.current?.stop(), []);

  const start = useCallback(
    async (request: ComparisonRequest) => {
      setError(null);
      setUpdate(null);
      setStatus('starting');
      const result = await backend().start(request, {
        update: (u) => setUpdate(u),
        fault: (message) => {
          setError(message);
          setStatus('stopped');
        },
      });
      if (!result.ok) {
        setError(result.error);
        setStatus((s) => (s === 'starting' ? 'idle' : s));
        return;
      }
      setStatus('active');
      if (mainRunningRef.current) {
        pausedMainRef.current = true;
        setPausedMainTraining(true);
        await actions.pause();
      }
    },
    [actions, backend],
  );

  const stop = useCallback(async () => {
    await backend().stop();
    setStatus('stopped');
    if (pausedMainRef.current) {
      pausedMainRef.current = false;
      setPausedMainTraining(false);
      await actions.resume();
    }
  }, [actions, backend]);

  const pauseAll = useCallback(() => backend().pause(), [backend]);
  const resumeAll = useCallback(() => backend().resume(), [backend]);

  return { status, update, error, pausedMainTraining, start, pauseAll, resumeAll, stop };
}
