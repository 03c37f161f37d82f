/**
 * The metrics charts' history (loss, training and validation accuracy), bounded on long
 * runs. Points arrive one by one at a fixed spacing in examples; when the history would
 * exceed `maxPoints`, neighbouring pairs are averaged into one and from then on every
 * stored point averages twice as many raw points. So spacing stays uniform, the curves
 * keep their shape, and memory never grows past maxPoints.
 * The raw points of a bucket still filling show as one provisional last point, so the
 * charts always end where training is.
 */
import type { LossPoint } from '../training/protocol';

export class LossHistory {
  /** Complete buckets, oldest first; at most maxPoints - 1 (room for the provisional one). */
  private points: LossPoint[] = [];
  private view: LossPoint[] = [];
  /** Raw points per stored point (a power of two). */
  private bucket = 1;
  private pending = new PointMean();

  constructor(readonly maxPoints = 2000) {
    if (maxPoints < 3) throw new Error('LossHistory needs room for at least 3 points');
  }

  /** Adds raw points; returns true when the history shown changed. */
  add(raw: readonly LossPoint[]): boolean {
    let changed = false;
    for (const p of raw) {
      if (!Number.isFinite(p.loss)) continue;
      changed = true;
      this.pending.add(p);
      if (this.pending.count < this.bucket) continue;
      // A stored point sits at the last example of its bucket.
      this.points.push(this.pending.mean());
      this.pending = new PointMean();
      if (this.points.length >= this.maxPoints) {
        this.points = halve(this.points);
        this.bucket *= 2;
      }
    }
    if (changed) this.rebuildView();
    return changed;
  }

  /** What the charts show, oldest first. A new array whenever it changes (for React). */
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
    this.pending = new PointMean();
  }

  private rebuildView(): void {
    this.view = this.pending.count > 0 ? [...this.points, this.pending.mean()] : this.points.slice();
  }
}

/**
 * Averages chart points into one placed at the last point's examples. Each accuracy, and the
 * classification loss, is the mean of the points that had one; when none had, the field is
 * left out (no data).
 */
export class PointMean {
  count = 0;
  private examples = 0;
  private loss = 0;
  private classification = new FieldMean();
  private training = new FieldMean();
  private validation = new FieldMean();

  add(p: LossPoint): void {
    this.count++;
    this.examples = p.examples;
    this.loss += p.loss;
    this.classification.add(p.classificationLoss);
    this.training.add(p.trainingAccuracy);
    this.validation.add(p.validationAccuracy);
  }

  mean(): LossPoint {
    const point: LossPoint = { examples: this.examples, loss: this.loss / this.count };
    if (this.classification.count > 0) point.classificationLoss = this.classification.mean();
    if (this.training.count > 0) point.trainingAccuracy = this.training.mean();
    if (this.validation.count > 0) point.validationAccuracy = this.validation.mean();
    return point;
  }
}

class FieldMean {
  count = 0;
  private sum = 0;

  add(value: number | null | undefined): void {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    this.count++;
    this.sum += value;
  }

  mean(): number {
    return this.sum / this.count;
  }
}

/** Averages neighbouring pairs; an odd oldest point stays alone so pairs end at the newest. */
function halve(pts: readonly LossPoint[]): LossPoint[] {
  const merged: LossPoint[] = [];
  let i = 0;
  if (pts.length % 2 === 1) merged.push(pts[i++]);
  for (; i < pts.length; i += 2) {
    const pair = new PointMean();
    pair.add(pts[i]);
    pair.add(pts[i + 1]);
    merged.push(pair.mean());
  }
  return merged;
}
