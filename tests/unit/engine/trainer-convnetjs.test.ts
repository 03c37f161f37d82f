import { describe, expect, it } from 'vitest';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import { netFromJSON, netToJSON } from '../../../src/engine/snapshot';
import { DEFAULT_TRAINER, type TrainerSpec } from '../../../src/engine/spec';
import { Trainer } from '../../../src/engine/trainer';
import { Volume } from '../../../src/engine/volume';
import {
  convnetjs,
  maxRelativeError,
  refNetFromText,
  refParams,
  refVol,
  type RefNet,
  type RefVol,
} from '../helpers/convnetjs';

/**
 * Cross-check of every trainer method against ConvNetJS on identical weights: one
 * snapshot is loaded into both engines, both train on the same examples, and the
 * weights must agree after several batches.
 *
 * convnetjs 0.3.0 (the npm build) has sgd, momentum, adagrad, windowgrad and
 * adadelta. Its adam and nesterov arrived later upstream; for those two the
 * reference below applies the upstream update rule to the convnetjs net, which
 * still does the forward and backward passes and owns the parameters.
 */

/** conv (with l1 on its filters) -> relu -> pool -> fc (custom multipliers) -> tanh -> softmax. */
const DEFS = [
  { type: 'input', out_sx: 6, out_sy: 6, out_depth: 2 },
  { type: 'conv', sx: 3, filters: 3, stride: 1, pad: 1, activation: 'relu', l1_decay_mul: 1 },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'fc', num_neurons: 5, activation: 'tanh', l1_decay_mul: 0.5, l2_decay_mul: 2 },
  { type: 'softmax', num_classes: 3 },
];

const BATCH = 3;
const BATCHES = 4;

function trainerSpec(extra: Partial<TrainerSpec>): TrainerSpec {
  return {
    // Options these tests do not name keep ConvNetJS's defaults.
    ...DEFAULT_TRAINER,
    method: 'sgd',
    learning_rate: 0.02,
    momentum: 0.9,
    batch_size: BATCH,
    l1_decay: 0.001,
    l2_decay: 0.01,
    ro: 0.95,
    eps: 1e-6,
    beta1: 0.9,
    beta2: 0.999,
    ...extra,
  };
}

interface RefTrainerLike {
  train(x: RefVol, y: number): { cost_loss: number; l2_decay_loss: number; l1_decay_loss: number };
}

/** ConvNetJS's upstream adam and nesterov rules (absent from 0.3.0), on a convnetjs net. */
class UpstreamTrainer implements RefTrainerLike {
  private k = 0;
  private readonly gsum: Float64Array[] = [];
  private readonly xsum: Float64Array[] = [];

  constructor(
    private readonly net: RefNet,
    private readonly o: TrainerSpec,
  ) {}

  train(x: RefVol, y: number): { cost_loss: number; l2_decay_loss: number; l1_decay_loss: number } {
    const o = this.o;
    this.net.forward(x, true);
    const cost = this.net.backward(y);
    let l2Loss = 0;
    let l1Loss = 0;
    this.k++;
    if (this.k % o.batch_size === 0) {
      const groups = this.net.getParamsAndGrads();
      if (this.gsum.length === 0) {
        for (const pg of groups) {
          this.gsum.push(new Float64Array(pg.params.length));
          this.xsum.push(new Float64Array(pg.params.length));
        }
      }
      groups.forEach((pg, i) => {
        const l2 = o.l2_decay * (pg.l2_decay_mul ?? 1);
        const l1 = o.l1_decay * (pg.l1_decay_mul ?? 1);
        const p = pg.params;
        const g = pg.grads;
        const gs = this.gsum[i];
        const xs = this.xsum[i];
        for (let j = 0; j < p.length; j++) {
          l2Loss += (l2 * p[j] * p[j]) / 2;
          l1Loss += l1 * Math.abs(p[j]);
          const gij = (l2 * p[j] + l1 * (p[j] > 0 ? 1 : -1) + g[j]) / o.batch_size;
          if (o.method === 'adam') {
            gs[j] = gs[j] * o.beta1 + (1 - o.beta1) * gij;
            xs[j] = xs[j] * o.beta2 + (1 - o.beta2) * gij * gij;
            const corrected1 = gs[j] * (1 - Math.pow(o.beta1, this.k));
            const corrected2 = xs[j] * (1 - Math.pow(o.beta2, this.k));
            p[j] += (-o.learning_rate * corrected1) / (Math.sqrt(corrected2) + o.eps);
          } else if (o.method === 'nesterov') {
            const previous = gs[j];
            gs[j] = gs[j] * o.momentum + o.learning_rate * gij;
            p[j] += o.momentum * previous - (1 + o.momentum) * gs[j];
          } else {
            throw new Error(`UpstreamTrainer only covers adam and nesterov, not ${o.method}`);
          }
          g[j] = 0;
        }
      });
    }
    return { cost_loss: cost, l2_decay_loss: l2Loss, l1_decay_loss: l1Loss };
  }
}

function examples(count: number): { x: Volume; label: number }[] {
  const rng = new Rng(99);
  const out: { x: Volume; label: number }[] = [];
  for (let i = 0; i < count; i++) {
    const x = new Volume(6, 6, 2);
    for (let j = 0; j < x.w.length; j++) x.w[j] = rng.uniform(-1, 1);
    out.push({ x, label: rng.int(0, 3) });
  }
  return out;
}

const CASES: { name: string; spec: Partial<TrainerSpec>; reference: 'convnetjs' | 'upstream' }[] = [
  { name: 'sgd', spec: { method: 'sgd', momentum: 0, learning_rate: 0.05 }, reference: 'convnetjs' },
  { name: 'sgd with momentum', spec: { method: 'sgd', momentum: 0.9, learning_rate: 0.02 }, reference: 'convnetjs' },
  { name: 'adagrad', spec: { method: 'adagrad', learning_rate: 0.05 }, reference: 'convnetjs' },
  { name: 'windowgrad', spec: { method: 'windowgrad', learning_rate: 0.01, ro: 0.9 }, reference: 'convnetjs' },
  { name: 'adadelta', spec: { method: 'adadelta', ro: 0.95, eps: 1e-6 }, reference: 'convnetjs' },
  { name: 'adam', spec: { method: 'adam', learning_rate: 0.01, eps: 1e-8 }, reference: 'upstream' },
  { name: 'nesterov', spec: { method: 'nesterov', momentum: 0.9, learning_rate: 0.02 }, reference: 'upstream' },
];

describe('trainer methods against ConvNetJS on identical weights', () => {
  const snapshot = netToJSON(Net.fromDefs(DEFS, new Rng(7)));
  // A weight of exactly 0 under l1 decay: ConvNetJS takes its sign as -1.
  const conv = snapshot.layers[1];
  if (conv.layer_type !== 'conv') throw new Error('expected the conv layer at index 1');
  conv.filters[0].w[0] = 0;
  const text = JSON.stringify(snapshot);
  const data = examples(BATCH * BATCHES);

  it.each(CASES)('$name: same losses and weights after $reference updates', ({ spec: extra, reference }) => {
    const spec = trainerSpec(extra);
    const ours = netFromJSON(text, new Rng(1));
    const ref = refNetFromText(text);
    const initial = Array.from(ours.params);
    // Same starting point, and our flat layout lines up with convnetjs's parameter order.
    expect(Array.from(ours.params)).toEqual(refParams(ref));

    const trainer = new Trainer(ours, spec);
    const refTrainer: RefTrainerLike =
      reference === 'convnetjs' ? new convnetjs.Trainer(ref, { ...spec }) : new UpstreamTrainer(ref, spec);

    let updates = 0;
    for (const { x, label } of data) {
      const stats = trainer.train(x, label);
      const refStats = refTrainer.train(refVol(x), label);
      expect(maxRelativeError([stats.loss], [refStats.cost_loss])).toBeLessThan(1e-4);
      if (stats.updated) {
        updates++;
        expect(maxRelativeError([stats.l2DecayLoss, stats.l1DecayLoss], [refStats.l2_decay_loss, refStats.l1_decay_loss])).toBeLessThan(1e-4);
        expect(stats.l1DecayLoss).toBeGreaterThan(0);
      }
    }
    expect(updates).toBe(BATCHES);

    // The check means something only if training moved the weights well past float noise.
    const moved = Math.max(...Array.from(ours.params, (v, i) => Math.abs(v - initial[i])));
    expect(moved).toBeGreaterThan(1e-3);
    expect(maxRelativeError(ours.params, refParams(ref))).toBeLessThan(1e-4);
  });
});
