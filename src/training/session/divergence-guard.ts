/**
 * The divergence guard: copies of the weights to roll back to ("rollback points"; a
 * checkpoint is only the autosave record) and, when training blows up, the roll-back and
 * the sentence that tells a person what happened and what to try.
 */
import type { Net } from '../../engine/net';
import { TRAINER_FIELDS, type TrainerSpec } from '../../engine/spec';
import { describeNonFiniteSite, firstNonFinite, locateNonFinite, saferLearningRate } from '../divergence';

interface RollbackPoint {
  params: Float32Array;
  examples: number;
}

/**
 * Weights to fall back on when training diverges. Finite weights are not enough (just
 * before a blow-up they are huge but finite), so a copy becomes the fallback only after
 * the next interval of training from it kept the loss near or below the run's starting
 * level (the first interval's mean): `candidate` is the copy on probation, `confirmed`
 * the one to roll back to.
 */
class RollbackPoints {
  confirmed: RollbackPoint;
  private candidate: RollbackPoint | null;
  private spare: Float32Array | null = null;
  private lossSum = 0;
  private lossCount = 0;
  /** Mean loss over the first interval of the run: what an untrained net scores. */
  private baselineLoss: number | null = null;

  constructor(params: Float32Array, examples: number) {
    this.confirmed = { params: params.slice(), examples };
    this.candidate = { params: params.slice(), examples };
  }

  addLoss(loss: number): void {
    this.lossSum += loss;
    this.lossCount++;
  }

  /** Called at every interval boundary with the weights in force at `examples`. */
  endInterval(params: Float32Array, examples: number): void {
    const mean = this.lossCount > 0 ? this.lossSum / this.lossCount : Infinity;
    this.baselineLoss ??= mean;
    // Loose enough for the noise of a well-trained net (baseline near 0), tight enough to
    // catch a net whose loss has climbed well above what it started from.
    const healthy = Number.isFinite(mean) && mean <= 1.5 * this.baselineLoss + 0.5;
    if (healthy && this.candidate) {
      this.spare = this.confirmed.params;
      this.confirmed = this.candidate;
      this.candidate = null;
    }
    if (firstNonFinite(params) === null) {
      const buffer = this.candidate?.params ?? this.spare ?? new Float32Array(params.length);
      this.spare = null;
      buffer.set(params);
      this.candidate = { params: buffer, examples };
    } else {
      this.candidate = null;
    }
    this.lossSum = 0;
    this.lossCount = 0;
  }

  /** After a roll-back: probation starts again from the confirmed weights. */
  restart(): void {
    this.candidate = { params: this.confirmed.params.slice(), examples: this.confirmed.examples };
    this.lossSum = 0;
    this.lossCount = 0;
  }
}

export class DivergenceGuard {
  private points: RollbackPoints;

  /** @param every a rollback point every n examples */
  constructor(
    private readonly every: number,
    params: Float32Array,
    examples = 0,
  ) {
    this.points = new RollbackPoints(params, examples);
  }

  /** Starts over from these weights (a new network, restored weights). */
  restart(params: Float32Array, examples = 0): void {
    this.points = new RollbackPoints(params, examples);
  }

  /** The loss of the example that made the count `examples`; `params` are the weights in force then. */
  recordLoss(loss: number, examples: number, params: Float32Array): void {
    this.points.addLoss(loss);
    if (examples % this.every === 0) this.points.endInterval(params, examples);
  }

  /**
   * Training blew up (`loss` NaN or infinite, or a weight overflowed) after `examples`:
   * the weights are garbage from here on, so they go back to the last confirmed rollback
   * point. Returns the reason to pause with, a sentence a person can act on.
   */
  rollBack(net: Net, spec: TrainerSpec, loss: number, examples: number): string {
    // Located before the roll-back overwrites the evidence.
    const site = locateNonFinite(net, loss);
    const fallback = this.points.confirmed;
    net.params.set(fallback.params);
    this.points.restart();
    net.zeroGrads();
    const trigger = !Number.isFinite(loss)
      ? `The loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'}`
      : site
        ? 'A weight became non-finite'
        : 'The weight decay loss became infinite';
    const where = site ? ` Non-finite values appeared first in ${describeNonFiniteSite(site)}.` : '';
    const usesRate = TRAINER_FIELDS.find((f) => f.name === 'learning_rate')?.usedBy.includes(spec.method) ?? true;
    const advice = usesRate
      ? `Try a lower learning rate (now ${spec.learning_rate}): learning_rate ${saferLearningRate(spec.learning_rate)} or lower`
      : `Try a lower learning rate with another method, or a smaller l2_decay (method '${spec.method}' has no learning rate)`;
    return (
      `${trigger} after ${countText(examples)} examples, so the updates diverged.${where} ` +
      `${advice}, then Resume. The weights were rolled back to those at ${countText(fallback.examples)} examples.`
    );
  }
}

/** Counts as the stats write them ("38,900"), so the message and the numbers beside it agree. */
function countText(count: number): string {
  return count.toLocaleString('en-US');
}
