/**
 * The run loop: training in time slices (~15 ms of examples, then a yield to the event
 * loop on the shared scheduler), so calls from the page are served between slices. A
 * test-set evaluation on this thread takes half of each slice while training runs, all of
 * it while paused. One spread over the training workers has them first: training waits
 * (after the mini-batch in flight) until it is done, the run still running as far as the
 * page is concerned, and the training clock stands still meanwhile.
 */
import type { Scheduler } from '../../parallel/yield-scheduler';
import type { ExampleTraining } from './example-training';
import type { ParallelStep } from './parallel-step';
import type { RunStatistics } from './run-statistics';
import type { TestSetEvaluation } from './test-set-evaluation';
import { TrainingClock } from './training-clock';

export interface RunLoopParts {
  schedule: Scheduler;
  now: () => number;
  /** Length of one training slice before yielding, ms. */
  sliceMs: number;
  training: ExampleTraining;
  parallel: ParallelStep;
  evaluation: TestSetEvaluation;
  stats: RunStatistics;
  /** Called after every training slice (the worker pushes statistics from here). */
  onSlice?: () => void;
}

export class RunLoop {
  private runningNow = false;
  /** Why the run stopped by itself (it diverged), or null. */
  pausedReason: string | null = null;
  private sliceScheduled = false;
  /** Time spent training (not paused, not waiting for an evaluation); the examples-per-second window runs on it. */
  readonly clock: TrainingClock;

  constructor(private readonly parts: RunLoopParts) {
    this.clock = new TrainingClock(parts.now);
  }

  get running(): boolean {
    return this.runningNow;
  }

  /** Starts (or continues) training in slices until paused. */
  resume(): void {
    this.runningNow = true;
    this.pausedReason = null;
    this.clock.set(this.trainingNow);
    this.scheduleSlice();
  }

  /** Stops after the example in progress; `reason` when the run stopped by itself. */
  pause(reason?: string): void {
    this.runningNow = false;
    if (reason !== undefined) this.pausedReason = reason;
    this.clock.set(false);
  }

  /**
   * An evaluation started or ended: spread over the workers it stops training (the
   * clock too) until it lets go of them; on this thread it needs slices.
   */
  evaluationChanged(): void {
    this.clock.set(this.trainingNow);
    this.scheduleSlice();
  }

  /** Running, and not waiting for an evaluation that holds the workers. */
  private get trainingNow(): boolean {
    return this.runningNow && !this.parts.evaluation.holdsWorkers;
  }

  /**
   * Trains up to `limit` examples now, synchronously, stopping early on divergence, when
   * data runs out, or (untilUpdate) after the weights changed. Returns how many it trained;
   * none while a mini-batch is out with the replicas (training now would split it).
   */
  trainNow(limit: number, untilUpdate: boolean): number {
    if (this.parts.parallel.batchInFlight) return 0;
    let trained = 0;
    while (trained < limit) {
      const result = this.parts.training.trainOne();
      if (result === 'no-data' || result === 'diverged') break;
      trained++;
      if (untilUpdate && result === 'updated') break;
    }
    return trained;
  }

  /** Schedules the next slice when there is work (training or an evaluation) and none is scheduled. */
  scheduleSlice(): void {
    if (this.sliceScheduled || !(this.trainingNow || this.parts.evaluation.needsSlices)) return;
    this.sliceScheduled = true;
    this.parts.schedule(this.runSlice);
  }

  private readonly runSlice = (): void => {
    const { evaluation, sliceMs, now } = this.parts;
    this.sliceScheduled = false;
    if (evaluation.needsSlices) {
      // The evaluation's share of the slice is not training time.
      this.clock.set(false);
      evaluation.slice(this.runningNow ? sliceMs / 2 : sliceMs);
      this.clock.set(this.trainingNow);
    }
    if (!this.trainingNow) {
      // Paused, or an evaluation holds the workers (it schedules the next slice when done).
      this.scheduleSlice();
      return;
    }
    const parallel = this.parts.parallel.trainer();
    if (parallel) {
      // Stays "scheduled" until the asynchronous slice ends, so no second slice starts meanwhile.
      this.sliceScheduled = true;
      // An evaluation that starts meanwhile ends the slice after the mini-batch in flight.
      void this.parts.parallel.slice(parallel, now() + sliceMs, () => this.trainingNow).then(() => {
        this.endSlice();
        this.sliceScheduled = false;
        this.scheduleSlice();
      });
      return;
    }
    const end = now() + sliceMs;
    let waitingForData = false;
    do {
      const result = this.parts.training.trainOne();
      if (result === 'no-data') {
        waitingForData = true;
        break;
      }
      if (result === 'diverged') break;
    } while (this.runningNow && now() < end);
    this.endSlice();
    // With no data yet the loop sleeps; notifyDataChanged wakes it.
    if (!waitingForData || evaluation.needsSlices) this.scheduleSlice();
  };

  private endSlice(): void {
    const { stats } = this.parts;
    stats.rate.record(stats.examples, this.clock.ms);
    this.parts.onSlice?.();
  }
}
