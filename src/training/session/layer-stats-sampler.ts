/**
 * Per-layer training health over a run (weight norm, gradient norm, update-to-weight
 * ratio per weighted layer), sampled at a low rate for the inspector's history.
 */
import type { Net } from '../../engine/net';
import { l2Norm, updateToWeightRatio } from '../layer-stats';
import type { LayerStatsPoint } from '../protocol';

/** Per-layer samples kept; when full, every other one is dropped, so the history spans the run. */
const MAX_LAYER_STATS_POINTS = 400;

/**
 * Samples per-layer training health at a low rate: when a sample falls due, the weights
 * are copied once, and at the next update the step is compared with them. Between
 * samples nothing is copied, so the hot loop pays one clock read per example.
 */
export class LayerStatsSampler {
  points: LayerStatsPoint[] = [];
  private before: Float32Array | null = null;
  private lastSampleAt = -Infinity;
  private everyMs: number;
  private readonly baseEveryMs: number;

  constructor(everyMs: number) {
    this.everyMs = everyMs;
    this.baseEveryMs = everyMs;
  }

  get awaitingUpdate(): boolean {
    return this.before !== null;
  }

  /** Takes the copy of the weights when a sample is due (and none is waiting). */
  beforeStep(net: Net, now: number): void {
    if (this.before !== null || now - this.lastSampleAt < this.everyMs) return;
    this.lastSampleAt = now;
    this.before = net.params.slice();
  }

  /** Records one point; the net's grads hold the last example's gradient alone. */
  afterUpdate(net: Net, examples: number): void {
    const before = this.before!;
    this.before = null;
    const base = net.params.byteOffset / Float32Array.BYTES_PER_ELEMENT;
    const layers = [];
    for (let index = 0; index < net.layers.length; index++) {
      const group = net.layers[index].params.find((p) => p.kind === 'filters');
      if (!group) continue;
      const start = group.w.byteOffset / Float32Array.BYTES_PER_ELEMENT - base;
      layers.push({
        index,
        weightNorm: l2Norm(group.w),
        gradNorm: l2Norm(group.dw),
        updateRatio: updateToWeightRatio(before, net.params, start, start + group.w.length),
      });
    }
    this.points.push({ examples, layers });
    if (this.points.length > MAX_LAYER_STATS_POINTS) {
      // Keep the first point and every other one after it; sample half as often from now on.
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.everyMs *= 2;
    }
  }

  /** Forgets a copy taken before weights that were then replaced (a roll-back). */
  dropPending(): void {
    this.before = null;
  }

  clear(): void {
    this.points = [];
    this.before = null;
    this.lastSampleAt = -Infinity;
    this.everyMs = this.baseEveryMs;
  }
}
