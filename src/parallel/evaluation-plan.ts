/**
 * An evaluation drawn up front: which images, and for each the windows of its passes.
 *
 * The windows are drawn exactly as `evaluateAccuracy` draws them one image at a time (per
 * image, per pass, by the dataset's policy: for MNIST's crops x offset, then y), so an
 * evaluation split over any number of replicas, in any order, scores the same images
 * through the same windows and gives the same figure as the one-thread evaluation.
 */
import { MNIST_SHAPE, type DatasetShape } from '../data/dataset';
import { centerPlacement, checkInputFits, testTimePlacements, type Placement } from '../data/dataset-inputs';
import type { CropMode } from '../data/evaluate';
import type { Rng } from '../engine/rng';
import type { Shape } from '../engine/spec';

/** Int32 values per pass in a plan's `windows`: x offset, y offset, mirrored (1) or not (0). */
export const WINDOW_STRIDE = 3;

export interface EvaluationPlan {
  /** Image indices into the evaluated set. */
  images: Int32Array;
  /**
   * Forward passes per image whose outputs are averaged: 1 (center, or a whole-image
   * input under random crops), else the policy's test-time count (4 crops for MNIST).
   */
  passes: number;
  /** For image i, pass p: x offset at [3*(i*passes + p)], then the y offset and the flip. */
  offsets: Int32Array;
}

export function planEvaluation(
  images: Int32Array,
  inputShape: Shape,
  mode: CropMode,
  rng?: Rng,
  dataset: DatasetShape = MNIST_SHAPE,
): EvaluationPlan {
  checkInputFits(inputShape, dataset);
  if (mode === 'center') {
    const offsets = new Int32Array(images.length * WINDOW_STRIDE);
    const center = centerPlacement(inputShape, dataset);
    for (let i = 0; i < images.length; i++) writeWindow(offsets, i, center);
    return { images, passes: 1, offsets };
  }
  if (!rng) throw new Error("planEvaluation: '4crop' needs an rng for the test-time windows");
  let offsets = new Int32Array(0);
  let passes = 0;
  for (let i = 0; i < images.length; i++) {
    // Drawn per image, in the order the one-thread averaging draws them.
    const placements = testTimePlacements(inputShape, dataset, rng);
    if (i === 0) {
      passes = placements.length;
      offsets = new Int32Array(images.length * passes * WINDOW_STRIDE);
    }
    placements.forEach((placement, p) => writeWindow(offsets, i * passes + p, placement));
  }
  return { images, passes: images.length === 0 ? 1 : passes, offsets };
}

function writeWindow(offsets: Int32Array, k: number, placement: Placement): void {
  offsets[WINDOW_STRIDE * k] = placement.offsetX;
  offsets[WINDOW_STRIDE * k + 1] = placement.offsetY;
  offsets[WINDOW_STRIDE * k + 2] = placement.flip ? 1 : 0;
}

/**
 * The same plan (each image keeps its windows) with the images of `first` that it holds
 * moved to the front, in the order of `first`; the rest follow in plan order. An
 * evaluation that stops once a target is out of reach gets there sooner when the likely
 * mistakes (say, earlier evaluations') come first; a complete one counts the same images
 * either way.
 */
export function frontLoad(plan: EvaluationPlan, first: Iterable<number>): EvaluationPlan {
  const n = plan.images.length;
  const position = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!position.has(plan.images[i])) position.set(plan.images[i], i);
  const order: number[] = [];
  const moved = new Set<number>();
  for (const image of first) {
    const at = position.get(image);
    if (at === undefined || moved.has(at)) continue;
    moved.add(at);
    order.push(at);
  }
  if (order.length === 0) return plan;
  for (let i = 0; i < n; i++) if (!moved.has(i)) order.push(i);
  const per = plan.passes * WINDOW_STRIDE;
  const images = new Int32Array(n);
  const offsets = new Int32Array(plan.offsets.length);
  order.forEach((from, to) => {
    images[to] = plan.images[from];
    offsets.set(plan.offsets.subarray(from * per, (from + 1) * per), to * per);
  });
  return { images, passes: plan.passes, offsets };
}

/** Images [start, end) of a plan, as views (no copy). */
export function slicePlan(plan: EvaluationPlan, start: number, end: number): EvaluationPlan {
  const per = plan.passes * WINDOW_STRIDE;
  return {
    images: plan.images.subarray(start, end),
    passes: plan.passes,
    offsets: plan.offsets.subarray(start * per, end * per),
  };
}
