import { useEffect, useMemo, useState } from 'react';
import { useDashboard } from '../../state/store';
import type { LossPoint } from '../../training/protocol';
import { useThrottled } from '../common/useThrottled';
import { pointsToDraw } from './chart-points';

/** Redrawing an SVG chart costs layout work; once a second is plenty for a training curve. */
export const CHART_REFRESH_MS = 1000;
const isEmpty = (list: readonly unknown[]) => list.length === 0;

/**
 * The metrics history as a chart should draw it: throttled to a redraw a second, held still
 * while the chart is off screen (redrawing measures text, which forces a layout), and thinned
 * to what a few hundred pixels can show. A cleared history (or a new run) empties at once.
 *
 * `phaseMs` shifts this chart's redraws against another's: the loss and accuracy charts
 * read the same history, and redrawn in one task they made a main-thread task twice as long.
 */
export function useChartHistory(onScreen: boolean, phaseMs = 0): { points: readonly LossPoint[]; drawn: readonly LossPoint[] } {
  const throttled = useThrottled(
    useDashboard((s) => s.lossHistory),
    CHART_REFRESH_MS,
    isEmpty,
    !onScreen,
  );
  const points = useDelayed(throttled, phaseMs);
  const drawn = useMemo(() => pointsToDraw(points), [points]);
  return { points, drawn };
}

/** The value, `delayMs` later; an emptied list (a cleared graph) at once. */
function useDelayed<T extends readonly unknown[]>(value: T, delayMs: number): T {
  const [shown, setShown] = useState(value);
  const immediate = delayMs <= 0 || isEmpty(value);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    // Remember an immediate value too, so the old curve cannot come back while the next one waits.
    if (immediate) {
      setShown(value);
      return;
    }
    const timer = setTimeout(() => setShown(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, shown, delayMs, immediate]);
  return immediate ? value : shown;
}
