/**
 * A run's curves, bounded on long comparisons the way the loss chart's history is
 * (src/state/loss-history.ts): points arrive at a fixed spacing in examples; when the
 * history would exceed `maxPoints`, neighbouring pairs are averaged into one and every
 * stored point from then on averages twice as many raw points. Spacing stays uniform and
 * memory never grows past maxPoints. The bucket still filling shows as a provisional last
 * point, so each curve ends where its run is.
 */
import type { CurvePoint } from './protocol';

/** Running sums of a bucket; an accuracy is averaged over the points that had one. */
class Bucket {
  count = 0;
  examples = 0;
  loss = 0;
  training = 0;
  trainingCount = 0;
  validation = 0;
  validationCount = 0;

  add(p: CurvePoint): void {
    this.count++;
    this.examples = p.examples;
    this.loss += p.loss;
    if (p.trainingAccuracy !== null) {
      this.training += p.trainingAccuracy;
      this.trainingCount++;
    }
    if (p.validationAccuracy !== null) {
      this.validation += p.validationAccuracy;
      this.validationCount++;
    }
  }

  mean(): CurvePoint {
    return {
      examples: this.examples,
      loss: this.loss / this.count,
      trainingAccuracy: this.trainingCount > 0 ? this.training / this.trainingCount : null,
      validationAccuracy: this.validationCount > 0 ? this.validation / this.validationCount : null,
    };
  }
}

export class CurveHistory {
  /** Complete buckets, oldest first; at most maxPoints - 1 (room for the provisional one). */
  private points: CurvePoint[] = [];
  /** Raw points per stored point (a power of two). */
  private bucketSize = 1;
  private pending = new Bucket();

  constructor(readonly maxPoints = 400) {
    if (maxPoints < 3) throw new Error('CurveHistory needs room for at least 3 points');
  }

  add(point: CurvePoint): void {
    if (!Number.isFinite(point.loss)) return;
    this.pending.add(point);
    if (this.pending.count < this.bucketSize) return;
    // A stored point sits at the last example of its bucket.
    this.points.push(this.pending.mean());
    this.pending = new Bucket();
    if (this.points.length >= this.maxPoints) {
      this.points = halve(this.points);
      this.bucketSize *= 2;
    }
  }

  /** The curve to draw, oldest first (a new array). */
  values(): CurvePoint[] {
    return this.pending.count > 0 ? [...this.points, this.pending.mean()] : this.points.slice();
  }

  get pointsPerBucket(): number {
    return this.bucketSize;
  }
}

function meanOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return (a + b) / 2;
}

/** Averages neighbouring pairs; an odd oldest point stays alone so pairs end at the newest. */
function halve(points: readonly CurvePoint[]): CurvePoint[] {
  const merged: CurvePoint[] = [];
  let i = 0;
  if (points.length % 2 === 1) merged.push(points[i++]!);
  for (; i < points.length; i += 2) {
    const a = points[i]!;
    const b = points[i + 1]!;
    merged.push({
      examples: b.examples,
      loss: (a.loss + b.loss) / 2,
      trainingAccuracy: meanOf(a.trainingAccuracy, b.trainingAccuracy),
      validationAccuracy: meanOf(a.validationAccuracy, b.validationAccuracy),
    });
  }
  return merged;
}
