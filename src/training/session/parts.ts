/**
 * The parts of a session, built and wired together once: each holds the shared model and
 * the few other parts it works with. The facade (index.ts) talks to them through this.
 */
import { createYieldScheduler } from '../../parallel/yield-scheduler';
import type { SessionCheckpoint } from '../checkpoint';
import type { TrainingStats } from '../protocol';
import { DivergenceGuard } from './divergence-guard';
import { ExampleTraining } from './example-training';
import { LayerProbe } from './layer-probe';
import { LayerStatsSampler } from './layer-stats-sampler';
import type { SessionModel } from './model';
import type { SessionOptions } from './options';
import { ParallelStep } from './parallel-step';
import { Predictions } from './predictions';
import { restoreRun } from './run-checkpoint';
import { RunLoop } from './run-loop';
import { RunStatistics } from './run-statistics';
import { TestSetEvaluation } from './test-set-evaluation';

export class SessionParts {
  readonly now: () => number;
  readonly stats: RunStatistics;
  readonly guard: DivergenceGuard;
  readonly layerStats: LayerStatsSampler;
  readonly probe: LayerProbe;
  readonly predictions: Predictions;
  readonly training: ExampleTraining;
  readonly parallel: ParallelStep;
  readonly evaluation: TestSetEvaluation;
  readonly loop: RunLoop;

  constructor(
    private readonly model: SessionModel,
    options: SessionOptions,
  ) {
    const now = options.now ?? (() => performance.now());
    this.now = now;
    this.stats = new RunStatistics(options.lossPointEvery ?? 200);
    this.guard = new DivergenceGuard(options.checkpointEvery ?? 1000, model.net.params);
    this.layerStats = new LayerStatsSampler(options.layerStatsEveryMs ?? 1000);
    this.probe = new LayerProbe(model, this.layerStats);
    this.predictions = new Predictions(model, this.stats, this.probe, {
      validationEvery: options.validationEvery ?? 10,
      testEveryMs: options.testEveryMs ?? 500,
      testBatch: options.testBatch ?? 4,
    });
    const training = { ...this.shared(), model, now, pause: (reason: string) => this.loop.pause(reason) };
    this.training = new ExampleTraining(training);
    this.parallel = new ParallelStep(options.replicas ?? [], training, this.training);
    this.evaluation = new TestSetEvaluation(model, now, {
      trainer: () => this.parallel.forEvaluation(),
      idle: () => new Promise((resolve) => this.parallel.whenIdle(resolve)),
      changed: () => this.loop.evaluationChanged(),
    });
    this.loop = new RunLoop({
      schedule: options.schedule ?? createYieldScheduler(),
      now,
      sliceMs: options.sliceMs ?? 15,
      training: this.training,
      parallel: this.parallel,
      evaluation: this.evaluation,
      stats: this.stats,
      onSlice: options.onSlice,
    });
  }

  /** Goes on with a saved run (constructor only); throws a sentence when it does not fit. */
  restore(checkpoint: SessionCheckpoint): void {
    restoreRun(checkpoint, this.model, this.stats);
    this.guard.restart(this.model.net.params, this.stats.examples);
    this.predictions.delayTestPredictions(this.now());
  }

  /** A new network or new weights are in the model: every part starts over. */
  startOver(): void {
    this.guard.restart(this.model.net.params);
    this.layerStats.clear();
    this.probe.reset();
    this.predictions.reset();
    this.stats.clear();
    this.loop.clock.reset();
    this.loop.pausedReason = null;
  }

  /** The statistics the page shows, with the state of the loop and of the replicas. */
  trainingStats(): TrainingStats {
    const { stats, loop, parallel } = this;
    return {
      examplesSeen: stats.examples,
      examplesPerSecond: loop.running ? stats.rate.rate() : 0,
      forwardMs: stats.forwardMs.average() ?? 0,
      backwardMs: stats.backwardMs.average() ?? 0,
      classificationLoss: stats.classificationLoss.average() ?? 0,
      l2DecayLoss: stats.l2DecayLoss.average() ?? 0,
      trainingAccuracy: stats.trainingAccuracy.average(),
      validationAccuracy: stats.validationAccuracy.average(),
      running: loop.running,
      pausedReason: loop.pausedReason,
      trainingThreads: parallel.threads,
      sharedMemory: parallel.sharedMemory,
      trainingSeconds: loop.clock.ms / 1000,
    };
  }

  private shared() {
    const { stats, guard, probe, predictions, layerStats } = this;
    return { stats, guard, probe, predictions, layerStats };
  }
}
