/**
 * The statistics of a run, as the original demo kept them: moving windows of the
 * classification and L2 decay losses, training accuracy from the training forward pass,
 * validation accuracy from held-out examples, a loss-chart point every few hundred
 * examples, and the test predictions waiting for the page.
 *
 * Every training path (one thread, a batch shared with replicas) counts an example
 * through `recordExample`, so the bookkeeping is written once.
 */
import type { SessionCheckpoint } from '../checkpoint';
import type { LossPoint, TestPrediction } from '../protocol';
import { MovingWindow, RateMeter } from '../stats';

/** Pending items kept for the page at most; a page that stops reading must not grow memory. */
const MAX_PENDING = 1000;

type Windows = SessionCheckpoint['windows'];

export class RunStatistics {
  /** Training examples counted since the network's weights were set. */
  examples = 0;
  readonly classificationLoss = new MovingWindow(100, 1);
  readonly l2DecayLoss = new MovingWindow(100, 1);
  readonly forwardMs = new MovingWindow(100, 1);
  readonly backwardMs = new MovingWindow(100, 1);
  readonly trainingAccuracy = new MovingWindow(100, 20);
  readonly validationAccuracy = new MovingWindow(100, 20);
  readonly rate = new RateMeter(2000);
  private pendingLoss: LossPoint[] = [];
  private pendingPredictions: TestPrediction[] = [];

  /** @param lossPointEvery a loss-chart point every n training examples */
  constructor(private readonly lossPointEvery: number) {}

  /** One training example counted: its losses, whether its forward pass was right, a chart point when due. */
  recordExample(loss: number, l2DecayLoss: number, correct: boolean): void {
    this.examples++;
    this.classificationLoss.add(loss);
    this.l2DecayLoss.add(l2DecayLoss);
    this.trainingAccuracy.add(correct ? 1 : 0);
    if (this.examples % this.lossPointEvery === 0) {
      const classification = this.classificationLoss.average() ?? 0;
      pushBounded(this.pendingLoss, {
        examples: this.examples,
        loss: classification + (this.l2DecayLoss.average() ?? 0),
        classificationLoss: classification,
        trainingAccuracy: this.trainingAccuracy.average(),
        validationAccuracy: this.validationAccuracy.average(),
      });
    }
  }

  /** Forward and backward time of one example (ms). */
  recordTiming(forwardMs: number, backwardMs: number): void {
    this.forwardMs.add(forwardMs);
    this.backwardMs.add(backwardMs);
  }

  /** Validation results: `correct` right and `wrong` wrong, into the moving window. */
  recordValidation(correct: number, wrong: number): void {
    for (let k = 0; k < correct; k++) this.validationAccuracy.add(1);
    for (let k = 0; k < wrong; k++) this.validationAccuracy.add(0);
  }

  recordPrediction(prediction: TestPrediction): void {
    pushBounded(this.pendingPredictions, prediction);
  }

  /** The loss points and test predictions since the last call. */
  takePending(): { lossPoints: LossPoint[]; predictions: TestPrediction[] } {
    const pending = { lossPoints: this.pendingLoss, predictions: this.pendingPredictions };
    this.pendingLoss = [];
    this.pendingPredictions = [];
    return pending;
  }

  windowStates(): Windows {
    const windows = {} as Windows;
    for (const [name, window] of this.windows()) windows[name] = window.getState();
    return windows;
  }

  /** Throws (a window of another size) before or while restoring; the caller refuses the whole checkpoint then. */
  restoreWindows(states: Windows): void {
    for (const [name, window] of this.windows()) window.setState(states[name]);
  }

  /** Everything starts over (a new network, new weights). */
  clear(): void {
    this.examples = 0;
    for (const [, window] of this.windows()) window.clear();
    this.rate.clear();
    this.pendingLoss = [];
    this.pendingPredictions = [];
  }

  private windows(): [keyof Windows, MovingWindow][] {
    return [
      ['classificationLoss', this.classificationLoss],
      ['l2DecayLoss', this.l2DecayLoss],
      ['forwardMs', this.forwardMs],
      ['backwardMs', this.backwardMs],
      ['trainingAccuracy', this.trainingAccuracy],
      ['validationAccuracy', this.validationAccuracy],
    ];
  }
}

function pushBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_PENDING) list.splice(0, list.length - MAX_PENDING);
}
