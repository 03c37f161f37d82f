import { PointMean } from '../../state/loss-history';
import type { LossPoint } from '../../training/protocol';

/**
 * The chart is a few hundred pixels wide: more points than this cost rendering time
 * (recharts walks every point on each redraw) without changing the picture.
 */
export const MAX_DRAWN_POINTS = 120;

/**
 * At most `max` points for drawing: equal runs of consecutive points averaged (loss and
 * accuracies), the runs ending at the newest point, each placed at its run's last example.
 * Fewer points pass through unchanged (the same array).
 */
export function pointsToDraw(points: readonly LossPoint[], max = MAX_DRAWN_POINTS): readonly LossPoint[] {
  if (points.length <= max) return points;
  const run = Math.ceil(points.length / max);
  const drawn: LossPoint[] = [];
  for (let end = points.length; end > 0; end -= run) {
    const start = Math.max(0, end - run);
    const mean = new PointMean();
    for (let i = start; i < end; i++) mean.add(points[i]!);
    drawn.push(mean.mean());
  }
  return drawn.reverse();
}
