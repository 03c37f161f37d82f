import { beforeAll, describe, expect, it } from 'vitest';
import { TrainerComparison, type ComparisonData } from '../../../src/comparison/comparison-runner';
import { prefixOfSet } from '../../../src/data/mnist';
import { loadMnistSet, MNIST_FILES, mnistDataDirectory } from '../../../src/data/node-loader';
import { deriveSeed } from '../../../src/data/seeds';
import { Net } from '../../../src/engine/net';
import { SEED_LAYER_DEFS } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { resolveLayers, resolveTrainer, type TrainerSpec } from '../../../src/engine/spec';

const LAYERS = resolveLayers(SEED_LAYER_DEFS);
const ADADELTA = resolveTrainer({ method: 'adadelta', batch_size: 10, l2_decay: 0.001 });
const SGD = resolveTrainer({ method: 'sgd', learning_rate: 0.01, momentum: 0.9, batch_size: 10, l2_decay: 0.001 });
const ADAM = resolveTrainer({ method: 'adam', learning_rate: 0.001, batch_size: 10 });

let data: ComparisonData;

beforeAll(() => {
  const train = loadMnistSet(mnistDataDirectory(), MNIST_FILES.trainImages, MNIST_FILES.trainLabels);
  // 3000 real MNIST images are plenty for a few hundred examples per run.
  data = { train: prefixOfSet(train, 3000), trainTotal: 3000 };
});

function compare(trainers: TrainerSpec[], seed = 7): TrainerComparison {
  return new TrainerComparison(data, { layers: LAYERS, trainers, seed, pointEvery: 20 });
}

/** A report without its timing, which is the only thing allowed to differ between equal runs. */
function withoutTiming(c: TrainerComparison) {
  return c.reports().map(({ msPerExample: _ms, label: _label, ...rest }) => rest);
}

describe('TrainerComparison', () => {
  it('starts every run from the same initial weights, those the seed gives', () => {
    const c = compare([ADADELTA, SGD, ADAM]);
    const fromSeed = new Net(LAYERS, new Rng(deriveSeed(7, 'init')));
    for (let i = 0; i < c.runCount; i++) {
      expect(c.netOf(i).params).toEqual(fromSeed.params);
    }
    // Copies, not one shared buffer.
    expect(c.netOf(0).params).not.toBe(c.netOf(1).params);
  });

  it('gives bit-identical curves and weights for two identical configurations', () => {
    const c = compare([SGD, { ...SGD }]);
    c.trainExamples(300);
    const [a, b] = withoutTiming(c);
    expect(a!.examples).toBe(300);
    expect(a!.curve.length).toBe(15);
    expect(b).toEqual(a);
    expect(Array.from(c.netOf(1).params)).toEqual(Array.from(c.netOf(0).params));
    // Training happened: the weights moved away from the start.
    const start = new Net(LAYERS, new Rng(deriveSeed(7, 'init'))).params;
    expect(Array.from(c.netOf(0).params)).not.toEqual(Array.from(start));
  });

  it('lets different trainers diverge from the same start', () => {
    const c = compare([ADADELTA, SGD]);
    c.trainExamples(300);
    const [adadelta, sgd] = c.reports();
    expect(adadelta!.examples).toBe(300);
    expect(sgd!.examples).toBe(300);
    expect(adadelta!.curve.map((p) => p.loss)).not.toEqual(sgd!.curve.map((p) => p.loss));
    expect(Array.from(c.netOf(0).params)).not.toEqual(Array.from(c.netOf(1).params));
  });

  it('feeds every run the same example stream, whatever the other runs are', () => {
    const withSgd = compare([ADADELTA, SGD]);
    const withAdam = compare([ADADELTA, ADAM]);
    withSgd.trainExamples(200);
    withAdam.trainExamples(200);
    expect(withoutTiming(withAdam)[0]).toEqual(withoutTiming(withSgd)[0]);
    expect(Array.from(withAdam.netOf(0).params)).toEqual(Array.from(withSgd.netOf(0).params));
  });

  it('keeps the runs in step: no run is more than one round ahead', () => {
    const c = new TrainerComparison(data, { layers: LAYERS, trainers: [ADADELTA, SGD, ADAM], seed: 1, examplesPerRound: 20 });
    for (let step = 0; step < 130; step++) {
      expect(c.trainNext()).toBe('trained');
      const seen = c.reports().map((r) => r.examples);
      expect(Math.max(...seen) - Math.min(...seen)).toBeLessThanOrEqual(20);
    }
    // 130 steps = two full rounds of 3 x 20, then 10 examples of the run that opens the
    // third round: each round opens with the next run, so the third starts with run 3.
    expect(c.reports().map((r) => r.examples)).toEqual([40, 40, 50]);
  });

  it('reports loss, accuracies and timing per run', () => {
    const c = compare([ADADELTA, SGD]);
    c.trainExamples(400);
    for (const r of c.reports()) {
      expect(r.loss).toBeGreaterThan(0);
      expect(r.trainingAccuracy).toBeGreaterThanOrEqual(0);
      // Validation every 10th example: 40 held-out predictions, more than the window's minimum of 20.
      expect(r.validationAccuracy).not.toBeNull();
      expect(r.msPerExample).toBeGreaterThan(0);
      expect(r.stoppedReason).toBeNull();
    }
  });

  it('stops a diverging run with a reason and goes on with the others', () => {
    const wild = resolveTrainer({ method: 'sgd', learning_rate: 1e6, momentum: 0.9, batch_size: 1 });
    const c = compare([wild, ADADELTA]);
    c.trainExamples(200);
    const [stopped, fine] = c.reports();
    expect(stopped!.stoppedReason).toMatch(/loss became (NaN|infinite) after \d+ examples.*lower learning_rate/);
    expect(stopped!.examples).toBeLessThan(200);
    expect(fine!.stoppedReason).toBeNull();
    expect(fine!.examples).toBe(200);
  });

  it('waits for data before training', () => {
    const empty: ComparisonData = { train: prefixOfSet(data.train, 0), trainTotal: 0 };
    const c = new TrainerComparison(empty, { layers: LAYERS, trainers: [ADADELTA, SGD], seed: 1 });
    expect(c.trainNext()).toBe('no-data');
    expect(c.reports().every((r) => r.examples === 0 && r.loss === null)).toBe(true);
  });

  it('refuses fewer than 2 or more than 6 trainers, and inputs MNIST cannot fill', () => {
    expect(() => compare([SGD])).toThrow('a comparison takes 2 to 6 trainer configurations, got 1');
    expect(() => compare(Array.from({ length: 7 }, () => SGD))).toThrow('got 7');
    const big = resolveLayers([
      { type: 'input', out_sx: 32, out_sy: 32, out_depth: 1 },
      { type: 'softmax', num_classes: 10 },
    ]);
    expect(() => new TrainerComparison(data, { layers: big, trainers: [SGD, ADADELTA], seed: 1 })).toThrow(
      /larger than MNIST's 28x28/,
    );
  });
});
