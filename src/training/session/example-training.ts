/**
 * Training on this thread, one example at a time, and the bookkeeping every training
 * path shares: drawing examples, counting one (statistics and rollback points), the
 * layer statistics after an update, and the roll-back when training diverges.
 */
import { randomPlacement } from '../../data/dataset-inputs';
import { Trainer } from '../../engine/trainer';
import { EXAMPLE_STRIDE, writeExample } from '../../parallel/example-stream';
import { paramsAreFinite } from '../divergence';
import type { DivergenceGuard } from './divergence-guard';
import type { LayerProbe } from './layer-probe';
import type { LayerStatsSampler } from './layer-stats-sampler';
import type { SessionModel } from './model';
import type { Predictions } from './predictions';
import type { RunStatistics } from './run-statistics';

export type ExampleResult = 'no-data' | 'diverged' | 'trained' | 'updated';

export interface TrainingParts {
  model: SessionModel;
  stats: RunStatistics;
  guard: DivergenceGuard;
  probe: LayerProbe;
  predictions: Predictions;
  layerStats: LayerStatsSampler;
  now: () => number;
  /** Stops the run with a reason a person reads (training diverged). */
  pause: (reason: string) => void;
}

export class ExampleTraining {
  private readonly oneExample = new Int32Array(EXAMPLE_STRIDE);

  constructor(private readonly parts: TrainingParts) {}

  /**
   * Draws `count` training examples from the run's generator into `into`, as
   * (index, offsetX, offsetY, flip) quadruples: the index first, then the window by the
   * dataset's policy (for MNIST's crops, the x offset and then the y offset).
   */
  drawExamples(train: Int32Array, into: Int32Array, count: number): void {
    const { rng, net, dataset } = this.parts.model;
    for (let e = 0; e < count; e++) {
      const index = train[rng.int(0, train.length)];
      writeExample(into, e, index, randomPlacement(net.inputShape, dataset, rng));
    }
  }

  /** One training example, with the validation and test work that falls due before it. */
  trainOne(): ExampleResult {
    const { model, stats, layerStats, probe } = this.parts;
    const train = model.trainIndices();
    if (train.length === 0) return 'no-data';
    // One clock reading per example serves the test predictions and the layer statistics.
    const now = this.parts.now();
    this.parts.predictions.beforeExample(stats.examples, now);
    const example = this.oneExample;
    this.drawExamples(train, example, 1);
    const [index, offsetX, offsetY, flip] = example;
    const label = model.data.train.labels[index];
    const net = model.net;
    layerStats.beforeStep(net, now);
    const outcome = model.step.run(model.data.train, index, offsetX, offsetY, flip);
    const { updated, l2DecayLoss } = model.trainer.addSummedExamples(1);
    probe.trained(index, true);
    // An update can overflow a weight while this example's loss was still finite.
    if (!Number.isFinite(outcome.loss) || !Number.isFinite(l2DecayLoss) || (updated && !paramsAreFinite(net.params))) {
      this.diverged(outcome.loss);
      return 'diverged';
    }
    stats.recordTiming(outcome.forwardMs, outcome.backwardMs);
    this.countExample(outcome.loss, l2DecayLoss, outcome.predicted === label);
    if (updated) this.afterUpdate(label);
    return updated ? 'updated' : 'trained';
  }

  /** The one bookkeeping path of a trained example: statistics and the divergence guard's loss. */
  countExample(loss: number, l2DecayLoss: number, correct: boolean): void {
    const { stats, guard, model } = this.parts;
    stats.recordExample(loss, l2DecayLoss, correct);
    guard.recordLoss(loss, stats.examples, model.net.params);
  }

  /** After an update: a layer-statistics sample when one is waiting, from the example just trained. */
  afterUpdate(label: number): void {
    if (this.parts.layerStats.awaitingUpdate) this.parts.probe.sampleLayerStats(label, this.parts.stats.examples);
  }

  /**
   * Training blew up (NaN or infinite loss, or an overflowed weight): roll back to the
   * last rollback point, start the trainer's accumulators afresh and pause with a reason
   * a person can act on.
   */
  diverged(loss: number): void {
    const { model, guard, layerStats, probe, stats } = this.parts;
    const spec = model.trainer.spec;
    const reason = guard.rollBack(model.net, spec, loss, stats.examples);
    layerStats.dropPending();
    model.trainer = new Trainer(model.net, spec);
    probe.forgetTrainingExample();
    this.parts.pause(reason);
  }
}
