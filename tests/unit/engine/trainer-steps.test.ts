import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/rng';
import { netFromJSON } from '../../../src/engine/snapshot';
import { DEFAULT_TRAINER, type TrainerSpec } from '../../../src/engine/spec';
import { Trainer } from '../../../src/engine/trainer';
import { Volume } from '../../../src/engine/volume';

/**
 * Single updates worked out by hand on the smallest real net: two inputs, one fc
 * neuron (w = [0.5, -0.25], b = 0.1, decay multipliers 1 on the weights, 0 on the
 * bias as always) and a regression loss, whose gradient on the output is y - t.
 */
const TINY = {
  layers: [
    { layer_type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 },
    {
      layer_type: 'fc',
      out_sx: 1,
      out_sy: 1,
      out_depth: 1,
      num_inputs: 2,
      l1_decay_mul: 1,
      l2_decay_mul: 1,
      filters: [{ sx: 1, sy: 1, depth: 2, w: [0.5, -0.25] }],
      biases: { sx: 1, sy: 1, depth: 1, w: [0.1] },
    },
    { layer_type: 'regression', out_sx: 1, out_sy: 1, out_depth: 1, num_inputs: 1 },
  ],
};

function spec(extra: Partial<TrainerSpec>): TrainerSpec {
  return {
    // Options these tests do not name keep ConvNetJS's defaults.
    ...DEFAULT_TRAINER,
    method: 'sgd',
    learning_rate: 0.1,
    momentum: 0,
    batch_size: 1,
    l1_decay: 0.001,
    l2_decay: 0.01,
    ro: 0.95,
    eps: 1e-6,
    beta1: 0.9,
    beta2: 0.999,
    ...extra,
  };
}

const input = (a: number, b: number): Volume => new Volume(1, 1, 2, Float32Array.from([a, b]));

describe('hand-computed trainer steps', () => {
  it('sgd, batch of two: decay added once, summed gradient divided by batch_size', () => {
    const net = netFromJSON(TINY, new Rng(1));
    const trainer = new Trainer(net, spec({ method: 'sgd', momentum: 0, batch_size: 2 }));
    // x = [1, 2], t = 1: y = 0.5 - 0.5 + 0.1 = 0.1, dy = -0.9 -> dw = [-0.9, -1.8], db = -0.9
    expect(trainer.train(input(1, 2), [1]).updated).toBe(false);
    // x = [-1, 0.5], t = 0 (weights unchanged mid-batch): y = -0.525 -> dw = [0.525, -0.2625], db = -0.525
    expect(trainer.train(input(-1, 0.5), [0]).updated).toBe(true);
    // Summed: dw = [-0.375, -2.0625], db = -1.425.
    // w0: gij = (0.01*0.5 + 0.001*1 - 0.375) / 2 = -0.1845        -> 0.5 + 0.1*0.1845 = 0.51845
    // w1: gij = (0.01*-0.25 + 0.001*-1 - 2.0625) / 2 = -1.033     -> -0.25 + 0.1033 = -0.1467
    // b:  gij = -1.425 / 2 = -0.7125 (no decay on biases)         -> 0.1 + 0.07125 = 0.17125
    const expected = [0.51845, -0.1467, 0.17125];
    expected.forEach((v, i) => expect(net.params[i]).toBeCloseTo(v, 6));
    expect(Array.from(net.grads)).toEqual([0, 0, 0]);
  });

  it('adadelta, one example: the first step is sqrt(eps / ((1 - ro) g^2 + eps)) * g', () => {
    const net = netFromJSON(TINY, new Rng(1));
    const trainer = new Trainer(net, spec({ method: 'adadelta', ro: 0.95, eps: 1e-6 }));
    expect(trainer.train(input(1, 2), [1]).updated).toBe(true);
    // gij:  w0 = 0.005 + 0.001 - 0.9 = -0.894; w1 = -0.0025 - 0.001 - 1.8 = -1.8035; b = -0.9
    // gsum = 0.05 * gij^2;  dx = -sqrt((0 + 1e-6) / (gsum + 1e-6)) * gij;  xsum = 0.05 * dx^2
    const expectedParams = [0.50447208000091, -0.24552787779430, 0.10447208074447];
    const expectedGsum = [0.0399618, 0.1626306125, 0.0405];
    const expectedXsum = [9.999749767e-7, 9.999938511e-7, 9.999753093e-7];
    expectedParams.forEach((v, i) => expect(net.params[i]).toBeCloseTo(v, 6));
    const state = trainer.getState();
    expectedGsum.forEach((v, i) => expect((state.gsum as Float32Array)[i]).toBeCloseTo(v, 7));
    expectedXsum.forEach((v, i) => expect((state.xsum as Float32Array)[i] / v).toBeCloseTo(1, 5));
  });
});
