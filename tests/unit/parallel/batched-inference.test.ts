/**
 * Evaluation through the batched forward (BatchedInference over Net.forwardBatch) against
 * the exact per-image path (predictAveraged / forward) on real MNIST test images: the
 * outputs agree within the batched route's tolerance, the predicted classes and the counts
 * agree, and a window's outputs do not depend on the batch it ran in.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { argmax, createInputVolume, fillCrop } from '../../../src/data/augment';
import { MNIST_SHAPE, type ImageSet } from '../../../src/data/dataset';
import { centerPlacement, fillPlaced, predictAveraged } from '../../../src/data/dataset-inputs';
import { prefixOfSet } from '../../../src/data/mnist';
import { loadMnist } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { BatchedInference } from '../../../src/parallel/batched-inference';
import { planEvaluation } from '../../../src/parallel/evaluation-plan';
import { ExampleRunner } from '../../../src/parallel/example-runner';

const IMAGES = 300;
let test: ImageSet;
let net: Net;

beforeAll(() => {
  const mnist = loadMnist();
  test = prefixOfSet(mnist.test, IMAGES);
  // The seed network after 1,500 examples: clear favourites on most images, a few close calls.
  const { layers, trainer: spec } = parseNetwork(SEED_DEFINITION_TEXT);
  net = new Net(layers, new Rng(11));
  const trainer = new Trainer(net, spec);
  const input = createInputVolume(net.inputShape);
  const rng = new Rng(12);
  for (let e = 0; e < 1500; e++) {
    const index = rng.int(0, mnist.train.count);
    fillCrop(input, mnist.train, index, rng.int(0, 5), rng.int(0, 5));
    trainer.train(input, mnist.train.labels[index]);
  }
});

/** The exact path: every image's averaged outputs one forward at a time, crops drawn from `rng` (or the center). */
function exactOutputs(mode: '4crop' | 'center', rng?: Rng): Float32Array {
  const size = 10;
  const out = new Float32Array(IMAGES * size);
  const input = createInputVolume(net.inputShape);
  for (let i = 0; i < IMAGES; i++) {
    const into = out.subarray(i * size, (i + 1) * size);
    if (mode === '4crop') predictAveraged(net, input, MNIST_SHAPE, test, i, rng!, into);
    else {
      fillPlaced(input, MNIST_SHAPE, test, i, centerPlacement(input, MNIST_SHAPE));
      into.set(net.forward(input, false).w);
    }
  }
  return out;
}

const indices = () => Int32Array.from({ length: IMAGES }, (_, i) => i);

describe('BatchedInference', () => {
  it.each(['4crop', 'center'] as const)('%s: outputs within 1e-4 of the exact path, and the same classes and count', (mode) => {
    const exact = exactOutputs(mode, new Rng(99));
    const plan = planEvaluation(indices(), net.inputShape, mode, mode === '4crop' ? new Rng(99) : undefined);
    const batched = new BatchedInference(net).averageInto(test, MNIST_SHAPE, plan, 0, IMAGES, new Float32Array(IMAGES * 10));
    let changed = 0;
    let exactCorrect = 0;
    let batchedCorrect = 0;
    for (let i = 0; i < IMAGES; i++) {
      const a = exact.subarray(i * 10, (i + 1) * 10);
      const b = batched.subarray(i * 10, (i + 1) * 10);
      const largest = Math.max(...a.map(Math.abs));
      const difference = Math.max(...a.map((v, c) => Math.abs(v - b[c])));
      expect(difference / largest).toBeLessThan(1e-4);
      if (argmax(a) !== argmax(b)) changed++;
      if (argmax(a) === test.labels[i]) exactCorrect++;
      if (argmax(b) === test.labels[i]) batchedCorrect++;
    }
    expect(changed).toBe(0);
    expect(batchedCorrect).toBe(exactCorrect);
    // A trained net, not chance: the comparison is between real predictions.
    expect(exactCorrect).toBeGreaterThan(IMAGES * 0.6);
  });

  it('gives every window the same outputs whatever batch it ran in (bit for bit)', () => {
    const plan = planEvaluation(indices(), net.inputShape, '4crop', new Rng(5));
    const whole = new BatchedInference(net).averageInto(test, MNIST_SHAPE, plan, 0, IMAGES, new Float32Array(IMAGES * 10));
    // Batches of 3 windows (never a whole image's 4) and odd job boundaries.
    const small = new BatchedInference(net, 3);
    const pieces = new Float32Array(IMAGES * 10);
    for (const [from, to] of [[0, 7], [7, 100], [100, 101], [101, IMAGES]]) {
      small.averageInto(test, MNIST_SHAPE, plan, from, to, pieces.subarray(from * 10, to * 10));
    }
    expect(pieces).toEqual(whole);
  });

  it("is what ExampleRunner counts and hands out (the replicas' and this thread's jobs)", () => {
    const plan = planEvaluation(indices(), net.inputShape, '4crop', new Rng(6));
    const outputs = new BatchedInference(net).averageInto(test, MNIST_SHAPE, plan, 0, IMAGES, new Float32Array(IMAGES * 10));
    const runner = new ExampleRunner(net);
    expect(runner.averagedOutputs(test, plan, new Float32Array(IMAGES * 10))).toEqual(outputs);
    const misclassified: number[] = [];
    const correct = runner.countCorrect(test, plan, misclassified);
    let expected = 0;
    for (let i = 0; i < IMAGES; i++) if (argmax(outputs.subarray(i * 10, (i + 1) * 10)) === test.labels[i]) expected++;
    expect(correct).toBe(expected);
    expect(correct + misclassified.length).toBe(IMAGES);
  });

  it('refuses an output array too small for the images asked', () => {
    const plan = planEvaluation(indices(), net.inputShape, 'center');
    expect(() => new BatchedInference(net).averageInto(test, MNIST_SHAPE, plan, 0, 4, new Float32Array(39))).toThrow(
      /4 images of 10 outputs do not fit 39 floats/,
    );
  });
});
