import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../src/data/node-loader';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { definitionWithTrainer } from '../../../src/engine/definition-text';
import { TrainingSession, type SessionData, type SessionOptions } from '../../../src/training/session';

let data: SessionData;

beforeAll(() => {
  const mnist = loadMnist();
  data = { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count };
});

const SMALL_NETWORK = `// two conv filters are enough here
layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:2, stride:1, pad:2, activation:'relu'}); // keep me
layer_defs.push({type:'pool', sx:3, stride:3});
layer_defs.push({type:'softmax', num_classes:10});
net = new convnetjs.Net();
net.makeLayers(layer_defs);
trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:10, l2_decay:0.001});
`;

function session(options: SessionOptions = {}): TrainingSession {
  return new TrainingSession(data, { schedule: () => {}, now: () => 0, definitionText: SMALL_NETWORK, ...options });
}

/** Everything a run computes from its seed, for comparing two runs. */
function fingerprint(s: TrainingSession): string {
  s.trainExamples(30);
  const { examplesSeen, classificationLoss, trainingAccuracy } = s.getStats();
  return JSON.stringify({ weights: s.saveSnapshot(), examplesSeen, classificationLoss, trainingAccuracy });
}

describe('TrainingSession.restartRun', () => {
  it('reproduces a fresh session with that seed: same weights, same sampling', () => {
    const restarted = session({ seed: 3 });
    restarted.trainExamples(50);
    const runBefore = restarted.runId;
    expect(restarted.restartRun(11)).toEqual({ ok: true });
    expect(restarted.runId).not.toBe(runBefore);
    expect(restarted.getStats().examplesSeen).toBe(0);
    // Compared as booleans: a failure would otherwise print two snapshots of the whole net.
    expect(fingerprint(restarted) === fingerprint(session({ seed: 11 }))).toBe(true);
    expect(fingerprint(session({ seed: 12 })) === fingerprint(session({ seed: 11 }))).toBe(false);
  });

  it('reports the seed in the network summary, with the definition unchanged', () => {
    const s = session({ seed: 5 });
    expect(s.takeUpdate().network?.seed).toBe(5);
    s.restartRun(0);
    const network = s.takeUpdate().network;
    expect(network?.seed).toBe(0);
    expect(network?.definitionText).toBe(SMALL_NETWORK);
  });

  it.each([-1, 1.5, 2 ** 32, Number.NaN])('refuses seed %s and changes nothing', (seed) => {
    const s = session({ seed: 5 });
    s.trainExamples(20);
    const weights = s.saveSnapshot();
    const result = s.restartRun(seed);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/whole number from 0 to 4294967295/);
    expect(s.saveSnapshot()).toBe(weights);
    expect(s.getStats().examplesSeen).toBe(20);
    expect(s.runSeed).toBe(5);
  });
});

describe('the trainer in force in the definition text', () => {
  it('rewrites only the trainer options after setTrainer, keeping comments', () => {
    const s = session();
    s.takeUpdate();
    expect(s.setTrainer({ method: 'sgd', learning_rate: 0.05, momentum: 0.8 })).toEqual({ ok: true });
    const text = s.takeUpdate().network!.definitionText;
    expect(text).toContain('// keep me');
    expect(text).toContain("trainer = new convnetjs.SGDTrainer(net, {method:'sgd', learning_rate:0.05, momentum:0.8, batch_size:10, l2_decay:0.001});");
    const rebuilt = parseNetwork(text);
    expect(rebuilt.trainer).toMatchObject({ method: 'sgd', learning_rate: 0.05, momentum: 0.8, batch_size: 10 });
    expect(rebuilt.layers).toEqual(parseNetwork(SMALL_NETWORK).layers);
  });

  it('rewrites the trainer object of a JSON definition as JSON', () => {
    const json = `{"layers": [{"type": "input", "out_sx": 24, "out_sy": 24, "out_depth": 1}, {"type": "softmax", "num_classes": 10}],
 "trainer": {"method": "adadelta", "batch_size": 4}}`;
    const { layers, trainer } = parseNetwork(json);
    const text = definitionWithTrainer(json, layers, { ...trainer, batch_size: 8 });
    expect(text).toContain('"trainer": {"method":"adadelta","batch_size":8}');
    expect(parseNetwork(text).trainer.batch_size).toBe(8);
  });

  it('writes the definition afresh when it declares no trainer', () => {
    const noTrainer = SEED_DEFINITION_TEXT.replace(/trainer = .*\n/, '');
    const { layers, trainer } = parseNetwork(noTrainer);
    const text = definitionWithTrainer(noTrainer, layers, { ...trainer, method: 'adam' });
    const rebuilt = parseNetwork(text);
    expect(rebuilt.trainer.method).toBe('adam');
    expect(rebuilt.layers).toEqual(layers);
  });
});
