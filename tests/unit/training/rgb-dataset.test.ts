/**
 * A colour dataset through the whole training path: a session on a tiny made RGB set
 * (3 classes of coloured shapes, 12x12x3, shifted and mirrored by the CIFAR-10 policy)
 * learns it; its predictions, test images, layer views and test-set evaluation follow
 * the dataset's shape and class count; networks that do not fit are refused with both shapes.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset, ImageSet } from '../../../src/data/dataset';
import { evaluateAccuracy } from '../../../src/data/evaluate';
import { Rng } from '../../../src/engine/rng';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { netFromJSON, netToJSON } from '../../../src/engine/snapshot';
import { evaluationConfusion, evaluationRngSeed, type EvaluationOutcome } from '../../../src/training/evaluation';
import { TrainingSession, type SessionData } from '../../../src/training/session';
import { inProcessLink } from '../parallel/in-process-link';
import { runToEnd } from './run-to-end';
import { smallNetText } from '../helpers/small-net';

const SIDE = 12;
const CLASSES = ['red square', 'green ring', 'blue bar'];

/** Shape `label` at a random place, its colour with noise, on a dark noisy background. */
function shapes(count: number, rng: Rng): ImageSet {
  const images = new Uint8Array(count * SIDE * SIDE * 3);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    labels[i] = label;
    const cx = rng.int(4, 8);
    const cy = rng.int(4, 8);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const r = Math.hypot(dx, dy);
        const inside =
          label === 0 ? Math.abs(dx) <= 2 && Math.abs(dy) <= 2 : label === 1 ? r >= 2 && r <= 3.5 : Math.abs(dy) <= 1 && Math.abs(dx) <= 4;
        const at = ((i * SIDE + y) * SIDE + x) * 3;
        for (let c = 0; c < 3; c++) {
          const lit = inside && c === label;
          images[at + c] = Math.min(255, (lit ? 200 : 20) + rng.int(0, 40));
        }
      }
    }
  }
  return { count, images, labels };
}

function shapesDataset(): Dataset {
  const rng = new Rng(3);
  return {
    name: 'Shapes',
    classNames: CLASSES,
    width: SIDE,
    height: SIDE,
    channels: 3,
    train: shapes(600, rng),
    test: shapes(90, rng),
    validationFraction: 0.1,
    augmentation: { kind: 'shift-flip', maxShift: 1, horizontalFlip: true, testTimeShifts: 6 },
    source: { kind: 'local', format: 'images', fingerprint: '0'.repeat(64) },
  };
}

function sessionData(dataset: Dataset): SessionData {
  return { train: dataset.train, test: dataset.test, trainTotal: dataset.train.count, dataset };
}

const RGB_NET = smallNetText({ size: 12, depth: 3, filters: 6, sx: 3, pool: 2, classes: 3, trainer: "{method:'adadelta', batch_size:4, l2_decay:0.0001}" });

function drivenSession(data: SessionData, definitionText = RGB_NET) {
  const tasks: (() => void)[] = [];
  let clock = 0;
  const session = new TrainingSession(data, {
    seed: 2,
    definitionText,
    sliceMs: 15,
    now: () => (clock += 1),
    schedule: (task) => tasks.push(task),
  });
  return { session, tasks, runQueued: () => tasks.splice(0).forEach((task) => task()) };
}

function evaluated(session: TrainingSession, runQueued: () => void, tasks: unknown[]): Promise<EvaluationOutcome> {
  return runToEnd(session.evaluateTestSet(), runQueued, tasks);
}

describe('a session on a made RGB dataset', () => {
  it('learns three coloured shapes far above chance, and evaluates with the dataset classes', async () => {
    const dataset = shapesDataset();
    const { session, tasks, runQueued } = drivenSession(sessionData(dataset));
    session.trainExamples(400);
    expect(session.examplesSeen).toBe(400);
    const outcome = await evaluated(session, runQueued, tasks);
    if (!outcome.ok) throw new Error(outcome.error);
    const { evaluation } = outcome;
    expect(evaluation.total).toBe(90);
    expect(evaluation.classes).toBe(3);
    // Chance is 1/3.
    expect(evaluation.fourCropCorrect / evaluation.total).toBeGreaterThan(0.8);
    expect(evaluation.centerCorrect / evaluation.total).toBeGreaterThan(0.8);
    const confusion = evaluationConfusion(evaluation);
    expect(confusion).toHaveLength(3);
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(90);
  });

  it('predicts test images as RGB pixels of the dataset size, classifies an RGB image, and shows it in the layer views', () => {
    const dataset = shapesDataset();
    const { session } = drivenSession(sessionData(dataset));
    session.trainExamples(300);
    // The test predictions made while training carry the RGB pixels of their image and a top 3 of the 3 classes.
    const { predictions, dataset: named } = session.takeUpdate();
    // The first push names the dataset, so the page can label classes and draw RGB.
    expect(named).toMatchObject({ width: SIDE, height: SIDE, channels: 3, classNames: [...dataset.classNames] });
    expect(session.takeUpdate().dataset).toBeUndefined();
    expect(predictions.length).toBeGreaterThan(0);
    for (const prediction of predictions) {
      const at = prediction.testIndex * 432;
      expect(Array.from(prediction.pixels)).toEqual(Array.from(dataset.test.images.subarray(at, at + 432)));
      expect(prediction.top3.map((c) => c.label).sort()).toEqual([0, 1, 2]);
    }
    const pixels = session.testImages([0, 4]);
    expect(pixels.length).toBe(2 * SIDE * SIDE * 3);
    expect(Array.from(pixels.subarray(SIDE * SIDE * 3))).toEqual(Array.from(dataset.test.images.subarray(4 * 432, 5 * 432)));
    const image = dataset.test.images.slice(432, 864);
    const result = session.classifyImage(image);
    if (!result.ok) throw new Error(result.error);
    expect(result.top3.map((c) => c.label).sort()).toEqual([0, 1, 2]);
    expect(result.top3[0].label).toBe(dataset.test.labels[1]);
    const refused = session.classifyImage(new Uint8Array(144));
    expect(refused).toEqual({ ok: false, error: 'An image must be 12x12 = 144 RGB pixels (432 bytes), got 144.' });
    const [input] = session.layerViews([0]);
    // The input layer's view is the inspected image, 12x12x3, pixel/255 - 0.5.
    expect(input.activations.length).toBe(432);
    expect(input.activations[5]).toBeCloseTo(image[5] / 255 - 0.5, 6);
  });

  it('trains the same with its test-time averaging as evaluateAccuracy scores it', async () => {
    const dataset = shapesDataset();
    const { session, tasks, runQueued } = drivenSession(sessionData(dataset));
    session.trainExamples(200);
    const outcome = await evaluated(session, runQueued, tasks);
    if (!outcome.ok) throw new Error(outcome.error);
    const net = netFromJSON(JSON.parse(session.saveSnapshot()), new Rng(0));
    const averaged = evaluateAccuracy(net, dataset.test, '4crop', { rng: new Rng(evaluationRngSeed(2)), dataset });
    // The evaluator draws the averaged windows and then takes the center window per image, as evaluateAccuracy does.
    expect(averaged.correct).toBe(outcome.evaluation.fourCropCorrect);
    expect(evaluateAccuracy(net, dataset.test, 'center', { dataset }).correct).toBe(outcome.evaluation.centerCorrect);
  });

  it('shares its mini-batches with a replica, which receives the RGB set and classifies the validation probes', async () => {
    const dataset = shapesDataset();
    const session = new TrainingSession(sessionData(dataset), {
      seed: 2,
      definitionText: RGB_NET,
      replicas: [inProcessLink()],
      validationEvery: 5,
    });
    session.resume();
    while (session.examplesSeen < 400) await new Promise((resolve) => setTimeout(resolve, 2));
    session.pause();
    expect(session.trainingThreads).toBe(2);
    expect(session.replicaFailure).toBeNull();
    // The probes (1 + 6 windows each) came back from the replica, classified far above chance.
    expect(session.getStats().validationAccuracy).toBeGreaterThan(0.7);
    session.dispose();
  });

  it('refuses networks that do not fit the dataset, naming both shapes', () => {
    const data = sessionData(shapesDataset());
    const gray = RGB_NET.replace('out_depth:3', 'out_depth:1');
    expect(() => new TrainingSession(data, { definitionText: gray })).toThrow(
      "The network's input is 12x12x1, but Shapes images are 12x12x3; use an input of depth 3",
    );
    const { session } = drivenSession(data);
    expect(session.setNetwork(RGB_NET.replace('out_sx:12, out_sy:12', 'out_sx:10, out_sy:10'))).toEqual({
      ok: false,
      error: "The network's input is 10x10x3, but Shapes images are 12x12x3; use an input of 12x12x3",
    });
    // A snapshot of the MNIST seed network (24x24x1) is refused the same way, and changes nothing.
    const before = session.saveSnapshot();
    const mnistSnapshot = JSON.stringify(netToJSON(new Net(parseNetwork(SEED_DEFINITION_TEXT).layers, new Rng(1))));
    expect(session.loadSnapshot(mnistSnapshot)).toEqual({
      ok: false,
      error: "The snapshot cannot be used here: The network's input is 24x24x1, but Shapes images are 12x12x3; use an input of depth 3",
    });
    expect(session.saveSnapshot()).toBe(before);
    expect(session.setNetwork(RGB_NET.replace('num_classes:3', 'num_classes:10'))).toEqual({
      ok: false,
      error: 'The last layer (softmax) has 10 outputs, but Shapes has 3 classes; use num_classes:3.',
    });
  });
});
