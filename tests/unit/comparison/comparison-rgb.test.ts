/**
 * The trainer comparison on a colour dataset: its runs train on the dataset's shifted and
 * mirrored windows through the shared per-example step, and a network the dataset cannot
 * fill is refused naming both shapes.
 */
import { describe, expect, it } from 'vitest';
import { TrainerComparison, type ComparisonData } from '../../../src/comparison/comparison-runner';
import { CIFAR10_AUGMENTATION, type DatasetShape } from '../../../src/data/dataset';
import { Rng } from '../../../src/engine/rng';
import { resolveLayers, resolveTrainer } from '../../../src/engine/spec';

const SIDE = 8;
const DATASET: DatasetShape = { name: 'Colours', width: SIDE, height: SIDE, channels: 3, augmentation: CIFAR10_AUGMENTATION };

/** Images of one colour per class (red, green, blue) with noise: easy to tell apart. */
function colours(count: number): ComparisonData {
  const rng = new Rng(4);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  const images = new Uint8Array(count * SIDE * SIDE * 3);
  for (let k = 0; k < images.length; k++) {
    const image = Math.floor(k / (SIDE * SIDE * 3));
    images[k] = (k % 3 === labels[image] ? 190 : 30) + rng.int(0, 50);
  }
  return { train: { count, images, labels }, trainTotal: count, dataset: DATASET };
}

const LAYERS = resolveLayers([
  { type: 'input', out_sx: SIDE, out_sy: SIDE, out_depth: 3 },
  { type: 'fc', num_neurons: 6, activation: 'relu' },
  { type: 'softmax', num_classes: 3 },
]);
const TRAINERS = [
  resolveTrainer({ method: 'adadelta', batch_size: 4, l2_decay: 0.0001 }),
  resolveTrainer({ method: 'sgd', learning_rate: 0.01, momentum: 0.9, batch_size: 4, l2_decay: 0.0001 }),
];

describe('TrainerComparison on an RGB dataset', () => {
  it('trains every run on the colour windows, and they learn', () => {
    const comparison = new TrainerComparison(colours(300), { layers: LAYERS, trainers: TRAINERS, seed: 1, validationEvery: 2 });
    comparison.trainExamples(300);
    for (const report of comparison.reports()) {
      expect(report.examples).toBe(300);
      expect(report.stoppedReason).toBeNull();
      // Chance is 1/3.
      expect(report.validationAccuracy).toBeGreaterThan(0.8);
    }
  });

  it('refuses an input the dataset cannot fill, naming both shapes', () => {
    const gray = resolveLayers([
      { type: 'input', out_sx: SIDE, out_sy: SIDE, out_depth: 1 },
      { type: 'softmax', num_classes: 3 },
    ]);
    expect(() => new TrainerComparison(colours(10), { layers: gray, trainers: TRAINERS, seed: 1 })).toThrow(
      "the network's input is 8x8x1, but Colours images are 8x8x3; use an input of depth 3",
    );
  });
});
