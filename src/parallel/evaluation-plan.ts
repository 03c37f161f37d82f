/**
 * An evaluation drawn up front: which images, and for each the crop offsets of its passes.
 *
 * The offsets are drawn exactly as `evaluateAccuracy` draws them one image at a time (per
 * image, per pass: x offset, then y), so an evaluation split over any number of replicas,
 * in any order, scores the same images with the same crops and gives the same figure as
 * the one-thread evaluation.
 */
import { MNIST_SIDE } from '../data/mnist';
import { cropGeometry, randomOffset, TEST_TIME_CROPS } from '../data/augment';
import type { CropMode } from '../data/evaluate';
import type { Rng } from '../engine/rng';
import type { Shape } from '../engine/spec';

export interface EvaluationPlan {
  /** Image indices into the evaluated set. */
  images: Int32Array;
  /** Forward passes per image whose outputs are averaged: 1 (center, or a whole 28x28 input) or 4. */
  passes: number;
  /** For image i, pass p: x offset at [2*(i*passes + p)], y offset right after it. */
  offsets: Int32Array;
}

export function planEvaluation(images: Int32Array, inputShape: Shape, mode: CropMode, rng?: Rng): EvaluationPlan {
  const g = cropGeometry(inputShape);
  if (mode === 'center') {
    const offsets = new Int32Array(images.length * 2);
    for (let i = 0; i < images.length; i++) {
      offsets[2 * i] = g.centerX;
      offsets[2 * i + 1] = g.centerY;
    }
    return { images, passes: 1, offsets };
  }
  if (!rng) throw new Error("planEvaluation: '4crop' needs an rng for the random crops");
  // A whole-image input has one possible crop: one pass gives the average (as predictAveragedCrops).
  const passes = g.sx === MNIST_SIDE && g.sy === MNIST_SIDE ? 1 : TEST_TIME_CROPS;
  const offsets = new Int32Array(images.length * passes * 2);
  for (let k = 0; k < images.length * passes; k++) {
    offsets[2 * k] = randomOffset(rng, g.maxOffsetX);
    offsets[2 * k + 1] = randomOffset(rng, g.maxOffsetY);
  }
  return { images, passes, offsets };
}

/**
 * The same plan (each image keeps its crops) with the images of `first` that it holds
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
  const per = plan.passes * 2;
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
  const per = plan.passes * 2;
  return {
    images: plan.images.subarray(start, end),
    passes: plan.passes,
    offsets: plan.offsets.subarray(start * per, end * per),
  };
}
