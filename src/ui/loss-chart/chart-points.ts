import type { LossPoint } from '../../training/protocol';

/**
 * The chart is a few hundred pixels wide: more points than this cost rendering time
 * (recharts walks every point on each redraw) without changing the picture.
 */
export const MAX_DRAWN_POINTS = 400;

/**
 * At most `max` points for drawing: equal runs of consecutive points averaged, the runs
 * ending at the newest point, each placed at its run's last example. Fewer points pass
 * through unchanged (the same array).
 */
export function pointsToDraw(points: readonly LossPoint[], max = MAX_DRAWN_POINTS): readonly LossPoint[] {
  if (points.length <= max) return points;
  const run = Math.ceil(points.length / max);
  const drawn: LossPoint[] = [];
  for (let end = points.length; end > 0; end -= run) {
    const start = Math.max(0, end - run);
    let sum = 0;
    for (let i = start; i < end; i++) sum += points[i]!.loss;
    drawn.push({ examples: points[end - 1]!.examples, loss: sum / (end - start) });
  }
  return drawn.reverse();
}
