import { useMemo } from 'react';
import { useDashboard } from '../../state/store';
import type { LossPoint } from '../../training/protocol';
import { useThrottled } from '../common/useThrottled';
import { pointsToDraw } from './chart-points';

/** Redrawing an SVG chart costs layout work; once a second is plenty for a training curve. */
const CHART_REFRESH_MS = 1000;
const isEmpty = (list: readonly unknown[]) => list.length === 0;

/**
 * The metrics history as a chart should draw it: throttled to a redraw a second, held still
 * while the chart is off screen (redrawing measures text, which forces a layout), and thinned
 * to what a few hundred pixels can show. A cleared history (or a new run) empties at once.
 * The loss and accuracy charts both use it, so their redraws land together, once a second
 * (showing one half a second later, tried twice, gave two long tasks a second instead of one).
 */
export function useChartHistory(onScreen: boolean): { points: readonly LossPoint[]; drawn: readonly LossPoint[] } {
  const points = useThrottled(
    useDashboard((s) => s.lossHistory),
    CHART_REFRESH_MS,
    isEmpty,
    !onScreen,
  );
  const drawn = useMemo(() => pointsToDraw(points), [points]);
  return { points, drawn };
}
