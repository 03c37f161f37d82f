import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { CIFAR10_DEFINITION_TEXT, defaultDefinitionFor, NETWORK_PRESETS, presetsFor, presetTargetOf, type PresetTarget } from '../../../src/engine/presets';
import { totalParamCount } from '../../../src/engine/spec';
import { datasetProblem, mnistProblem, TrainingSession } from '../../../src/training/session';
import { MNIST_SESSION_DATASET } from '../../../src/training/session/model';

let mnist: MnistData;

beforeAll(() => {
  mnist = loadMnist();
});

function preset(name: string) {
  const found = NETWORK_PRESETS.find((p) => p.name === name);
  if (!found) throw new Error(`no preset named ${name}`);
  return found;
}

describe('network presets', () => {
  it('offers the four presets of the issue, with unique names', () => {
    expect(NETWORK_PRESETS.map((p) => p.name)).toEqual([
      "Seed network (the demo's)",
      'Wider two-conv',
      'MLP',
      'SVM loss',
    ]);
    expect(preset("Seed network (the demo's)").text).toBe(SEED_DEFINITION_TEXT);
  });

  it.each(NETWORK_PRESETS.map((p) => [p.name, p.text]))('%s parses, validates and fits MNIST', (_name, text) => {
    const { layers, trainer } = parseNetwork(text);
    expect(mnistProblem(layers)).toBeNull();
    expect(layers[0]!.out).toEqual({ sx: 24, sy: 24, depth: 1 });
    expect(trainer).toMatchObject({ method: 'adadelta', batch_size: 20, l2_decay: 0.001 });
  });

  it('builds the layers each name promises', () => {
    const shapes = (name: string) =>
      parseNetwork(preset(name).text).layers.map((l) => `${l.type} ${l.out.sx}x${l.out.sy}x${l.out.depth}`);
    expect(shapes('Wider two-conv')).toEqual([
      'input 24x24x1',
      'conv 24x24x16',
      'relu 24x24x16',
      'pool 12x12x16',
      'conv 12x12x32',
      'relu 12x12x32',
      'pool 4x4x32',
      'fc 1x1x10',
      'softmax 1x1x10',
    ]);
    expect(shapes('MLP')).toEqual([
      'input 24x24x1',
      'fc 1x1x100',
      'relu 1x1x100',
      'fc 1x1x100',
      'relu 1x1x100',
      'fc 1x1x10',
      'softmax 1x1x10',
    ]);
    const svm = parseNetwork(preset('SVM loss').text).layers;
    const seed = parseNetwork(SEED_DEFINITION_TEXT).layers;
    expect(svm.at(-1)!.type).toBe('svm');
    expect(svm.slice(0, -1)).toEqual(seed.slice(0, -1));
    // 100x576+100 + 100x100+100 + 10x100+10 parameters.
    expect(totalParamCount(parseNetwork(preset('MLP').text).layers)).toBe(57_700 + 10_100 + 1_010);
  });

  it.each(NETWORK_PRESETS.map((p) => [p.name, p.text]))('%s learns on MNIST', (_name, text) => {
    const session = new TrainingSession(
      { train: mnist.train, test: mnist.test, trainTotal: mnist.train.count },
      { seed: 3, definitionText: text, schedule: () => {}, now: () => 0 },
    );
    try {
      expect(session.trainExamples(600)).toBe(600);
      const stats = session.getStats();
      expect(Number.isFinite(stats.classificationLoss)).toBe(true);
      // Chance is 10%; every preset is well above it after 600 examples.
      expect(stats.trainingAccuracy!).toBeGreaterThan(0.3);
    } finally {
      session.dispose();
    }
  });
});

describe('the network a dataset starts with', () => {
  const mnistLike = { width: 28, height: 28, channels: 1, classes: 10, randomCrops: true };

  it("is the demo's seed network for MNIST's shape, with one output per class", () => {
    expect(defaultDefinitionFor(mnistLike)).toBe(SEED_DEFINITION_TEXT);
    const five = parseNetwork(defaultDefinitionFor({ ...mnistLike, classes: 5 })).layers;
    expect(five.at(-1)!.out.depth).toBe(5);
  });

  it("is ConvNetJS's CIFAR-10 network, with its trainer, for 32x32 colour", () => {
    const { layers, trainer } = parseNetwork(defaultDefinitionFor({ width: 32, height: 32, channels: 3, classes: 10, randomCrops: false }));
    expect(layers.map((l) => `${l.type} ${l.out.sx}x${l.out.sy}x${l.out.depth}`)).toEqual([
      'input 32x32x3', 'conv 32x32x16', 'relu 32x32x16', 'pool 16x16x16', 'conv 16x16x20', 'relu 16x16x20',
      'pool 8x8x20', 'conv 8x8x20', 'relu 8x8x20', 'pool 4x4x20', 'fc 1x1x10', 'softmax 1x1x10',
    ]);
    expect(trainer).toMatchObject({ method: 'adadelta', batch_size: 4, l2_decay: 0.0001 });
  });

  it('takes the whole image of any other shape', () => {
    const { layers } = parseNetwork(defaultDefinitionFor({ width: 12, height: 9, channels: 3, classes: 3, randomCrops: false }));
    expect(layers[0]!.out).toEqual({ sx: 12, sy: 9, depth: 3 });
    expect(layers.at(-1)!.out.depth).toBe(3);
  });
});

describe('the presets a dataset is offered', () => {
  const targets: PresetTarget[] = [
    { width: 28, height: 28, channels: 1, classes: 10, randomCrops: true },
    { width: 28, height: 28, channels: 1, classes: 5, randomCrops: true },
    { width: 32, height: 32, channels: 3, classes: 10, randomCrops: false },
    { width: 32, height: 32, channels: 3, classes: 3, randomCrops: false },
    { width: 16, height: 20, channels: 1, classes: 4, randomCrops: false },
    { width: 12, height: 9, channels: 3, classes: 2, randomCrops: false },
    { width: 3, height: 3, channels: 1, classes: 2, randomCrops: false },
  ];
  const cases = targets.flatMap((target) =>
    presetsFor(target).map((p) => [`${target.width}x${target.height}x${target.channels}, ${target.classes} classes: ${p.name}`, target, p.text] as const),
  );

  it.each(cases)('%s parses and fits the dataset', (_name, target, text) => {
    const { layers } = parseNetwork(text);
    const dataset = {
      ...MNIST_SESSION_DATASET,
      name: 'made',
      width: target.width,
      height: target.height,
      channels: target.channels as 1 | 3,
      classNames: Array.from({ length: target.classes }, (_, i) => `class ${i}`),
      augmentation: target.randomCrops ? MNIST_SESSION_DATASET.augmentation : ({ kind: 'none' } as const),
    };
    expect(datasetProblem(layers, dataset)).toBeNull();
  });

  it("keeps MNIST's list for MNIST, with one output per class for other counts", () => {
    expect(presetsFor(targets[0]!)).toBe(NETWORK_PRESETS);
    const five = presetsFor(targets[1]!);
    expect(five.map((p) => p.name)).toEqual(NETWORK_PRESETS.map((p) => p.name));
    for (const p of five) expect(parseNetwork(p.text).layers.at(-1)!.out.depth).toBe(5);
  });

  it("offers ConvNetJS's CIFAR-10 network first for 32x32 colour, generic ones otherwise", () => {
    expect(presetsFor(targets[2]!).map((p) => p.name)).toEqual(["ConvNetJS's CIFAR-10 network", 'Small two-conv', 'MLP']);
    expect(presetsFor(targets[2]!)[0]!.text).toBe(CIFAR10_DEFINITION_TEXT);
    expect(presetsFor(targets[4]!).map((p) => p.name)).toEqual(['Small two-conv', 'MLP']);
    // Too small to pool twice: the fully connected one alone.
    expect(presetsFor(targets[6]!).map((p) => p.name)).toEqual(['MLP']);
  });

  it('reads the target off a dataset: random crops for 28x28 grayscale only', () => {
    const named = (n: number) => Array.from({ length: n }, (_, i) => String(i));
    expect(presetTargetOf({ width: 28, height: 28, channels: 1, classNames: named(10) })).toEqual(targets[0]);
    expect(presetTargetOf({ width: 32, height: 32, channels: 3, classNames: named(3) })).toEqual(targets[3]);
  });
});
