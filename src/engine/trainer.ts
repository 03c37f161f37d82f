import { UPDATE_RULES, type Kernels, type ParamRange, type UpdateKernel, type UpdateRule } from './kernels/contract';
import type { LossTarget, ParamGroup } from './layers/layer';
import { TRAINER_METHODS, TRAINER_NUMBER_FIELDS, type TrainerSpec } from './spec';
import type { Volume } from './volume';

/**
 * Trainer: ConvNetJS's `Trainer.train(x, y)` on the net's flat parameter buffers.
 *
 * Semantics follow ConvNetJS (the 0.3.0 npm build for sgd, momentum, adagrad,
 * windowgrad and adadelta; the later upstream source for adam and nesterov, which
 * 0.3.0 lacks): every example runs forward (training mode) and backward, gradients
 * sum over the batch, and when a batch is complete each parameter gets
 *   gij = (l2_decay*l2mul*p + l1_decay*l1mul*sign(p) + g) / batch_size
 * followed by the method's rule, then its gradient is cleared.
 */

/** What one `train` call measured. */
export interface StepStats {
  /** This example's data loss (softmax/svm/regression), without decay terms. */
  loss: number;
  /**
   * Decay losses, sum over parameters of l2*p*p/2 and l1*|p| before the update.
   * ConvNetJS computes them only on update steps; these are the values from the last
   * update (0 before the first), so they are meaningful on every step.
   */
  l2DecayLoss: number;
  l1DecayLoss: number;
  forwardMs: number;
  backwardMs: number;
  /** True when this example completed a batch and the weights changed. */
  updated: boolean;
}

/**
 * What an accumulator buffer holds. Two methods can share a buffer only when it
 * means the same thing in both; anything else is zeroed on a method switch (reusing,
 * say, momentum's signed velocity as adagrad's sum of squares would give NaN).
 */
export type AccumulatorMeaning =
  | 'sgdStep' // sgd with momentum: the last step taken
  | 'nesterovVelocity'
  | 'sumSqGrad' // adagrad
  | 'meanSqGrad' // windowgrad, adadelta
  | 'meanSqStep' // adadelta
  | 'adamFirstMoment'
  | 'adamSecondMoment';

/** Everything needed to resume training exactly; plain data, structured-clonable. */
export interface TrainerState {
  /** Examples trained so far (ConvNetJS's k; adam's bias correction uses it). */
  k: number;
  /** Examples whose gradients are summed but not yet applied. */
  pending: number;
  /** The net's summed gradients of those pending examples; null when pending is 0. */
  pendingGrads: Float32Array | null;
  gsum: Float32Array | null;
  gsumMeaning: AccumulatorMeaning | null;
  xsum: Float32Array | null;
  xsumMeaning: AccumulatorMeaning | null;
  l2DecayLoss: number;
  l1DecayLoss: number;
}

/** The parts of Net the trainer uses. */
export interface TrainableNet {
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly paramGroups: readonly ParamGroup[];
  forward(x: Volume, isTraining?: boolean): Volume;
  backward(target: LossTarget): number;
  /** When they offer a fused update (WASM), the trainer's update runs there. */
  readonly kernels?: Kernels;
}

// The rule codes as plain constants, so the update loop switches on small ints.
const VANILLA = UPDATE_RULES.vanilla;
const MOMENTUM = UPDATE_RULES.momentum;
const NESTEROV = UPDATE_RULES.nesterov;
const ADAGRAD = UPDATE_RULES.adagrad;
const WINDOWGRAD = UPDATE_RULES.windowgrad;
const ADADELTA = UPDATE_RULES.adadelta;
const ADAM = UPDATE_RULES.adam;

function ruleOf(spec: TrainerSpec): UpdateRule {
  switch (spec.method) {
    case 'sgd':
      return spec.momentum > 0 ? MOMENTUM : VANILLA;
    case 'nesterov':
      return NESTEROV;
    case 'adagrad':
      return ADAGRAD;
    case 'windowgrad':
      return WINDOWGRAD;
    case 'adadelta':
      return ADADELTA;
    case 'adam':
      return ADAM;
  }
}

const GSUM_MEANING: Record<UpdateRule, AccumulatorMeaning | null> = {
  [VANILLA]: null,
  [MOMENTUM]: 'sgdStep',
  [NESTEROV]: 'nesterovVelocity',
  [ADAGRAD]: 'sumSqGrad',
  [WINDOWGRAD]: 'meanSqGrad',
  [ADADELTA]: 'meanSqGrad',
  [ADAM]: 'adamFirstMoment',
};

const XSUM_MEANING: Record<UpdateRule, AccumulatorMeaning | null> = {
  [VANILLA]: null,
  [MOMENTUM]: null,
  [NESTEROV]: null,
  [ADAGRAD]: null,
  [WINDOWGRAD]: null,
  [ADADELTA]: 'meanSqStep',
  [ADAM]: 'adamSecondMoment',
};

const MEANINGS: ReadonlySet<string> = new Set(
  [...Object.values(GSUM_MEANING), ...Object.values(XSUM_MEANING)].filter((m): m is AccumulatorMeaning => m !== null),
);

/** Copies a saved accumulator into the existing buffer (allocating only the first time). */
function restore(buffer: Float32Array | null, saved: Float32Array | null): Float32Array | null {
  if (saved === null) return buffer;
  if (buffer === null) return saved.slice();
  buffer.set(saved);
  return buffer;
}

/** Rejects a spec that would corrupt training; resolveTrainer gives friendlier messages. */
function checkSpec(spec: TrainerSpec): void {
  if (!(TRAINER_METHODS as readonly string[]).includes(spec.method)) {
    throw new Error(`trainer: method '${String(spec.method)}' is not one of ${TRAINER_METHODS.join(', ')}`);
  }
  if (!Number.isInteger(spec.batch_size) || spec.batch_size < 1) {
    throw new Error(`trainer: batch_size must be a positive integer, got ${spec.batch_size}`);
  }
  for (const field of TRAINER_NUMBER_FIELDS) {
    if (!Number.isFinite(spec[field])) {
      throw new Error(`trainer: ${field} must be a finite number, got ${spec[field]}`);
    }
  }
}

/** Maps each param group onto its range of the net's flat buffers. */
function paramRanges(net: TrainableNet): ParamRange[] {
  const ranges: ParamRange[] = [];
  for (const group of net.paramGroups) {
    if (group.w.buffer !== net.params.buffer || group.dw.buffer !== net.grads.buffer) {
      throw new Error('trainer: every param group must be a view of the net params/grads buffers');
    }
    const start = (group.w.byteOffset - net.params.byteOffset) / Float32Array.BYTES_PER_ELEMENT;
    const gradStart = (group.dw.byteOffset - net.grads.byteOffset) / Float32Array.BYTES_PER_ELEMENT;
    if (start !== gradStart || group.w.length !== group.dw.length) {
      throw new Error('trainer: a param group and its gradient sit at different offsets');
    }
    ranges.push({ start, end: start + group.w.length, l1DecayMul: group.l1DecayMul, l2DecayMul: group.l2DecayMul });
  }
  return ranges;
}

export class Trainer {
  private readonly net: TrainableNet;
  private readonly ranges: readonly ParamRange[];
  private current: TrainerSpec;
  private rule: UpdateRule;
  private k = 0;
  private pending = 0;
  /** First accumulator (ConvNetJS's gsum); allocated once, when a method first needs it. */
  private gsum: Float32Array | null = null;
  private gsumMeaning: AccumulatorMeaning | null = null;
  /** Second accumulator (ConvNetJS's xsum): adadelta and adam only. */
  private xsum: Float32Array | null = null;
  private xsumMeaning: AccumulatorMeaning | null = null;
  private l2DecayLoss = 0;
  private l1DecayLoss = 0;
  /** The net kernels' fused update, or null: then update() runs the loop below. */
  private readonly fused: UpdateKernel | null;

  constructor(net: TrainableNet, spec: TrainerSpec) {
    checkSpec(spec);
    this.net = net;
    this.ranges = paramRanges(net);
    this.fused = net.kernels?.update ? net.kernels.update(this.ranges) : null;
    this.current = { ...spec };
    this.rule = ruleOf(spec);
    this.prepareAccumulators();
  }

  get spec(): TrainerSpec {
    return { ...this.current };
  }

  get examplesSeen(): number {
    return this.k;
  }

  /**
   * Applies changed options from the next update on. Accumulators survive unless
   * the new method reads them with another meaning; those start again from zero.
   * Gradients already summed for the running batch are kept.
   */
  setSpec(spec: TrainerSpec): void {
    checkSpec(spec);
    this.current = { ...spec };
    this.rule = ruleOf(spec);
    this.prepareAccumulators();
  }

  /** Forward in training mode, backward, and an update when a batch is complete. */
  train(x: Volume, target: LossTarget): StepStats {
    const t0 = performance.now();
    this.net.forward(x, true);
    const t1 = performance.now();
    const loss = this.net.backward(target);
    const t2 = performance.now();
    this.k++;
    this.pending++;
    // ConvNetJS updates when k % batch_size == 0; counting pending examples is the
    // same while batch_size is fixed and stays sane when it changes mid-batch.
    const updated = this.pending >= this.current.batch_size;
    if (updated) this.update();
    return {
      loss,
      l2DecayLoss: this.l2DecayLoss,
      l1DecayLoss: this.l1DecayLoss,
      forwardMs: t1 - t0,
      backwardMs: t2 - t1,
      updated,
    };
  }

  /** Examples still to come before the running mini-batch completes (at least 1). */
  get batchRemaining(): number {
    return Math.max(1, this.current.batch_size - this.pending);
  }

  /**
   * Counts `count` examples whose gradients something else already summed into the net's
   * grads (data-parallel replicas, see src/parallel) and updates when they complete the
   * mini-batch: the same arithmetic as `count` train calls whose gradient sum is what the
   * grads hold. `count` may not run past the end of the batch.
   */
  addSummedExamples(count: number): Pick<StepStats, 'updated' | 'l2DecayLoss' | 'l1DecayLoss'> {
    if (!Number.isInteger(count) || count < 1 || count > this.batchRemaining) {
      throw new RangeError(`trainer: ${count} summed examples do not fit the ${this.batchRemaining} left in the batch`);
    }
    this.k += count;
    this.pending += count;
    const updated = this.pending >= this.current.batch_size;
    if (updated) this.update();
    return { updated, l2DecayLoss: this.l2DecayLoss, l1DecayLoss: this.l1DecayLoss };
  }

  getState(): TrainerState {
    return {
      k: this.k,
      pending: this.pending,
      pendingGrads: this.pending > 0 ? this.net.grads.slice() : null,
      gsum: this.gsum ? this.gsum.slice() : null,
      gsumMeaning: this.gsumMeaning,
      xsum: this.xsum ? this.xsum.slice() : null,
      xsumMeaning: this.xsumMeaning,
      l2DecayLoss: this.l2DecayLoss,
      l1DecayLoss: this.l1DecayLoss,
    };
  }

  /**
   * Restores a state from getState (same network shape), including the net's
   * gradients of a half-finished batch. Checked in full before anything changes.
   * Accumulators whose meaning the current method does not share start from zero,
   * exactly as after setSpec.
   */
  setState(state: TrainerState): void {
    const n = this.net.params.length;
    if (!Number.isInteger(state.k) || state.k < 0) throw new Error(`trainer state: k must be a non-negative integer, got ${state.k}`);
    if (!Number.isInteger(state.pending) || state.pending < 0 || state.pending > state.k) {
      throw new Error(`trainer state: pending must be an integer in [0, k], got ${state.pending}`);
    }
    if (state.pending > 0 && state.pendingGrads === null) {
      throw new Error('trainer state: pendingGrads must be present when pending > 0');
    }
    const buffers = [['gsum', state.gsum], ['xsum', state.xsum], ['pendingGrads', state.pendingGrads]] as const;
    for (const [name, buf] of buffers) {
      if (buf !== null && (!(buf instanceof Float32Array) || buf.length !== n)) {
        throw new Error(`trainer state: ${name} must be a Float32Array of ${n} values (one per parameter)`);
      }
    }
    for (const meaning of [state.gsumMeaning, state.xsumMeaning]) {
      if (meaning !== null && !MEANINGS.has(meaning)) {
        throw new Error(`trainer state: unknown accumulator meaning '${String(meaning)}'`);
      }
    }
    if (!Number.isFinite(state.l2DecayLoss) || !Number.isFinite(state.l1DecayLoss)) {
      throw new Error('trainer state: decay losses must be finite numbers');
    }
    this.k = state.k;
    this.pending = state.pending;
    if (state.pendingGrads && state.pending > 0) this.net.grads.set(state.pendingGrads);
    else this.net.grads.fill(0);
    this.gsum = restore(this.gsum, state.gsum);
    this.gsumMeaning = state.gsum ? state.gsumMeaning : null;
    this.xsum = restore(this.xsum, state.xsum);
    this.xsumMeaning = state.xsum ? state.xsumMeaning : null;
    this.l2DecayLoss = state.l2DecayLoss;
    this.l1DecayLoss = state.l1DecayLoss;
    this.prepareAccumulators();
  }

  /** Allocates (once) and zeroes the accumulators whose meaning changes under the current rule. */
  private prepareAccumulators(): void {
    const n = this.net.params.length;
    const wantG = GSUM_MEANING[this.rule];
    if (wantG !== null && this.gsumMeaning !== wantG) {
      if (this.gsum) this.gsum.fill(0);
      else this.gsum = new Float32Array(n);
    }
    this.gsumMeaning = wantG ?? this.gsumMeaning;
    const wantX = XSUM_MEANING[this.rule];
    if (wantX !== null && this.xsumMeaning !== wantX) {
      if (this.xsum) this.xsum.fill(0);
      else this.xsum = new Float32Array(n);
    }
    // A method that ignores a buffer never writes it, so the buffer keeps its meaning.
    this.xsumMeaning = wantX ?? this.xsumMeaning;
  }

  /** One parameter update over all groups; clears the gradients. */
  private update(): void {
    const p = this.net.params;
    const g = this.net.grads;
    // Only methods that read them dereference these; prepareAccumulators allocated them.
    const gsum = this.gsum as Float32Array;
    const xsum = this.xsum as Float32Array;
    const { learning_rate: lr, momentum, ro, eps, beta1, beta2, l1_decay, l2_decay } = this.current;
    const rule = this.rule;
    const divisor = this.pending;
    // ConvNetJS's adam "bias correction" multiplies the moments by (1 - beta^k), with k
    // counting examples rather than updates. Kept as is for parity with its trainer.
    const corr1 = 1 - Math.pow(beta1, this.k);
    const corr2 = 1 - Math.pow(beta2, this.k);
    if (this.fused) {
      // The same arithmetic, operation for operation, in one WASM pass.
      const step = { rule, learningRate: lr, momentum, ro, eps, beta1, beta2, corr1, corr2, divisor, l1Decay: l1_decay, l2Decay: l2_decay };
      [this.l2DecayLoss, this.l1DecayLoss] = this.fused.run(step, p, g, this.gsum, this.xsum);
      this.pending = 0;
      return;
    }
    let l2Loss = 0;
    let l1Loss = 0;
    for (const range of this.ranges) {
      const l2 = l2_decay * range.l2DecayMul;
      const l1 = l1_decay * range.l1DecayMul;
      for (let j = range.start; j < range.end; j++) {
        const pj = p[j];
        l2Loss += (l2 * pj * pj) / 2;
        l1Loss += l1 * Math.abs(pj);
        // sign(0) is -1 here, as in ConvNetJS.
        const gij = (l2 * pj + l1 * (pj > 0 ? 1 : -1) + g[j]) / divisor;
        let dx: number;
        switch (rule) {
          case VANILLA:
            dx = -lr * gij;
            break;
          case MOMENTUM:
            dx = momentum * gsum[j] - lr * gij;
            gsum[j] = dx;
            break;
          case NESTEROV: {
            const previous = gsum[j];
            const velocity = previous * momentum + lr * gij;
            gsum[j] = velocity;
            dx = momentum * previous - (1 + momentum) * velocity;
            break;
          }
          case ADAGRAD: {
            const s = gsum[j] + gij * gij;
            gsum[j] = s;
            dx = (-lr / Math.sqrt(s + eps)) * gij;
            break;
          }
          case WINDOWGRAD: {
            const s = ro * gsum[j] + (1 - ro) * gij * gij;
            gsum[j] = s;
            dx = (-lr / Math.sqrt(s + eps)) * gij;
            break;
          }
          case ADADELTA: {
            const s = ro * gsum[j] + (1 - ro) * gij * gij;
            gsum[j] = s;
            // xsum lags gsum by one update, as in ConvNetJS.
            dx = -Math.sqrt((xsum[j] + eps) / (s + eps)) * gij;
            xsum[j] = ro * xsum[j] + (1 - ro) * dx * dx;
            break;
          }
          case ADAM: {
            const m = gsum[j] * beta1 + (1 - beta1) * gij;
            const v = xsum[j] * beta2 + (1 - beta2) * gij * gij;
            gsum[j] = m;
            xsum[j] = v;
            dx = (-lr * (m * corr1)) / (Math.sqrt(v * corr2) + eps);
            break;
          }
        }
        p[j] = pj + dx;
        g[j] = 0;
      }
    }
    this.l2DecayLoss = l2Loss;
    this.l1DecayLoss = l1Loss;
    this.pending = 0;
  }
}
