/**
 * What the inspector reads from the training side, pulled only while it is open: the
 * views of its layer and the input layer (a few times a second while training runs,
 * once per change while paused), and the per-layer training history (every two seconds).
 * The network panels' own refresh cycle is left alone.
 */
import { startTransition, useCallback, useEffect, useState } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import type { LayerView, LayerStatsPoint } from '../../training/protocol';

export const INSPECTOR_VIEWS_PERIOD_MS = 250;
export const INSPECTOR_HISTORY_PERIOD_MS = 2000;

/** Runs `task` now, then every `periodMs` while `repeat` holds; again whenever `key` changes. One request at a time. */
function usePolling(task: (isCurrent: () => boolean) => Promise<void>, periodMs: number, repeat: boolean, key: unknown): void {
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const isCurrent = () => !cancelled;
    const run = async () => {
      await task(isCurrent);
      if (!cancelled && repeat) timer = setTimeout(() => void run(), periodMs);
    };
    void run();
    return () => {
      cancelled = true;
      if (timer !== null) clearTimeout(timer);
    };
  }, [task, periodMs, repeat, key]);
}

/** While paused, the views change only when something happens: a step, a new image, a freeze. */
function usePausedChangeKey(): { running: boolean; key: string } {
  // One string, so the 10-a-second statistics pushes of a running session re-render nothing.
  const key = useDashboard((s) =>
    s.stats?.running ? 'running' : `${s.stats?.examplesSeen ?? 0}:${s.exampleFrozen}:${s.userImage !== null}`,
  );
  return { running: key === 'running', key };
}

export interface InspectorViews {
  /** Each is null until it arrives, and always belongs to the layer asked for. */
  layer: LayerView | null;
  input: LayerView | null;
}

export function useInspectorViews(index: number, layerCount: number): InspectorViews {
  const actions = useDashboardActions();
  const network = useDashboard((s) => s.network);
  const { running, key } = usePausedChangeKey();
  const [views, setViews] = useState<InspectorViews>({ layer: null, input: null });
  const valid = index >= 0 && index < layerCount;

  const task = useCallback(
    async (isCurrent: () => boolean) => {
      if (!valid) return;
      const answer = await actions.layerViews(index === 0 ? [0] : [0, index]);
      if (!isCurrent()) return;
      // A transition: React renders the many pictures and charts in small slices, so a
      // refresh never holds the main thread for long.
      startTransition(() =>
        setViews({
          layer: answer.find((s) => s.index === index) ?? null,
          input: answer.find((s) => s.index === 0) ?? null,
        }),
      );
    },
    // A new network object (new run, changed trainer) asks again at once.
    [actions, index, valid, network],
  );
  usePolling(task, INSPECTOR_VIEWS_PERIOD_MS, running, key);
  return {
    layer: views.layer?.index === index ? views.layer : null,
    input: views.input,
  };
}

export function useLayerTrainingHistory(): LayerStatsPoint[] {
  const actions = useDashboardActions();
  const network = useDashboard((s) => s.network);
  const { running, key } = usePausedChangeKey();
  const [history, setHistory] = useState<LayerStatsPoint[]>([]);
  const task = useCallback(
    async (isCurrent: () => boolean) => {
      const points = await actions.layerTrainingHistory();
      if (!isCurrent()) return;
      startTransition(() => setHistory((shown) => (sameHistory(shown, points) ? shown : points)));
    },
    [actions, network],
  );
  usePolling(task, INSPECTOR_HISTORY_PERIOD_MS, running, key);
  return history;
}

/** Points are only ever added (or all dropped for a new run), so length and last point tell. */
function sameHistory(a: readonly LayerStatsPoint[], b: readonly LayerStatsPoint[]): boolean {
  return a.length === b.length && a.at(-1)?.examples === b.at(-1)?.examples;
}
