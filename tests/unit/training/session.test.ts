import { beforeAll, describe, expect, it } from 'vitest';
import { imagePixels, type MnistSet } from '../../../src/data/mnist';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { referenceKernels } from '../../../src/engine/kernels/js-reference';
import { LIMITS, shapeSize } from '../../../src/engine/spec';
import { TrainingSession, type SessionData, type SessionOptions } from '../../../src/training/session';

let mnist: MnistData;
let data: SessionData;

beforeAll(() => {
  mnist = loadMnist();
  data = { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count };
});

/** A session whose loop never runs by itself: tests drive it with trainExamples / step. */
function session(options: SessionOptions = {}): TrainingSession {
  return new TrainingSession(data, { seed: 7, schedule: () => {}, ...options });
}

/** Internal arrays the tests compare bit for bit, read through the public snapshot. */
function weightsOf(s: TrainingSession): Float32Array {
  const json = JSON.parse(s.saveSnapshot()) as { layers: { filters?: { w: number[] }[]; biases?: { w: number[] } }[] };
  const values: number[] = [];
  for (const layer of json.layers) {
    for (const f of layer.filters ?? []) values.push(...f.w);
    if (layer.biases) values.push(...layer.biases.w);
  }
  return Float32Array.from(values);
}

const SMALL_NETWORK = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:4, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:3, stride:3});
layer_defs.push({type:'softmax', num_classes:10});
net = new convnetjs.Net();
net.makeLayers(layer_defs);
trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:10, l2_decay:0.001});
`;

describe('TrainingSession on real MNIST', () => {
  it('learns: examples seen grow, the loss falls, accuracies appear', () => {
    // A clock that stands still: the test predictions (due by time) come once, at the start.
    const s = session({ now: () => 0 });
    expect(s.trainExamples(100)).toBe(100);
    const early = s.getStats();
    expect(early.examplesSeen).toBe(100);
    s.trainExamples(1400);
    const late = s.getStats();
    expect(late.examplesSeen).toBe(1500);
    // The seed network starts near ln(10) = 2.3 and is well below 1 after 1500 examples.
    expect(early.classificationLoss).toBeGreaterThan(1.5);
    expect(late.classificationLoss).toBeLessThan(0.6 * early.classificationLoss);
    expect(late.trainingAccuracy).not.toBeNull();
    expect(late.validationAccuracy).not.toBeNull();
    expect(late.validationAccuracy!).toBeGreaterThan(0.5);
    expect(late.l2DecayLoss).toBeGreaterThan(0);
    expect(late.forwardMs).toBeGreaterThan(0);
    expect(late.backwardMs).toBeGreaterThan(0);

    const update = s.takeUpdate();
    // A chart point every 200 examples; 4 test predictions, once, as no time passed.
    expect(update.lossPoints.map((p) => p.examples)).toEqual([200, 400, 600, 800, 1000, 1200, 1400]);
    expect(update.predictions).toHaveLength(4);
    for (const p of update.predictions) {
      expect(p.pixels).toEqual(imagePixels(mnist.test, p.testIndex));
      expect(p.label).toBe(mnist.test.labels[p.testIndex]);
      expect(p.top3).toHaveLength(3);
      expect(p.top3[0].probability).toBeGreaterThanOrEqual(p.top3[1].probability);
      expect(p.correct).toBe(p.top3[0].label === p.label);
    }
    // Drained: the next update carries only what is new.
    expect(s.takeUpdate().lossPoints).toEqual([]);
  });

  it('predicts a batch of test images every testEveryMs of training, however many examples that is', () => {
    let clock = 0;
    const s = session({ now: () => clock, testEveryMs: 500, testBatch: 4 });
    const predictionsAfter = (examples: number) => {
      s.trainExamples(examples);
      return s.takeUpdate().predictions;
    };
    // The first batch comes right after training starts, then not again within 500 ms.
    expect(predictionsAfter(2000)).toHaveLength(4);
    clock = 499;
    expect(predictionsAfter(300)).toHaveLength(0);
    clock = 500;
    const next = predictionsAfter(300);
    expect(next).toHaveLength(4);
    // New images each time (drawn at random from the 10,000).
    expect(new Set(next.map((p) => p.testIndex)).size).toBeGreaterThan(1);
    // Time alone does not produce predictions: it takes training.
    clock = 5000;
    expect(s.takeUpdate().predictions).toHaveLength(0);
    expect(predictionsAfter(1)).toHaveLength(4);
    // A new network starts the schedule over: its first examples bring new predictions at once.
    expect(s.setNetwork(SMALL_NETWORK).ok).toBe(true);
    expect(predictionsAfter(10)).toHaveLength(4);
  });

  it('is reproducible: the same seed gives the same weights after the same examples', () => {
    const a = session({ seed: 3 });
    const b = session({ seed: 3 });
    a.trainExamples(60);
    b.trainExamples(60);
    expect(weightsOf(a)).toEqual(weightsOf(b));
  });

  it('runs in slices while resumed, stops on pause and continues on resume', async () => {
    const tasks: (() => void)[] = [];
    let slices = 0;
    let clock = 0;
    const s = new TrainingSession(data, {
      seed: 1,
      sliceMs: 15,
      // A fake clock that advances 1 ms per reading makes a slice a fixed handful of examples.
      now: () => (clock += 1),
      schedule: (task) => tasks.push(task),
      onSlice: () => slices++,
    });
    const runQueued = () => {
      const queued = tasks.splice(0);
      for (const task of queued) task();
    };
    expect(s.getStats().running).toBe(false);
    s.resume();
    expect(s.getStats().running).toBe(true);
    runQueued();
    runQueued();
    expect(slices).toBe(2);
    const afterTwo = s.examplesSeen;
    expect(afterTwo).toBeGreaterThan(0);

    s.pause();
    expect(s.getStats().running).toBe(false);
    runQueued();
    runQueued();
    expect(s.examplesSeen).toBe(afterTwo);
    expect(tasks).toHaveLength(0);

    s.resume();
    runQueued();
    expect(s.examplesSeen).toBeGreaterThan(afterTwo);
    s.dispose();
  });

  it('with the default scheduler yields between slices so other work runs', async () => {
    const s = new TrainingSession(data, { seed: 1, sliceMs: 5 });
    s.resume();
    let slicesSeen = 0;
    // Each await gives the event loop a turn; a loop that never yields would starve these.
    while (s.examplesSeen === 0 || slicesSeen < 3) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      slicesSeen++;
    }
    s.pause();
    const paused = s.examplesSeen;
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(s.examplesSeen).toBe(paused);
    s.dispose();
  });

  it('waits without spinning while no data is loaded, and starts when data arrives', () => {
    const growing: { train: MnistSet; test: MnistSet; trainTotal: number } = {
      train: { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) },
      test: mnist.test,
      trainTotal: 0,
    };
    const tasks: (() => void)[] = [];
    const s = new TrainingSession(growing, { seed: 1, schedule: (t) => tasks.push(t) });
    s.resume();
    tasks.splice(0).forEach((t) => t());
    expect(s.examplesSeen).toBe(0);
    expect(tasks).toHaveLength(0); // asleep, not rescheduling itself
    // The first chunk arrives: 5000 training examples of 60000.
    growing.train = { count: 5000, images: mnist.train.images.subarray(0, 5000 * 784), labels: mnist.train.labels.subarray(0, 5000) };
    growing.trainTotal = 60000;
    s.notifyDataChanged();
    tasks.splice(0).forEach((t) => t());
    expect(s.examplesSeen).toBeGreaterThan(0);
    s.dispose();
  });

  it('step trains exactly one mini-batch, paused', () => {
    const s = session();
    const before = weightsOf(s);
    expect(s.step()).toBe(20); // the seed trainer's batch_size
    expect(s.examplesSeen).toBe(20);
    expect(s.isRunning).toBe(false);
    expect(weightsOf(s)).not.toEqual(before);
    expect(s.setTrainer({ batch_size: 5 })).toEqual({ ok: true });
    expect(s.step()).toBe(5);
    expect(s.examplesSeen).toBe(25);
  });

  it('applies a valid trainer change live and rejects an invalid one without changing anything', () => {
    const s = session();
    s.trainExamples(30);
    const spec = s.getNetworkSummary().trainer;
    expect(spec.method).toBe('adadelta');

    for (const bad of [{ learning_rate: Number.NaN }, { learning_rate: -1 }, { batch_size: 0 }, { batch_size: 2.5 }]) {
      const result = s.setTrainer(bad);
      expect(result.ok).toBe(false);
      expect(s.getNetworkSummary().trainer).toEqual(spec);
    }
    const typo = s.setTrainer({ method: 'adadelata' as never });
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.error).toContain("did you mean 'adadelta'");
    expect(s.getNetworkSummary().trainer).toEqual(spec);

    expect(s.setTrainer({ method: 'sgd', learning_rate: 0.05 })).toEqual({ ok: true });
    const changed = s.getNetworkSummary().trainer;
    expect(changed).toMatchObject({ method: 'sgd', learning_rate: 0.05, batch_size: 20, l2_decay: 0.001 });
    // Training goes on with the change and the run is not reset.
    expect(s.examplesSeen).toBe(30);
    s.trainExamples(10);
    expect(s.examplesSeen).toBe(40);
  });

  it('rejects a bad network definition and leaves the net bit-identical', () => {
    const s = session();
    s.trainExamples(50);
    const weights = weightsOf(s);
    const summary = s.getNetworkSummary();
    const runId = s.runId;
    const typo = SEED_DEFINITION_TEXT.replace("'adadelta'", "'adadelata'");
    const result = s.setNetwork(typo);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/adadelata.*did you mean 'adadelta'/);
    for (const text of [
      SMALL_NETWORK.replace('out_depth:1', 'out_depth:3').replaceAll('24', '32'),
      SMALL_NETWORK.replace('num_classes:10', 'num_classes:5'),
      'layer_defs.push({type:"input"',
    ]) {
      const r = s.setNetwork(text);
      expect(r.ok).toBe(false);
    }
    const wrongInput = s.setNetwork(SMALL_NETWORK.replace('out_depth:1', 'out_depth:3'));
    expect(wrongInput.ok || wrongInput.error).toMatch(/grayscale/);
    const wrongClasses = s.setNetwork(SMALL_NETWORK.replace('num_classes:10', 'num_classes:5'));
    expect(wrongClasses.ok || wrongClasses.error).toMatch(/5 outputs.*num_classes:10/);

    expect(weightsOf(s)).toEqual(weights);
    expect(s.getNetworkSummary()).toEqual(summary);
    expect(s.examplesSeen).toBe(50);
    expect(s.runId).toBe(runId);
  });

  it('accepts a valid network: new layers and trainer, statistics and chart start over', () => {
    const s = session();
    s.trainExamples(250);
    s.takeUpdate(); // the first update reports the seed network
    expect(s.getStats().trainingAccuracy).not.toBeNull();
    const runId = s.runId;
    expect(s.setNetwork(SMALL_NETWORK)).toEqual({ ok: true });
    const stats = s.getStats();
    expect(stats.examplesSeen).toBe(0);
    expect(stats.trainingAccuracy).toBeNull();
    expect(stats.validationAccuracy).toBeNull();
    expect(stats.classificationLoss).toBe(0);
    expect(s.runId).toBe(runId + 1);
    const update = s.takeUpdate();
    expect(update.runId).toBe(runId + 1);
    expect(update.lossPoints).toEqual([]);
    expect(update.network?.layers.map((l) => `${l.type} ${l.out.sx}x${l.out.sy}x${l.out.depth}`)).toEqual([
      'input 24x24x1',
      'conv 24x24x4',
      'relu 24x24x4',
      'pool 8x8x4',
      'fc 1x1x10',
      'softmax 1x1x10',
    ]);
    expect(update.network?.trainer.batch_size).toBe(10);
    expect(update.network?.definitionText).toBe(SMALL_NETWORK);
    expect(s.step()).toBe(10);
  });

  it('round-trips a snapshot: export, import elsewhere, same weights and predictions', () => {
    const a = session({ seed: 11 });
    a.trainExamples(200);
    const text = a.saveSnapshot();
    const b = session({ seed: 12 });
    expect(weightsOf(b)).not.toEqual(weightsOf(a));
    expect(b.loadSnapshot(text)).toEqual({ ok: true });
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(b.saveSnapshot()).toBe(text);
    // The editor then shows a definition that builds this very network.
    const summary = b.getNetworkSummary();
    expect(summary.layers).toEqual(a.getNetworkSummary().layers);
    const rebuilt = session();
    expect(rebuilt.setNetwork(summary.definitionText)).toEqual({ ok: true });
    expect(rebuilt.getNetworkSummary().layers).toEqual(summary.layers);
    // Same weights, same 4-crop prediction when the crops are drawn alike.
    const pixels = imagePixels(mnist.test, 0).slice();
    const c = session({ seed: 99 });
    const d = session({ seed: 99 });
    c.loadSnapshot(text);
    d.loadSnapshot(text);
    expect(c.classifyImage(pixels)).toEqual(d.classifyImage(pixels));
  });

  it('rejects a bad snapshot and leaves the session untouched', () => {
    const s = session();
    s.trainExamples(40);
    const weights = weightsOf(s);
    const summary = s.getNetworkSummary();
    const good = JSON.parse(s.saveSnapshot()) as { layers: { filters?: { w: number[] }[] }[] };
    const wrongCount = structuredClone(good);
    wrongCount.layers[1].filters![0].w.pop();
    const nanWeight = JSON.stringify(good).replace(/"w":\[([-0-9.e]+)/, '"w":["NaN"');
    // Over the size cap: refused before parsing, with the limit in the message.
    const oversized = ' '.repeat(LIMITS.maxSnapshotChars + 1);
    const cases = ['not json', '{"layers": 3}', JSON.stringify(wrongCount), nanWeight, '{"layers":[]}', oversized];
    for (const text of cases) {
      const result = s.loadSnapshot(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^The snapshot/);
    }
    expect(s.loadSnapshot(oversized)).toEqual({ ok: false, error: expect.stringMatching(/over the limit of 50 MB/) });
    expect(weightsOf(s)).toEqual(weights);
    expect(s.getNetworkSummary()).toEqual(summary);
    expect(s.examplesSeen).toBe(40);
  });

  it('pauses itself with a reason when the loss goes NaN or infinite, and rolls the weights back', () => {
    const s = session({ checkpointEvery: 20 });
    s.trainExamples(40);
    expect(s.setTrainer({ method: 'sgd', learning_rate: 1e6, momentum: 0 })).toEqual({ ok: true });
    s.resume();
    const trained = s.trainExamples(2000);
    expect(trained).toBeLessThan(2000);
    const stats = s.getStats();
    expect(stats.running).toBe(false);
    expect(stats.pausedReason).toMatch(/loss became (NaN|infinite)/);
    expect(stats.pausedReason).toMatch(/lower learning rate \(now 1000000/);
    for (const w of weightsOf(s)) expect(Number.isFinite(w)).toBe(true);
    // With a sane rate it trains on from the rolled-back weights.
    expect(s.setTrainer({ learning_rate: 0.01 })).toEqual({ ok: true });
    s.resume();
    expect(s.getStats().pausedReason).toBeNull();
    expect(s.trainExamples(20)).toBe(20);
    expect(Number.isFinite(s.getStats().classificationLoss)).toBe(true);
    s.dispose();
  });

  it('gives layer snapshots of the right sizes without disturbing training', () => {
    const s = session();
    s.trainExamples(35); // mid-batch: 15 examples' gradients are summed and pending
    const summary = s.getNetworkSummary();
    const before = s.saveSnapshot();
    const all = summary.layers.map((l) => l.index);
    const snaps = s.layerViews([...all, 99, -1]);
    expect(snaps.map((x) => x.index)).toEqual(all);
    for (const snap of snaps) {
      const layer = summary.layers[snap.index];
      expect(snap.activations).toHaveLength(shapeSize(layer.out));
      expect(snap.activationGrads).toHaveLength(shapeSize(layer.out));
      expect(snap.activationRange.min).toBeLessThanOrEqual(snap.activationRange.max);
      if (layer.type === 'conv') {
        expect(snap.weights).toHaveLength(layer.filters! * layer.window!.sx * layer.window!.sy * layer.in.depth);
        expect(snap.weightGrads).toHaveLength(snap.weights!.length);
      } else if (layer.type === 'fc') {
        // fc weights too (the inspector's statistics): neuron i at i * inputs.
        expect(snap.weights).toHaveLength(layer.filters! * shapeSize(layer.in));
        expect(snap.weightGrads).toHaveLength(snap.weights!.length);
      } else {
        expect(snap.weights).toBeNull();
      }
    }
    // Fresh copies: changing one never reaches the session.
    snaps[1].activations.fill(123);
    expect(s.layerViews([1])[0].activations[0]).not.toBe(123);

    // Looking changes nothing: a twin session that never looked ends with the same weights.
    const twin = session();
    twin.trainExamples(35);
    s.trainExamples(25);
    twin.trainExamples(25);
    expect(s.saveSnapshot()).toBe(twin.saveSnapshot());
    expect(before).not.toBe(s.saveSnapshot());
  });

  it("shows the gradient on the last example's input, which training leaves out, without changing the weight gradients", () => {
    const s = session();
    s.trainExamples(35);
    const before = s.layerViews([1])[0];
    const [input, conv] = s.layerViews([0, 1]);
    // The weight gradients (the batch's sum so far) are what they were before the input layer was asked for.
    expect(Array.from(conv.weightGrads!)).toEqual(Array.from(before.weightGrads!));
    expect(Array.from(conv.activationGrads)).toEqual(Array.from(before.activationGrads));
    // The input's gradient is conv 1's output gradient sent back through its filters,
    // computed here with the plain-loop reference kernel.
    const layer = s.getNetworkSummary().layers[1];
    const shape = {
      inSx: layer.in.sx, inSy: layer.in.sy, inDepth: layer.in.depth, outSx: layer.out.sx, outSy: layer.out.sy,
      filters: layer.filters!, sx: layer.window!.sx, sy: layer.window!.sy, stride: layer.window!.stride, pad: layer.window!.pad,
    };
    const expected = new Float32Array(input.activationGrads.length);
    const kernel = referenceKernels.conv(shape);
    kernel.backward(input.activations, conv.weights!, conv.activationGrads, expected, new Float32Array(conv.weights!.length), new Float32Array(shape.filters));
    expect(expected.some((v) => v !== 0)).toBe(true);
    for (let i = 0; i < expected.length; i++) expect(input.activationGrads[i]).toBeCloseTo(expected[i], 6);
    s.dispose();
  });

  it('classifies a user image and shows it in the layer views until cleared', () => {
    const s = session();
    s.trainExamples(1000);
    const index = 3;
    const pixels = imagePixels(mnist.test, index).slice();
    const result = s.classifyImage(pixels);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.top3).toHaveLength(3);
    const sum = result.top3.reduce((a, p) => a + p.probability, 0);
    expect(sum).toBeLessThanOrEqual(1 + 1e-6);
    expect(result.top3.map((p) => p.label)).toContain(mnist.test.labels[index]);

    // The input layer's view is the center crop of the user's image (pixel/255 - 0.5).
    const input = s.layerViews([0])[0].activations;
    expect(input[0]).toBeCloseTo(pixels[2 * 28 + 2] / 255 - 0.5, 6);
    expect(input[12 * 24 + 12]).toBeCloseTo(pixels[14 * 28 + 14] / 255 - 0.5, 6);
    s.clearInspectedImage();
    const training = s.layerViews([0])[0].activations;
    expect(Array.from(training)).not.toEqual(Array.from(input));

    const wrong = s.classifyImage(new Uint8Array(100));
    expect(wrong.ok).toBe(false);
  });

  it('reports the network summary once per change in updates', () => {
    const s = session();
    const first = s.takeUpdate();
    expect(first.network?.layers.map((l) => l.paramFormula).filter(Boolean)).toEqual([
      '8x5x5x1+8 = 208',
      '16x5x5x8+16 = 3216',
      '10x256+10 = 2570',
    ]);
    expect(first.network?.totalParams).toBe(208 + 3216 + 2570);
    expect(first.network?.definitionText).toBe(SEED_DEFINITION_TEXT);
    expect(s.takeUpdate().network).toBeUndefined();
    s.setTrainer({ l2_decay: 0.002 });
    expect(s.takeUpdate().network?.trainer.l2_decay).toBe(0.002);
  });
});
