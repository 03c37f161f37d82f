import { describe, expect, it } from 'vitest';
import { createInputVolume, fillCrop } from '../../../src/data/augment';
import type { MnistSet } from '../../../src/data/mnist';
import { Net } from '../../../src/engine/net';
import { parseNetwork } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { ExampleStep } from '../../../src/parallel/example-step';

const SOFTMAX = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:4, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:2, stride:2});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.Trainer(net, {method:'adadelta', batch_size:3, l2_decay:0.001});`;

const REGRESSION = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'fc', num_neurons:8, activation:'tanh'});
layer_defs.push({type:'regression', num_neurons:10});
trainer = new convnetjs.Trainer(net, {method:'sgd', learning_rate:0.01, batch_size:2});`;

/** A few 28x28 images of seeded noise with labels 0..9. */
function noiseSet(count: number): MnistSet {
  const rng = new Rng(5);
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(0, 256);
  return { count, images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

/** Two nets from the same seed: one trained by Trainer.train, one by ExampleStep + addSummedExamples. */
function trainBothWays(definition: string) {
  const { layers, trainer } = parseNetwork(definition);
  const set = noiseSet(7);
  const reference = new Net(layers, new Rng(3));
  const shared = new Net(layers, new Rng(3));
  const referenceTrainer = new Trainer(reference, trainer);
  const sharedTrainer = new Trainer(shared, trainer);
  const step = new ExampleStep(shared);
  const input = createInputVolume(reference.inputShape);
  const oneHot = new Float32Array(10);
  const isRegression = layers[layers.length - 1].type === 'regression';
  const losses: [number, number][] = [];
  const predictions: [number, number][] = [];
  for (let index = 0; index < set.count; index++) {
    const [x, y] = [index % 5, (index * 3) % 5];
    fillCrop(input, set, index, x, y);
    const label = set.labels[index];
    oneHot.fill(0);
    oneHot[label] = 1;
    const expected = referenceTrainer.train(input, isRegression ? oneHot : label);
    const expectedPrediction = reference.getPrediction();
    const outcome = step.run(set, index, x, y);
    sharedTrainer.addSummedExamples(1);
    losses.push([outcome.loss, expected.loss]);
    predictions.push([outcome.predicted, expectedPrediction]);
  }
  return { reference, shared, losses, predictions };
}

describe('ExampleStep', () => {
  it.each([
    ['softmax', SOFTMAX],
    ['regression (one-hot targets)', REGRESSION],
  ])('with addSummedExamples(1) trains a %s net bit for bit as Trainer.train', (_name, definition) => {
    const { reference, shared, losses, predictions } = trainBothWays(definition);
    for (const [got, want] of losses) expect(got).toBe(want);
    for (const [got, want] of predictions) expect(got).toBe(want);
    expect(Array.from(shared.params)).toEqual(Array.from(reference.params));
    // Seven examples, batches of 2 or 3: the weights did change.
    expect(Array.from(shared.params)).not.toEqual(Array.from(new Net(parseNetwork(definition).layers, new Rng(3)).params));
  });

  it('targets a class index for softmax and a one-hot vector for regression', () => {
    const softmax = new ExampleStep(new Net(parseNetwork(SOFTMAX).layers, new Rng(1)));
    expect(softmax.targetFor(4)).toBe(4);
    const regression = new ExampleStep(new Net(parseNetwork(REGRESSION).layers, new Rng(1)));
    expect(Array.from(regression.targetFor(4) as Float32Array)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(regression.targetFor(9) as Float32Array)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('leaves the crop of the last example in its input, for the layer views', () => {
    const net = new Net(parseNetwork(SOFTMAX).layers, new Rng(1));
    const step = new ExampleStep(net);
    const set = noiseSet(3);
    step.run(set, 2, 1, 4);
    const expected = createInputVolume(net.inputShape);
    fillCrop(expected, set, 2, 1, 4);
    expect(Array.from(step.input.w)).toEqual(Array.from(expected.w));
  });
});
