/**
 * The one per-example training step, decided once for every path that trains: the
 * dashboard session (alone or as replica 0 of a data-parallel batch), the remote
 * replicas, the trainer comparison and the CLI (through the data-parallel trainer).
 *
 * A step is the window of one example (a crop, a shift, a mirror: the dataset's
 * augmentation, drawn by whoever lists the examples), a forward pass in training mode, its predicted
 * class, and a backward pass toward the label's target; its gradients add into the net's
 * grads. Counting the example and updating the weights is the trainer's job
 * (`Trainer.addSummedExamples`), so one step serves a single thread and a shared batch.
 */
import { MNIST_SHAPE, type ImageGeometry, type ImageSet } from '../data/dataset';
import { fillPlaced, type Placement } from '../data/dataset-inputs';
import type { LossTarget } from '../engine/layers/layer';
import type { Net } from '../engine/net';
import { Volume } from '../engine/volume';

/** What one step measured; the object is reused by the next step of the same ExampleStep. */
export interface ExampleOutcome {
  /** The data loss of the example (before weight decay). */
  loss: number;
  /** The class the training forward pass predicted. */
  predicted: number;
  forwardMs: number;
  backwardMs: number;
}

export class ExampleStep {
  readonly net: Net;
  /** The window of the last example stepped: the layer views replay it. */
  readonly input: Volume;
  /** The images' size and channels (the sets given to `run` are of this shape). */
  geometry: ImageGeometry;
  /** One-hot target for a regression loss; null for softmax and svm (class index targets). */
  private readonly oneHot: Float32Array | null;
  private readonly outcome: ExampleOutcome = { loss: 0, predicted: 0, forwardMs: 0, backwardMs: 0 };
  /** The window of the example being stepped, reused: no allocation per example. */
  private readonly placement: Placement = { offsetX: 0, offsetY: 0, flip: false };

  constructor(
    net: Net,
    geometry: ImageGeometry = MNIST_SHAPE,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.net = net;
    this.geometry = geometry;
    const { sx, sy, depth } = net.inputShape;
    this.input = new Volume(sx, sy, depth);
    const out = net.outputShape;
    // Regression on a classification set trains toward one-hot vectors, the closest thing to a class label.
    this.oneHot = net.specs[net.specs.length - 1].type === 'regression' ? new Float32Array(out.sx * out.sy * out.depth) : null;
  }

  /**
   * Forward (training mode) and backward of image `index` of `set`, seen through the
   * window at (offsetX, offsetY), mirrored when `flip` is 1.
   */
  run(set: ImageSet, index: number, offsetX: number, offsetY: number, flip = 0): ExampleOutcome {
    const placement = this.placement;
    placement.offsetX = offsetX;
    placement.offsetY = offsetY;
    placement.flip = flip !== 0;
    fillPlaced(this.input, this.geometry, set, index, placement);
    const net = this.net;
    const outcome = this.outcome;
    const t0 = this.now();
    net.forward(this.input, true);
    const t1 = this.now();
    outcome.predicted = net.getPrediction();
    // The input's gradient is left out: training never reads it (a view of the input layer completes it, LayerProbe).
    outcome.loss = net.backward(this.targetFor(set.labels[index]), false);
    outcome.backwardMs = this.now() - t1;
    outcome.forwardMs = t1 - t0;
    return outcome;
  }

  /** The loss layer's target for a class label: the class itself, or its one-hot vector for regression. */
  targetFor(label: number): LossTarget {
    const oneHot = this.oneHot;
    if (!oneHot) return label;
    oneHot.fill(0);
    oneHot[label] = 1;
    return oneHot;
  }
}
