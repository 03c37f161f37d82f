/**
 * The arithmetic every replica runs, the coordinator's own included: training examples
 * forward and backward with their gradients summed into the net, and predictions over an
 * evaluation plan. Reads example lists and plans (plain numbers), never an Rng, so the
 * work of a batch does not depend on which replica does it.
 */
import { argmax } from '../data/augment';
import { MNIST_SHAPE, type ImageGeometry, type ImageSet } from '../data/dataset';
import { fillPlaced, type Placement } from '../data/dataset-inputs';
import type { Net } from '../engine/net';
import { Volume } from '../engine/volume';
import { WINDOW_STRIDE, type EvaluationPlan } from './evaluation-plan';
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
  /** Evaluation's own input, so the step's keeps the last training example. */
  private readonly input: Volume;
  private readonly outputs: Float32Array;
  /** The window of the pass being run, reused: no allocation per pass. */
  private readonly placement: Placement = { offsetX: 0, offsetY: 0, flip: false };

  constructor(net: Net, geometry: ImageGeometry = MNIST_SHAPE) {
    this.net = net;
    this.step = new ExampleStep(net, geometry);
    this.input = new Volume(net.inputShape.sx, net.inputShape.sy, net.inputShape.depth);
    this.outputs = new Float32Array(net.outputShape.sx * net.outputShape.sy * net.outputShape.depth);
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
   * passes averaged (see averageInto) and the largest taken. The indices of the others are
   * pushed onto `misclassified` when given.
   */
  countCorrect(set: ImageSet, plan: EvaluationPlan, misclassified?: number[]): number {
    let correct = 0;
    for (let i = 0; i < plan.images.length; i++) {
      const index = plan.images[i];
      if (argmax(this.averageInto(set, plan, i, this.outputs)) === set.labels[index]) correct++;
      else misclassified?.push(index);
    }
    return correct;
  }

  /** Every image's averaged outputs, image after image (net.outputs floats each), into `out`. */
  averagedOutputs(set: ImageSet, plan: EvaluationPlan, out: Float32Array): Float32Array {
    const size = this.outputs.length;
    if (out.length < plan.images.length * size) {
      throw new RangeError(`${plan.images.length} images of ${size} outputs do not fit ${out.length} floats`);
    }
    for (let i = 0; i < plan.images.length; i++) this.averageInto(set, plan, i, out.subarray(i * size, (i + 1) * size));
    return out;
  }

  /**
   * Image i of the plan: its passes' outputs summed, then scaled by 1/passes, in float32,
   * the arithmetic of predictAveraged, so the numbers match the one-thread evaluation bit for bit.
   */
  private averageInto(set: ImageSet, plan: EvaluationPlan, i: number, out: Float32Array): Float32Array {
    const { images, passes, offsets } = plan;
    const input = this.input;
    const geometry = this.step.geometry;
    const placement = this.placement;
    out.fill(0);
    for (let p = 0; p < passes; p++) {
      const k = WINDOW_STRIDE * (i * passes + p);
      placement.offsetX = offsets[k];
      placement.offsetY = offsets[k + 1];
      placement.flip = offsets[k + 2] !== 0;
      fillPlaced(input, geometry, set, images[i], placement);
      const y = this.net.forward(input, false).w;
      for (let c = 0; c < out.length; c++) out[c] += y[c];
    }
    const scale = 1 / passes;
    for (let c = 0; c < out.length; c++) out[c] *= scale;
    return out;
  }
}
