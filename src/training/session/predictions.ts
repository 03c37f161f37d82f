/**
 * What the net predicts while it trains: one held-out validation example every few
 * training examples (4-crop average), a few test-set predictions every half second of
 * training (by time, not by examples: at thousands of examples a second a per-example
 * rate would churn the grid), and a person's own image. Each goes through the batched
 * forward (BatchedInference: one image's windows, or a few test images', in one batch),
 * its windows drawn image after image in the order the per-image averaging draws them.
 */
import { argmax } from '../../data/augment';
import { imageBytes, type ImageSet } from '../../data/dataset';
import { BatchedInference } from '../../parallel/batched-inference';
import { planEvaluation, WINDOW_STRIDE, type EvaluationPlan } from '../../parallel/evaluation-plan';
import { softmaxInto } from '../evaluation';
import type { ClassifyResult, ClassProbability } from '../protocol';
import { singleImageSet, type LayerProbe } from './layer-probe';
import type { SessionModel } from './model';
import type { RunStatistics } from './run-statistics';

export interface PredictionOptions {
  /** Forward one validation example before every n-th training example. */
  validationEvery: number;
  /** Predict `testBatch` test images at most this often while training, ms. */
  testEveryMs: number;
  testBatch: number;
}

export class Predictions {
  private inference: BatchedInference;
  /** The averaged outputs of the images of the last prediction, image after image. */
  private outputs: Float32Array;
  /** Clock time from which the next test predictions are due. */
  private nextTestAt = -Infinity;

  constructor(
    private readonly model: SessionModel,
    private readonly stats: RunStatistics,
    private readonly probe: LayerProbe,
    private readonly options: PredictionOptions,
  ) {
    this.inference = new BatchedInference(model.net);
    this.outputs = new Float32Array(Math.max(1, options.testBatch) * this.inference.outputSize);
  }

  /** A new network: new buffers, and the first test predictions are due at once. */
  reset(): void {
    this.nextTestAt = -Infinity;
    this.rebuild();
  }

  private rebuild(): void {
    this.inference = new BatchedInference(this.model.net);
    this.outputs = new Float32Array(Math.max(1, this.options.testBatch) * this.inference.outputSize);
  }

  /**
   * A restored run: the first test predictions fall due one period from `now` rather than
   * at once. They draw from the same generator, so this keeps the stream where an
   * uninterrupted run has it whenever the clock does not move (tests); with a real clock
   * they come when time says.
   */
  delayTestPredictions(now: number): void {
    this.nextTestAt = now + this.options.testEveryMs;
  }

  /** The validation and test work due before training example number `examples` (at clock `now`). */
  beforeExample(examples: number, now: number): void {
    if (examples % this.options.validationEvery === 0) this.validateOne();
    if (examples > 0) this.predictTestImagesIfDue(now);
  }

  /**
   * The validation samples due among examples [first, first + count) (one every
   * validationEvery), as a plan for a replica: images and test-time windows drawn here, so a
   * seed still reproduces the run. Null when none is due or the split is not ready.
   */
  validationProbes(first: number, count: number): EvaluationPlan | null {
    let due = 0;
    for (let n = first; n < first + count; n++) if (n % this.options.validationEvery === 0) due++;
    if (due === 0) return null;
    const available = this.model.validationIndices();
    if (available.length === 0) return null;
    const rng = this.model.rng;
    const images = new Int32Array(due);
    for (let k = 0; k < due; k++) images[k] = available[rng.int(0, available.length)];
    return planEvaluation(images, this.model.net.inputShape, '4crop', rng, this.model.dataset);
  }

  /** A batch of test predictions when the last one is testEveryMs old (the first right away). */
  predictTestImagesIfDue(now: number): void {
    if (now < this.nextTestAt) return;
    const test = this.model.data.test;
    if (test.count === 0) return;
    const dataset = this.model.dataset;
    const size = imageBytes(dataset);
    this.nextTestAt = now + this.options.testEveryMs;
    const { testBatch } = this.options;
    const images = new Int32Array(testBatch);
    const windows: Int32Array[] = [];
    for (let k = 0; k < testBatch; k++) {
      // Image, then its windows, then the next image: the order of the per-image draws.
      images[k] = this.model.rng.int(0, test.count);
      windows.push(planEvaluation(images.subarray(k, k + 1), this.model.net.inputShape, '4crop', this.model.rng, dataset).offsets);
    }
    const passes = testBatch > 0 ? windows[0].length / WINDOW_STRIDE : 1;
    const offsets = new Int32Array(testBatch * passes * WINDOW_STRIDE);
    windows.forEach((w, k) => offsets.set(w, k * w.length));
    this.current().averageInto(test, dataset, { images, passes, offsets }, 0, testBatch, this.outputs);
    for (let k = 0; k < testBatch; k++) {
      const testIndex = images[k];
      const label = test.labels[testIndex];
      const top3 = this.topClasses(k, 3);
      this.stats.recordPrediction({
        testIndex,
        pixels: test.images.slice(testIndex * size, (testIndex + 1) * size),
        label,
        top3,
        correct: top3[0].label === label,
      });
    }
    this.probe.otherPass();
  }

  /**
   * Classifies an image of the dataset's size and channels (0..255, HWC; for MNIST a
   * light digit on dark) with the test-time average, and shows it in the layer views
   * until the probe is told otherwise.
   */
  classifyImage(pixels: Uint8Array): ClassifyResult {
    const dataset = this.model.dataset;
    const size = imageBytes(dataset);
    if (!(pixels instanceof Uint8Array) || pixels.length !== size) {
      const { width, height } = dataset;
      const expected = dataset.channels === 1 ? `${width * height} grayscale pixels` : `${width * height} RGB pixels (${size} bytes)`;
      return { ok: false, error: `An image must be ${width}x${height} = ${expected}, got ${pixels?.length ?? 0}.` };
    }
    const image = pixels.slice();
    this.predictOne(singleImageSet(image), 0);
    this.probe.otherPass();
    this.probe.inspect(image);
    return { ok: true, top3: this.topClasses(0, 3) };
  }

  /** One held-out example, test-time averaged, into the validation window. */
  private validateOne(): void {
    const available = this.model.validationIndices();
    if (available.length === 0) return;
    const { rng, data } = this.model;
    const index = available[rng.int(0, available.length)];
    this.predictOne(data.train, index);
    this.probe.otherPass();
    const correct = argmax(this.outputs.subarray(0, this.inference.outputSize)) === data.train.labels[index];
    this.stats.recordValidation(correct ? 1 : 0, correct ? 0 : 1);
  }

  /** Image `index` of `set`, its test-time windows drawn now, averaged into the first image's outputs. */
  private predictOne(set: ImageSet, index: number): void {
    const { net, rng, dataset } = this.model;
    const plan = planEvaluation(Int32Array.of(index), net.inputShape, '4crop', rng, dataset);
    this.current().averageInto(set, dataset, plan, 0, 1, this.outputs);
  }

  /** The batched inference on the model's net as it is now (a roll-back or an import may have replaced it). */
  private current(): BatchedInference {
    if (this.inference.net !== this.model.net) this.rebuild();
    return this.inference;
  }

  /** The k most likely classes of image `image` of the last prediction, as probabilities (softmax applied to svm/regression scores). */
  private topClasses(image: number, k: number): ClassProbability[] {
    const size = this.inference.outputSize;
    const outputs = this.outputs.subarray(image * size, (image + 1) * size);
    const probabilities = this.model.lossType === 'softmax' ? outputs : softmaxInto(outputs, new Float32Array(outputs.length));
    return Array.from(probabilities, (probability, label) => ({ label, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, k);
  }
}
