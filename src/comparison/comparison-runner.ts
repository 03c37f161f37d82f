/**
 * TrainerComparison: ConvNetJS's trainer comparison as a plain class (no DOM, no worker
 * APIs), so it runs in the comparison worker and in Node tests alike.
 *
 * One network is built from the seed and copied once per trainer configuration, so every
 * run starts from the same weights. One sampler draws the training examples and their
 * crops in rounds; every run trains on the same round, in turn, before the next round is
 * drawn, so the runs see the same data stream and progress together. Runs differ only in
 * their trainer, so their curves differ only because of it.
 */
import { argmax } from '../data/augment';
import { MNIST_SHAPE, type DatasetShape, type ImageSet } from '../data/dataset';
import { createDatasetInput, predictAveraged, randomPlacement } from '../data/dataset-inputs';
import { deriveSeed } from '../data/seeds';
import { loadedIndices, splitForSeed, type TrainValidationSplit } from '../data/splits';
import type { Kernels } from '../engine';
import { Net } from '../engine/net';
import { Rng } from '../engine/rng';
import type { ResolvedLayer, TrainerSpec } from '../engine/spec';
import { Trainer } from '../engine/trainer';
import type { Volume } from '../engine/volume';
import { ExampleStep } from '../parallel/example-step';
import { MovingWindow } from '../training/stats';
import { CurveHistory } from './curve-history';
import { MAX_COMPARED_TRAINERS, MIN_COMPARED_TRAINERS, type RunReport } from './protocol';

/** The data a comparison reads; in the browser the training set grows as chunks arrive. */
export interface ComparisonData {
  readonly train: ImageSet;
  /** The dataset the training set belongs to (shape and augmentation); MNIST when absent. */
  readonly dataset?: DatasetShape;
  /** Size of the full training set (0 while unknown): the validation split is drawn from it. */
  readonly trainTotal: number;
}

export interface ComparisonSetup {
  layers: readonly ResolvedLayer[];
  trainers: readonly TrainerSpec[];
  /** Legend names, one per trainer (default "1: sgd", ...). */
  labels?: readonly string[];
  seed: number;
  /** Examples drawn per round; every run trains the whole round before the next is drawn. */
  examplesPerRound?: number;
  /** A run forwards one validation example (4-crop averaged) before every n-th training example. */
  validationEvery?: number;
  /** A curve point every n examples. */
  pointEvery?: number;
  /** Points kept per curve. */
  maxPoints?: number;
  kernels?: Kernels;
  /** Clock in ms, for ms/example; default performance.now. */
  now?: () => number;
}

/** Per round entry: training index, window x, window y, validation index (-1: none due), flip (1 or 0). */
const ROUND_STRIDE = 5;

/** One trainer configuration with its own copy of the network. */
class ComparisonRun {
  readonly net: Net;
  readonly trainer: Trainer;
  /** The per-example step every training path shares (the session's, the replicas'). */
  readonly step: ExampleStep;
  examples = 0;
  stoppedReason: string | null = null;
  readonly curve: CurveHistory;
  readonly classificationLoss = new MovingWindow(100, 1);
  readonly decayLoss = new MovingWindow(100, 1);
  readonly trainingAccuracy = new MovingWindow(100, 20);
  readonly validationAccuracy = new MovingWindow(100, 20);
  /** Longer than the loss window: single timings are noisy (other work on the core, GC). */
  readonly msPerExample = new MovingWindow(1000, 1);
  /** Crops of validation examples; seeded alike in every run, so equal runs draw equal crops. */
  readonly evalRng: Rng;

  constructor(
    readonly label: string,
    readonly spec: TrainerSpec,
    net: Net,
    seed: number,
    maxPoints: number,
    dataset: DatasetShape,
  ) {
    this.net = net;
    this.trainer = new Trainer(net, spec);
    this.step = new ExampleStep(net, dataset);
    this.evalRng = new Rng(deriveSeed(seed, 'eval-crops'));
    this.curve = new CurveHistory(maxPoints);
  }

  smoothedLoss(): number | null {
    const loss = this.classificationLoss.average();
    return loss === null ? null : loss + (this.decayLoss.average() ?? 0);
  }
}

export class TrainerComparison {
  private readonly runList: ComparisonRun[];
  private readonly data: ComparisonData;
  private readonly seed: number;
  private readonly sampler: Rng;
  private readonly examplesPerRound: number;
  private readonly validationEvery: number;
  private readonly pointEvery: number;
  private readonly now: () => number;
  /** The dataset's shape and augmentation, and the network's input shape its windows take. */
  private readonly dataset: DatasetShape;
  private readonly evalInput: Volume;
  private readonly outputs: Float32Array;
  private split: TrainValidationSplit | null = null;

  /** The round being trained: ROUND_STRIDE values per example. */
  private readonly round: Int32Array;
  private roundLength = 0;
  /** Which run trains next, which example of the round it is at, and how many runs finished the round. */
  private runCursor = 0;
  private exampleCursor = 0;
  private runsDone = 0;
  private rounds = 0;

  /** Checks the setup (throws an Error a person can read) and builds one network per trainer. */
  constructor(data: ComparisonData, setup: ComparisonSetup) {
    const count = setup.trainers.length;
    if (count < MIN_COMPARED_TRAINERS || count > MAX_COMPARED_TRAINERS) {
      throw new Error(
        `a comparison takes ${MIN_COMPARED_TRAINERS} to ${MAX_COMPARED_TRAINERS} trainer configurations, got ${count}`,
      );
    }
    const labels = setup.labels ?? setup.trainers.map((t, i) => `${i + 1}: ${t.method}`);
    if (labels.length !== count) throw new Error(`${labels.length} labels for ${count} trainer configurations`);
    this.data = data;
    this.seed = setup.seed;
    this.examplesPerRound = positiveInteger(setup.examplesPerRound ?? 20, 'examplesPerRound');
    this.validationEvery = positiveInteger(setup.validationEvery ?? 10, 'validationEvery');
    this.pointEvery = positiveInteger(setup.pointEvery ?? 50, 'pointEvery');
    this.now = setup.now ?? (() => performance.now());
    const maxPoints = setup.maxPoints ?? 400;

    const inputShape = setup.layers[0]?.out;
    if (!inputShape) throw new Error('the network has no layers');
    this.dataset = data.dataset ?? MNIST_SHAPE;
    // Throws InputShapeError (naming both shapes) when the dataset cannot feed this input.
    this.evalInput = createDatasetInput(inputShape, this.dataset);
    // One network from the seed, then a copy per trainer: the same initial weights for all.
    // Each copy gets an Rng seeded alike, so dropout masks also agree between equal runs.
    const initSeed = deriveSeed(setup.seed, 'init');
    const first = new Net(setup.layers, new Rng(initSeed), setup.kernels);
    this.runList = setup.trainers.map((spec, i) => {
      const net = i === 0 ? first : new Net(setup.layers, new Rng(initSeed), setup.kernels);
      if (net !== first) net.params.set(first.params);
      return new ComparisonRun(labels[i]!, spec, net, setup.seed, maxPoints, this.dataset);
    });
    this.sampler = new Rng(deriveSeed(setup.seed, 'epoch-order'));
    const out = first.outputShape;
    this.outputs = new Float32Array(out.sx * out.sy * out.depth);
    this.round = new Int32Array(this.examplesPerRound * ROUND_STRIDE);
  }

  get runCount(): number {
    return this.runList.length;
  }

  /** The network of run `i` (tests compare weights through it). */
  netOf(i: number): Net {
    return this.runList[i]!.net;
  }

  /** True when every run has stopped (all diverged): nothing left to train. */
  get finished(): boolean {
    return this.runList.every((r) => r.stoppedReason !== null);
  }

  /**
   * Trains one example on one run: the next step of the round robin. Returns 'no-data'
   * while no training example has arrived, 'finished' when every run has stopped.
   */
  trainNext(): 'trained' | 'no-data' | 'finished' {
    if (this.finished) return 'finished';
    for (;;) {
      if (this.roundLength === 0 && !this.drawRound()) return 'no-data';
      const run = this.runList[this.runCursor]!;
      // A stopped run is skipped; the round stays the same for the others.
      if (run.stoppedReason !== null) {
        this.advanceRun();
        continue;
      }
      this.trainExample(run, this.exampleCursor++);
      if (this.exampleCursor >= this.roundLength || run.stoppedReason !== null) this.advanceRun();
      return 'trained';
    }
  }

  /** Trains until every run has trained `examples` more examples (tests and the CLI). */
  trainExamples(examples: number): void {
    const target = Math.max(...this.runList.map((r) => r.examples)) + examples;
    while (this.runList.some((r) => r.stoppedReason === null && r.examples < target)) {
      if (this.trainNext() !== 'trained') return;
    }
  }

  reports(): RunReport[] {
    return this.runList.map((run) => ({
      label: run.label,
      trainer: { ...run.spec },
      examples: run.examples,
      loss: run.smoothedLoss(),
      trainingAccuracy: run.trainingAccuracy.average(),
      validationAccuracy: run.validationAccuracy.average(),
      msPerExample: run.msPerExample.average(),
      stoppedReason: run.stoppedReason,
      curve: run.curve.values(),
    }));
  }

  /** Moves to the next run; after the last one the round is done and a new one will be drawn. */
  private advanceRun(): void {
    this.exampleCursor = 0;
    this.runCursor = (this.runCursor + 1) % this.runList.length;
    this.runsDone++;
    if (this.runsDone >= this.runList.length) this.roundLength = 0;
  }

  /** Draws the next round of examples and crops; false while no training data is loaded. */
  private drawRound(): boolean {
    if (!this.split && this.data.trainTotal > 0) this.split = splitForSeed(this.data.trainTotal, this.seed);
    if (!this.split) return false;
    const train = loadedIndices(this.split.train, this.data.train.count);
    if (train.length === 0) return false;
    const validation = loadedIndices(this.split.validation, this.data.train.count);
    // Every running run has trained as many examples as the others at a round's start.
    const startExamples = Math.max(...this.runList.map((r) => r.examples));
    const round = this.round;
    for (let e = 0; e < this.examplesPerRound; e++) {
      const o = e * ROUND_STRIDE;
      const due = (startExamples + e) % this.validationEvery === 0 && validation.length > 0;
      round[o + 3] = due ? validation[this.sampler.int(0, validation.length)]! : -1;
      round[o] = train[this.sampler.int(0, train.length)]!;
      const window = randomPlacement(this.evalInput, this.dataset, this.sampler);
      round[o + 1] = window.offsetX;
      round[o + 2] = window.offsetY;
      round[o + 4] = window.flip ? 1 : 0;
    }
    this.roundLength = this.examplesPerRound;
    // Each round starts with the next run: the first run after a new round trains slower
    // (colder caches), and rotating spreads that over all runs, so ms/example compares fairly.
    this.runCursor = this.rounds % this.runList.length;
    this.rounds++;
    this.runsDone = 0;
    this.exampleCursor = 0;
    return true;
  }

  private trainExample(run: ComparisonRun, e: number): void {
    const o = e * ROUND_STRIDE;
    const set = this.data.train;
    const validationIndex = this.round[o + 3]!;
    if (validationIndex >= 0) {
      predictAveraged(run.net, this.evalInput, this.dataset, set, validationIndex, run.evalRng, this.outputs);
      run.validationAccuracy.add(argmax(this.outputs) === set.labels[validationIndex] ? 1 : 0);
    }
    const index = this.round[o]!;
    const label = set.labels[index]!;
    const t0 = this.now();
    const { loss, predicted } = run.step.run(set, index, this.round[o + 1]!, this.round[o + 2]!, this.round[o + 4]!);
    const stats = run.trainer.addSummedExamples(1);
    run.msPerExample.add(this.now() - t0);
    if (!Number.isFinite(loss) || !Number.isFinite(stats.l2DecayLoss)) {
      const what = Number.isNaN(loss) ? 'NaN' : 'infinite';
      run.stoppedReason =
        `the loss became ${what} after ${run.examples} examples, so this run stopped; ` +
        `try a lower learning_rate or a smaller l2_decay`;
      return;
    }
    run.examples++;
    run.classificationLoss.add(loss);
    run.decayLoss.add(stats.l2DecayLoss + stats.l1DecayLoss);
    run.trainingAccuracy.add(predicted === label ? 1 : 0);
    if (run.examples % this.pointEvery === 0) {
      run.curve.add({
        examples: run.examples,
        loss: run.smoothedLoss()!,
        trainingAccuracy: run.trainingAccuracy.average(),
        validationAccuracy: run.validationAccuracy.average(),
      });
    }
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got ${value}`);
  return value;
}
