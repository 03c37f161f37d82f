import { describe, expect, it } from 'vitest';
import { ParamArena, type LossTarget, type ParamGroup } from '../../../src/engine/layers/layer';
import { DEFAULT_TRAINER, type TrainerMethod, type TrainerSpec } from '../../../src/engine/spec';
import { Trainer, type AccumulatorMeaning, type TrainableNet } from '../../../src/engine/trainer';
import { Volume } from '../../../src/engine/volume';

/**
 * A linear model y = w.x + b with loss (y - t)^2 / 2: small enough that the
 * trainer's bookkeeping (batches, state, method switches) is easy to follow.
 */
class LinearNet implements TrainableNet {
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly paramGroups: readonly ParamGroup[];
  private readonly weights: ParamGroup;
  private readonly bias: ParamGroup;
  private readonly out = new Volume(1, 1, 1);
  private input: Volume | null = null;

  constructor(w: readonly number[], b: number) {
    const arena = new ParamArena(w.length + 1);
    this.weights = arena.take('filters', w.length, 1, 1);
    this.bias = arena.take('biases', 1, 0, 0);
    this.weights.w.set(w);
    this.bias.w[0] = b;
    this.params = arena.params;
    this.grads = arena.grads;
    this.paramGroups = [this.weights, this.bias];
  }

  forward(x: Volume): Volume {
    this.input = x;
    let y = this.bias.w[0];
    for (let i = 0; i < x.w.length; i++) y += this.weights.w[i] * x.w[i];
    this.out.w[0] = y;
    return this.out;
  }

  backward(target: LossTarget): number {
    const x = this.input as Volume;
    const t = typeof target === 'number' ? target : target[0];
    const dy = this.out.w[0] - t;
    for (let i = 0; i < x.w.length; i++) this.weights.dw[i] += dy * x.w[i];
    this.bias.dw[0] += dy;
    return (dy * dy) / 2;
  }
}

function spec(method: TrainerMethod, extra: Partial<TrainerSpec> = {}): TrainerSpec {
  return {
    // Options these tests do not name keep ConvNetJS's defaults.
    ...DEFAULT_TRAINER,
    method,
    learning_rate: 0.05,
    momentum: 0.9,
    batch_size: 3,
    l1_decay: 0.001,
    l2_decay: 0.01,
    ro: 0.95,
    eps: method === 'adam' ? 1e-8 : 1e-6,
    beta1: 0.9,
    beta2: 0.999,
    ...extra,
  };
}

/** A fixed stream of examples: x in [-1, 1)^3, target from a known linear rule. */
function example(i: number): [Volume, number] {
  const x = new Volume(1, 1, 3, Float32Array.from([Math.sin(i), Math.cos(2 * i), Math.sin(3 * i + 1)]));
  return [x, 0.7 * x.w[0] - 0.3 * x.w[1] + 0.2 * x.w[2] + 0.1];
}

function trainRange(trainer: Trainer, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const [x, t] = example(i);
    trainer.train(x, t);
  }
}

const ALL_METHODS: TrainerMethod[] = ['sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta', 'nesterov'];

describe('Trainer batching', () => {
  it('updates only when a batch is complete and averages the summed gradient', () => {
    const a = new LinearNet([0.5, -0.2, 0.1], 0);
    const trainer = new Trainer(a, spec('sgd', { momentum: 0, l1_decay: 0, l2_decay: 0, batch_size: 3 }));
    const flags: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const [x, t] = example(i);
      flags.push(trainer.train(x, t).updated);
    }
    expect(flags).toEqual([false, false, true, false, false, true]);
    expect(trainer.examplesSeen).toBe(6);

    // Same data through an explicit mean-gradient step.
    const b = new LinearNet([0.5, -0.2, 0.1], 0);
    for (const batch of [[0, 1, 2], [3, 4, 5]]) {
      for (const i of batch) {
        const [x, t] = example(i);
        b.forward(x);
        b.backward(t);
      }
      for (let j = 0; j < b.params.length; j++) {
        b.params[j] -= 0.05 * (b.grads[j] / 3);
        b.grads[j] = 0;
      }
    }
    for (let j = 0; j < a.params.length; j++) expect(a.params[j]).toBeCloseTo(b.params[j], 6);
    expect(Array.from(a.grads)).toEqual([0, 0, 0, 0]);
  });

  it('after a mid-batch batch_size cut, updates on the next example with the mean of what was summed', () => {
    const a = new LinearNet([0.5, -0.2, 0.1], 0.05);
    const trainer = new Trainer(a, spec('sgd', { momentum: 0, batch_size: 4 }));
    trainRange(trainer, 0, 2);
    trainer.setSpec(spec('sgd', { momentum: 0, batch_size: 2 }));
    const [x, t] = example(2);
    expect(trainer.train(x, t).updated).toBe(true);

    const b = new LinearNet([0.5, -0.2, 0.1], 0.05);
    trainRange(new Trainer(b, spec('sgd', { momentum: 0, batch_size: 3 })), 0, 3);
    expect(Array.from(a.params)).toEqual(Array.from(b.params));
  });

  it('reports the decay losses of the last update on every step', () => {
    const net = new LinearNet([0.5, -0.2, 0.1], 0.3);
    const trainer = new Trainer(net, spec('sgd', { batch_size: 2, l2_decay: 0.01, l1_decay: 0.001 }));
    const [x0, t0] = example(0);
    const first = trainer.train(x0, t0);
    expect(first.l2DecayLoss).toBe(0);
    expect(first.l1DecayLoss).toBe(0);
    // Decay is computed on the weights before the update; the bias has multipliers 0.
    const w = Array.from(net.params.subarray(0, 3));
    const [x1, t1] = example(1);
    const second = trainer.train(x1, t1);
    expect(second.updated).toBe(true);
    expect(second.l2DecayLoss).toBeCloseTo(w.reduce((s, v) => s + (0.01 * v * v) / 2, 0), 9);
    expect(second.l1DecayLoss).toBeCloseTo(w.reduce((s, v) => s + 0.001 * Math.abs(v), 0), 9);
    const [x2, t2] = example(2);
    const third = trainer.train(x2, t2);
    expect(third.updated).toBe(false);
    expect(third.l2DecayLoss).toBe(second.l2DecayLoss);
    expect(third.l1DecayLoss).toBe(second.l1DecayLoss);
    expect(third.loss).toBeGreaterThan(0);
    expect(Number.isFinite(third.forwardMs) && third.forwardMs >= 0).toBe(true);
    expect(Number.isFinite(third.backwardMs) && third.backwardMs >= 0).toBe(true);
  });

  it('rejects a spec that would corrupt training', () => {
    const net = new LinearNet([0.5], 0);
    expect(() => new Trainer(net, spec('sgd', { batch_size: 0 }))).toThrow(/batch_size/);
    const trainer = new Trainer(net, spec('adadelta'));
    expect(() => trainer.setSpec(spec('adadelta', { learning_rate: Number.NaN }))).toThrow(/learning_rate/);
    expect(() => trainer.setSpec({ ...spec('sgd'), method: 'adadelata' as TrainerMethod })).toThrow(/adadelata/);
    expect(trainer.spec.method).toBe('adadelta');
  });
});

describe('Trainer state', () => {
  it.each(ALL_METHODS)('%s: resuming from getState mid-batch continues exactly like uninterrupted training', (method) => {
    const reference = new LinearNet([0.5, -0.2, 0.1], 0.05);
    trainRange(new Trainer(reference, spec(method)), 0, 17);

    const first = new LinearNet([0.5, -0.2, 0.1], 0.05);
    const trainerA = new Trainer(first, spec(method));
    trainRange(trainerA, 0, 8); // 8 = two batches of 3 plus 2 pending
    const state = structuredClone(trainerA.getState());
    expect(state.pending).toBe(2);

    const resumed = new LinearNet(Array.from(first.params.subarray(0, 3)), first.params[3]);
    const trainerB = new Trainer(resumed, spec(method));
    trainerB.setState(state);
    expect(trainerB.examplesSeen).toBe(8);
    trainRange(trainerB, 8, 17);
    expect(Array.from(resumed.params)).toEqual(Array.from(reference.params));
  });

  it('setState rejects a state of another shape and changes nothing', () => {
    const net = new LinearNet([0.5, -0.2, 0.1], 0.05);
    const trainer = new Trainer(net, spec('adadelta'));
    trainRange(trainer, 0, 4);
    const before = trainer.getState();
    const gradsBefore = Array.from(net.grads);
    const bad = { ...before, gsum: new Float32Array(2) };
    expect(() => trainer.setState(bad)).toThrow(/gsum must be a Float32Array of 4 values/);
    expect(() => trainer.setState({ ...before, k: -1 })).toThrow(/k must be/);
    expect(() => trainer.setState({ ...before, pendingGrads: null })).toThrow(/pendingGrads/);
    expect(() => trainer.setState({ ...before, gsumMeaning: 'velocity' as AccumulatorMeaning })).toThrow(
      /unknown accumulator meaning 'velocity'/,
    );
    expect(trainer.getState()).toEqual(before);
    expect(Array.from(net.grads)).toEqual(gradsBefore);
  });
});

describe('Trainer method switches', () => {
  it('windowgrad -> adadelta keeps the shared mean square of gradients and starts the step average at zero', () => {
    const net = new LinearNet([0.5, -0.2, 0.1], 0.05);
    const trainer = new Trainer(net, spec('windowgrad'));
    trainRange(trainer, 0, 6);
    const gsum = trainer.getState().gsum as Float32Array;
    expect(gsum.some((v) => v > 0)).toBe(true);
    trainer.setSpec(spec('adadelta'));
    const after = trainer.getState();
    expect(Array.from(after.gsum as Float32Array)).toEqual(Array.from(gsum));
    expect(Array.from(after.xsum as Float32Array)).toEqual([0, 0, 0, 0]);
  });

  it('adam -> adadelta zeroes both accumulators, whose meanings differ', () => {
    const net = new LinearNet([0.5, -0.2, 0.1], 0.05);
    const trainer = new Trainer(net, spec('adam'));
    trainRange(trainer, 0, 6);
    trainer.setSpec(spec('adadelta'));
    const after = trainer.getState();
    expect(Array.from(after.gsum as Float32Array)).toEqual([0, 0, 0, 0]);
    expect(Array.from(after.xsum as Float32Array)).toEqual([0, 0, 0, 0]);
  });

  it('sgd with momentum -> adagrad does not read the signed velocity as a sum of squares', () => {
    const net = new LinearNet([0.5, -0.2, 0.1], 0.05);
    const trainer = new Trainer(net, spec('sgd', { learning_rate: 0.5 }));
    trainRange(trainer, 0, 9);
    expect((trainer.getState().gsum as Float32Array).some((v) => v < 0)).toBe(true);
    trainer.setSpec(spec('adagrad'));
    trainRange(trainer, 9, 15);
    expect(Array.from(net.params).every(Number.isFinite)).toBe(true);
  });

  it('changing only the learning rate keeps the accumulators', () => {
    const net = new LinearNet([0.5, -0.2, 0.1], 0.05);
    const trainer = new Trainer(net, spec('adagrad'));
    trainRange(trainer, 0, 6);
    const gsum = Array.from(trainer.getState().gsum as Float32Array);
    trainer.setSpec(spec('adagrad', { learning_rate: 0.01 }));
    expect(Array.from(trainer.getState().gsum as Float32Array)).toEqual(gsum);
    expect(trainer.spec.learning_rate).toBe(0.01);
  });
});
