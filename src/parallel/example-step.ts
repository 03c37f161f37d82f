/**
 * The one per-example training step, decided once for every path that trains: the
 * dashboard session (alone or as replica 0 of a data-parallel batch), the remote
 * replicas, the trainer comparison and the CLI (through the data-parallel trainer).
 *
 * A step is the crop of one example, a forward pass in training mode, its predicted
 * class, and a backward pass toward the label's target; its gradients add into the net's
 * grads. Counting the example and updating the weights is the trainer's job
 * (`Trainer.addSummedExamples`), so one step serves a single thread and a shared batch.
 */
import { createInputVolume, fillCrop } from '../data/augment';
import type { MnistSet } from '../data/mnist';
import type { LossTarget } from '../engine/layers/layer';
import type { Net } from '../engine/net';
import type { Volume } from '../engine/volume';

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
  /** The crop of the last example stepped: the layer views replay it. */
  readonly input: Volume;
  /** One-hot target for a regression loss; null for softmax and svm (class index targets). */
  private readonly oneHot: Float32Array | null;
  private readonly outcome: ExampleOutcome = { loss: 0, predicted: 0, forwardMs: 0, backwardMs: 0 };

  constructor(
    net: Net,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.net = net;
    this.input = createInputVolume(net.inputShape);
    const out = net.outputShape;
    // Regression on MNIST trains toward one-hot vectors, the closest thing to a class label.
    this.oneHot = net.specs[net.specs.length - 1].type === 'regression' ? new Float32Array(out.sx * out.sy * out.depth) : null;
  }

  /** Forward (training mode) and backward of image `index` of `set`, cropped at (offsetX, offsetY). */
  run(set: MnistSet, index: number, offsetX: number, offsetY: number): ExampleOutcome {
    fillCrop(this.input, set, index, offsetX, offsetY);
    const net = this.net;
    const outcome = this.outcome;
    const t0 = this.now();
    net.forward(this.input, true);
    const t1 = this.now();
    outcome.predicted = net.getPrediction();
    outcome.loss = net.backward(this.targetFor(set.labels[index]));
    outcome.backwardMs = this.now() - t1;
    outcome.forwardMs = t1 - t0;
    return outcome;
  }

  /** The loss layer's target for an MNIST label: the class itself, or its one-hot vector for regression. */
  targetFor(label: number): LossTarget {
    const oneHot = this.oneHot;
    if (!oneHot) return label;
    oneHot.fill(0);
    oneHot[label] = 1;
    return oneHot;
  }
}
