/**
 * The arithmetic every replica runs, the coordinator's own included: training examples
 * forward and backward with their gradients summed into the net, and predictions over an
 * evaluation plan. Reads example lists and plans (plain numbers), never an Rng, so the
 * work of a batch does not depend on which replica does it.
 */
import { argmax } from '../data/augment';
import { MNIST_SHAPE, type ImageGeometry, type ImageSet } from '../data/dataset';
import type { Net } from '../engine/net';
import { BatchedInference } from './batched-inference';
import type { EvaluationPlan } from './evaluation-plan';
import { ExampleStep } from './example-step';
import { EXAMPLE_STRIDE } from './example-stream';

export class ExampleRunner {
  readonly net: Net;
  /**
   * Mean forward and backward time per example of the last `train` call (ms), as the
   * one-thread trainer reports them for the stats; null after a call with no examples.
   */
  lastTiming: { forwardMs: number; backwardMs: number } | null = null;
  private readonly step: ExampleStep;
  /** Evaluation's own inputs (batched), so the step's keeps the last training example. */
  private readonly inference: BatchedInference;
  /** countCorrect's averages, grown to the largest plan seen. */
  private averages = new Float32Array(0);

  constructor(net: Net, geometry: ImageGeometry = MNIST_SHAPE) {
    this.net = net;
    this.step = new ExampleStep(net, geometry);
    this.inference = new BatchedInference(net);
  }

  /** The size and channels of the images the sets given to `train` and `countCorrect` hold. */
  get geometry(): ImageGeometry {
    return this.step.geometry;
  }

  set geometry(geometry: ImageGeometry) {
    this.step.geometry = geometry;
  }

  /**
   * The per-example step (ExampleStep) over examples [from, to) of `examples`
   * ((index, offsetX, offsetY, flip) quadruples); their parameter gradients add into net.grads.
   * Example e's loss goes to losses[at + e - from] and its predicted class (from the
   * training forward pass) to predictions[at + e - from].
   */
  train(
    set: ImageSet,
    examples: Int32Array,
    from: number,
    to: number,
    losses: Float64Array,
    predictions: Uint8Array,
    at = 0,
  ): void {
    let forwardMs = 0;
    let backwardMs = 0;
    for (let e = from; e < to; e++) {
      const o = e * EXAMPLE_STRIDE;
      const outcome = this.step.run(set, examples[o], examples[o + 1], examples[o + 2], examples[o + 3]);
      predictions[at + e - from] = outcome.predicted;
      losses[at + e - from] = outcome.loss;
      forwardMs += outcome.forwardMs;
      backwardMs += outcome.backwardMs;
    }
    this.lastTiming = to > from ? { forwardMs: forwardMs / (to - from), backwardMs: backwardMs / (to - from) } : null;
  }

  /**
   * How many images of the plan the net classifies right: per image, the outputs of its
   * passes averaged (batched, see BatchedInference) and the largest taken. The indices of
   * the others are pushed onto `misclassified` when given.
   */
  countCorrect(set: ImageSet, plan: EvaluationPlan, misclassified?: number[]): number {
    const size = this.inference.outputSize;
    const count = plan.images.length;
    if (this.averages.length < count * size) this.averages = new Float32Array(count * size);
    const averages = this.inference.averageInto(set, this.geometry, plan, 0, count, this.averages);
    let correct = 0;
    for (let i = 0; i < count; i++) {
      const index = plan.images[i];
      if (argmax(averages.subarray(i * size, (i + 1) * size)) === set.labels[index]) correct++;
      else misclassified?.push(index);
    }
    return correct;
  }

  /** Every image's averaged outputs, image after image (net.outputs floats each), into `out`. */
  averagedOutputs(set: ImageSet, plan: EvaluationPlan, out: Float32Array): Float32Array {
    return this.inference.averageInto(set, this.geometry, plan, 0, plan.images.length, out);
  }
}
