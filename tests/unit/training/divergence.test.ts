import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { SEED_LAYER_DEFS } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Volume } from '../../../src/engine/volume';
import {
  describeNonFiniteSite,
  locateNonFinite,
  paramsAreFinite,
  saferLearningRate,
} from '../../../src/training/divergence';
import { TrainingSession, type SessionData } from '../../../src/training/session';

let data: SessionData;

beforeAll(() => {
  const mnist = loadMnist();
  data = { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count };
});

/** The weights as the public snapshot has them, in layer order. */
function weightsOf(s: TrainingSession): number[] {
  const json = JSON.parse(s.saveSnapshot()) as { layers: { filters?: { w: number[] }[]; biases?: { w: number[] } }[] };
  const values: number[] = [];
  for (const layer of json.layers) {
    for (const f of layer.filters ?? []) values.push(...f.w);
    if (layer.biases) values.push(...layer.biases.w);
  }
  return values;
}

function seedNet(): Net {
  return Net.fromDefs(SEED_LAYER_DEFS, new Rng(3));
}

function digitLikeInput(net: Net): Volume {
  const { sx, sy, depth } = net.inputShape;
  const input = new Volume(sx, sy, depth);
  for (let i = 0; i < input.w.length; i++) input.w[i] = (i % 7) / 7;
  return input;
}

describe('locating non-finite values', () => {
  it('finds nothing in a healthy net', () => {
    const net = seedNet();
    net.forward(digitLikeInput(net));
    expect(paramsAreFinite(net.params)).toBe(true);
    expect(locateNonFinite(net)).toBeNull();
  });

  it('names the first layer whose weights went bad when the outputs were still finite', () => {
    const net = seedNet();
    const input = digitLikeInput(net);
    net.forward(input);
    const fcIndex = net.layers.findIndex((l) => l.spec.type === 'fc');
    const convIndex = net.layers.findIndex((l) => l.spec.type === 'conv');
    expect(convIndex).toBeLessThan(fcIndex);
    // Bad values in a later layer's biases and an earlier layer's weights: the earlier wins.
    net.layers[fcIndex].params[1].w[0] = Number.NaN;
    expect(paramsAreFinite(net.params)).toBe(false);
    expect(locateNonFinite(net)).toEqual({ layerIndex: fcIndex, layerType: 'fc', values: 'biases', kind: 'NaN' });
    net.layers[convIndex].params[0].w[3] = Number.POSITIVE_INFINITY;
    const site = locateNonFinite(net)!;
    expect(site).toEqual({ layerIndex: convIndex, layerType: 'conv', values: 'weights', kind: 'infinite' });
    expect(describeNonFiniteSite(site)).toBe(`layer ${convIndex} (conv): its weights became infinite`);

    // After a forward pass the bad weight shows in its own layer's outputs first.
    net.forward(input);
    expect(locateNonFinite(net)).toMatchObject({ layerIndex: convIndex, values: 'outputs' });
  });

  it('blames the loss layer, and the layer with the largest outputs, when only the loss overflowed', () => {
    const net = seedNet();
    const input = digitLikeInput(net);
    const fcIndex = net.layers.findIndex((l) => l.spec.type === 'fc');
    // Finite but huge fc weights: scores so far apart that softmax gives some class exactly 0.
    net.layers[fcIndex].params[0].w.forEach((_, i, w) => (w[i] = (i % 2 === 0 ? 1 : -1) * 1e15));
    net.forward(input);
    expect(locateNonFinite(net, 0.3)).toBeNull();
    const site = locateNonFinite(net, Number.POSITIVE_INFINITY)!;
    expect(site).toMatchObject({ layerIndex: net.layers.length - 1, layerType: 'softmax', values: 'loss', kind: 'infinite' });
    expect(site.largestOutputs?.layerIndex).toBe(fcIndex);
    expect(describeNonFiniteSite(site)).toMatch(
      new RegExp(`its loss became infinite \\(the probability of the true class underflowed to 0\\); the largest outputs came from layer ${fcIndex} \\(fc\\)`),
    );
  });

  it('catches a single huge weight that a plain max check would call finite, but not a merely large one', () => {
    const params = new Float32Array(10_000).fill(3e38);
    expect(paramsAreFinite(params)).toBe(true);
    params[9_999] = Number.NEGATIVE_INFINITY;
    expect(paramsAreFinite(params)).toBe(false);
  });

  it('suggests a rate that will not diverge again', () => {
    expect(saferLearningRate(1e6)).toBe(0.001);
    expect(saferLearningRate(10)).toBe(0.001);
    expect(saferLearningRate(0.002)).toBe(0.0002);
  });
});

describe('the divergence guard of a training session', () => {
  it('writes its counts with thousands separators, as the stats beside it do', () => {
    const s = new TrainingSession(data, { seed: 12, schedule: () => {}, checkpointEvery: 1_000 });
    s.trainExamples(2_100);
    expect(s.setTrainer({ method: 'sgd', learning_rate: 1e6, momentum: 0 })).toEqual({ ok: true });
    s.resume();
    while (s.isRunning && s.examplesSeen < 5_000) s.trainExamples(20);
    const reason = s.getStats().pausedReason ?? '';
    expect(reason).toMatch(/ after \d{1,3}(,\d{3})+ examples, so the updates diverged/);
    expect(reason).toMatch(/rolled back to those at \d{1,3}(,\d{3})+ examples\.$/);
  });

  it('with sgd at learning rate 1e6: pauses, rolls back to the checkpoint, names the layer and a lower rate', () => {
    const s = new TrainingSession(data, { seed: 11, schedule: () => {}, checkpointEvery: 20 });
    // Weights at every checkpoint boundary, to compare with what the roll-back restores.
    const atExamples = new Map<number, number[]>([[0, weightsOf(s)]]);
    for (let i = 0; i < 3; i++) {
      s.trainExamples(20);
      atExamples.set(s.examplesSeen, weightsOf(s));
    }
    expect(s.setTrainer({ method: 'sgd', learning_rate: 1e6, momentum: 0 })).toEqual({ ok: true });
    s.resume();
    while (s.isRunning && s.examplesSeen < 2000) {
      if (s.trainExamples(20) === 20 && s.isRunning) atExamples.set(s.examplesSeen, weightsOf(s));
    }

    const stats = s.getStats();
    expect(stats.running).toBe(false);
    const reason = stats.pausedReason ?? '';
    expect(reason).toMatch(/Non-finite values appeared first in layer \d+ \((conv|relu|pool|fc|softmax)\): its (outputs|weights|biases|loss) became (NaN|infinite)/);
    expect(reason).toMatch(/learning_rate 0\.001 or lower/);
    const rolledBackTo = Number(/rolled back to those at ([\d,]+) examples/.exec(reason)?.[1]?.replace(/,/g, ''));
    expect(atExamples.has(rolledBackTo)).toBe(true);
    expect(rolledBackTo).toBeLessThan(s.examplesSeen);
    expect(weightsOf(s)).toEqual(atExamples.get(rolledBackTo));

    // From the rolled-back weights a sane rate trains on with a finite loss.
    expect(s.setTrainer({ learning_rate: 0.001 })).toEqual({ ok: true });
    s.resume();
    expect(s.trainExamples(100)).toBe(100);
    expect(s.getStats().pausedReason).toBeNull();
    expect(Number.isFinite(s.getStats().classificationLoss)).toBe(true);
    s.dispose();
  });
});
