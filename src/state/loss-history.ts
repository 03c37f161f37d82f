/**
 * The loss chart's history, bounded on long runs. Points arrive one by one at a fixed
 * spacing in examples; when the history would exceed `maxPoints`, neighbouring pairs are
 * averaged into one and from then on every stored point averages twice as many raw points.
 * So spacing stays uniform, the curve keeps its shape, and memory never grows past maxPoints.
 * The raw points of a bucket still filling show as one provisional last point, so the
 * chart always ends where training is.
 */
import type { LossPoint } from '../training/protocol';

export class LossHistory {
  /** Complete buckets, oldest first; at most maxPoints - 1 (room for the provisional one). */
  private points: LossPoint[] = [];
  private view: LossPoint[] = [];
  /** Raw points per stored point (a power of two). */
  private bucket = 1;
  private pendingCount = 0;
  private pendingLoss = 0;
  private pendingExamples = 0;

  constructor(readonly maxPoints = 2000) {
    if (maxPoints < 3) throw new Error('LossHistory needs room for at least 3 points');
  }

  /** Adds raw points; returns true when the history shown changed. */
  add(raw: readonly LossPoint[]): boolean {
    let changed = false;
    for (const p of raw) {
      if (!Number.isFinite(p.loss)) continue;
      changed = true;
      this.pendingCount++;
      this.pendingLoss += p.loss;
      this.pendingExamples = p.examples;
      if (this.pendingCount < this.bucket) continue;
      // A stored point sits at the last example of its bucket.
      this.points.push({ examples: p.examples, loss: this.pendingLoss / this.pendingCount });
      this.pendingCount = 0;
      this.pendingLoss = 0;
      if (this.points.length >= this.maxPoints) {
        this.points = halve(this.points);
        this.bucket *= 2;
      }
    }
    if (changed) this.rebuildView();
    return changed;
  }

  /** What the chart shows, oldest first. A new array whenever it changes (for React). */
  get values(): LossPoint[] {
    return this.view;
  }

  get pointsPerBucket(): number {
    return this.bucket;
  }

  clear(): void {
    this.points = [];
    this.view = [];
    this.bucket = 1;
    this.pendingCount = 0;
    this.pendingLoss = 0;
  }

  private rebuildView(): void {
    this.view =
      this.pendingCount > 0
        ? [...this.points, { examples: this.pendingExamples, loss: this.pendingLoss / this.pendingCount }]
        : this.points.slice();
  }
}

/** Averages neighbouring pairs; an odd oldest point stays alone so pairs end at the newest. */
function halve(pts: readonly LossPoint[]): LossPoint[] {
  const merged: LossPoint[] = [];
  let i = 0;
  if (pts.length % 2 === 1) merged.push(pts[i++]);
  for (; i < pts.length; i += 2) {
    merged.push({ examples: pts[i + 1].examples, loss: (pts[i].loss + pts[i + 1].loss) / 2 });
  }
  return merged;
}
