import { describe, expect, it } from 'vitest';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import type { LayerDef } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';
import type { DropoutLayer } from '../../../src/engine/layers/dropout';
import {
  crossCheck,
  refVol,
  referenceNet,
  relativeDifference,
  restateDropoutAsInverted,
  withRandomFrom,
} from '../helpers/convnetjs';
import { distinctValues, randomVolume } from './gradcheck';

const input = (sx: number, sy: number, depth: number): LayerDef => ({
  type: 'input',
  out_sx: sx,
  out_sy: sy,
  out_depth: depth,
});

/**
 * Our net and convnetjs's from the same definitions; biases randomised (so a
 * bias that went missing would show), then convnetjs given our weights.
 */
function pair(defs: LayerDef[], seed = 3) {
  const rng = new Rng(seed);
  const ours = Net.fromDefs(structuredClone(defs), rng);
  const biasRng = new Rng(seed + 100);
  for (const g of ours.paramGroups) {
    if (g.kind === 'biases') for (let i = 0; i < g.w.length; i++) g.w[i] = biasRng.uniform(-0.3, 0.3);
  }
  return { ours, ref: referenceNet(defs, ours), rng };
}

const REGRESSION_TARGET = [0.3, -0.8, 1.2];
const regression: LayerDef = { type: 'regression', num_neurons: 3 };

describe('conv matches convnetjs', () => {
  const cases: [string, LayerDef][] = [
    ['3x2 kernel, stride 2, pad 1, 5 filters', { type: 'conv', sx: 3, sy: 2, filters: 5, stride: 2, pad: 1 }],
    ['5x5 kernel, pad 2, odd output width, 6 filters', { type: 'conv', sx: 5, filters: 6, stride: 1, pad: 2 }],
    ['3x3 kernel, stride 3, no pad', { type: 'conv', sx: 3, filters: 4, stride: 3 }],
    ['8 filters, 3x3, pad 1', { type: 'conv', sx: 3, filters: 8, pad: 1 }],
  ];
  for (const [name, def] of cases) {
    it(name, () => {
      const { ours, ref } = pair([input(7, 6, 3), def, regression]);
      crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(2)), REGRESSION_TARGET);
    });
  }
});

describe('fc matches convnetjs', () => {
  for (const neurons of [4, 7]) {
    it(`${neurons} neurons on a 3x2x4 input`, () => {
      const defs = [input(3, 2, 4), { type: 'fc', num_neurons: neurons }, { type: 'softmax', num_classes: 5 }];
      const { ours, ref } = pair(defs);
      crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(4)), 2);
    });
  }
});

describe('pool matches convnetjs', () => {
  const cases: [string, LayerDef][] = [
    ['3x3, stride 2, pad 1', { type: 'pool', sx: 3, stride: 2, pad: 1 }],
    ['2x2, default stride', { type: 'pool', sx: 2 }],
    ['3x2 window, stride 3, pad 1', { type: 'pool', sx: 3, sy: 2, stride: 3, pad: 1 }],
  ];
  for (const [name, def] of cases) {
    it(name, () => {
      const { ours, ref } = pair([input(9, 8, 3), def, { type: 'softmax', num_classes: 4 }]);
      crossCheck(ours, ref, distinctValues(ours.inputShape, new Rng(5)), 1);
    });
  }
  it('ties go to the same input as in convnetjs', () => {
    const { ours, ref } = pair([input(8, 8, 2), { type: 'pool', sx: 3, stride: 2, pad: 1 }, regression]);
    // Only three distinct values: almost every window has a tie for its max.
    const rng = new Rng(6);
    const x = new Volume(8, 8, 2);
    for (let i = 0; i < x.size; i++) x.w[i] = rng.int(0, 3) * 0.5;
    crossCheck(ours, ref, x, REGRESSION_TARGET);
  });
});

describe('activations match convnetjs', () => {
  for (const type of ['relu', 'sigmoid', 'tanh']) {
    it(type, () => {
      const { ours, ref } = pair([input(4, 3, 5), { type }, regression]);
      crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(7), -2, 2), REGRESSION_TARGET);
    });
  }
  it('maxout, groups of 3 on a 3x3x6 volume, into an svm', () => {
    const { ours, ref } = pair([input(3, 3, 6), { type: 'maxout', group_size: 3 }, { type: 'svm', num_classes: 4 }]);
    crossCheck(ours, ref, distinctValues(ours.inputShape, new Rng(8)), 3);
  });
  it('maxout, groups of 2 on a 1x1x8 vector', () => {
    const defs = [input(1, 1, 8), { type: 'maxout', group_size: 2 }, { type: 'softmax', num_classes: 3 }];
    const { ours, ref } = pair(defs);
    crossCheck(ours, ref, distinctValues(ours.inputShape, new Rng(9)), 0);
  });
  it('activation and drop_prob desugaring on conv and fc', () => {
    const defs = [
      input(6, 6, 2),
      { type: 'conv', sx: 3, filters: 6, pad: 1, activation: 'tanh' },
      { type: 'fc', num_neurons: 6, activation: 'maxout', group_size: 3 },
      { type: 'fc', num_neurons: 4, activation: 'sigmoid', drop_prob: 0.25 },
      { type: 'softmax', num_classes: 3 },
    ];
    const { ours, ref, rng } = pair(defs);
    expect(ours.layers.map((l) => l.spec.type)).toEqual([
      'input',
      'conv',
      'tanh',
      'fc',
      'maxout',
      'fc',
      'sigmoid',
      'dropout',
      'fc',
      'softmax',
    ]);
    // Training mode, with convnetjs replaying our dropout draws; its dropout is
    // restated as our inverted dropout so the layers after it compare too.
    crossCheck(ours, restateDropoutAsInverted(ref), randomVolume(ours.inputShape, new Rng(10)), 2, {
      training: true,
      rng,
    });
  });
});

/**
 * Our dropout is inverted dropout (identity at prediction), 0.3.0's is not (see
 * dropout.ts), so the outputs are compared by their documented relation: the same
 * draws drop the same values, and our survivors are 0.3.0's times 1 / (1 - p).
 */
describe('dropout against convnetjs', () => {
  const p = 0.3;
  const scale = 1 / (1 - p);
  const defs = [input(5, 4, 3), { type: 'dropout', drop_prob: p }, regression];
  it('prediction: ours is the identity; 0.3.0 multiplies by drop_prob', () => {
    const { ours, ref } = pair(defs);
    const x = randomVolume(ours.inputShape, new Rng(11));
    ours.forward(x, false);
    ref.forward(refVol(x), false);
    const out = ours.layers[1].outAct.w;
    const refOut = ref.layers[1].out_act.w;
    for (let i = 0; i < x.size; i++) {
      expect(out[i]).toBe(x.w[i]);
      expect(refOut[i]).toBe(x.w[i] * p);
    }
    // Gradients pass through unchanged; everything else as convnetjs.
    crossCheck(ours, restateDropoutAsInverted(ref), x, REGRESSION_TARGET);
    expect(Array.from(x.dw)).toEqual(Array.from(ours.layers[1].outAct.dw));
  });
  it('training: the same random draws drop the same values; survivors are 0.3.0\'s times 1 / (1 - p)', () => {
    const { ours, ref, rng } = pair(defs);
    const x = randomVolume(ours.inputShape, new Rng(12));
    withRandomFrom(rng, () => ref.forward(refVol(x), true));
    ours.forward(x, true);
    const layer = ours.layers[1] as DropoutLayer;
    const refLayer = ref.layers[1];
    const out = layer.outAct.w;
    let dropped = 0;
    for (let i = 0; i < x.size; i++) {
      expect(layer.dropped[i]).toBe(refLayer.dropped![i] ? 1 : 0);
      if (layer.dropped[i]) {
        dropped++;
        expect(out[i]).toBe(0);
        expect(refLayer.out_act.w[i]).toBe(0);
      } else {
        // 0.3.0 passes the survivor unscaled (exactly x in float64).
        expect(refLayer.out_act.w[i]).toBe(x.w[i]);
        expect(out[i]).toBe(Math.fround(refLayer.out_act.w[i] * scale));
      }
    }
    // About 30% of 60 dropped.
    expect(dropped).toBeGreaterThan(5);
    expect(dropped).toBeLessThan(35);
  });
  it('training: gradients, with the same draws, against convnetjs restated as inverted dropout', () => {
    const { ours, ref, rng } = pair(defs);
    const x = randomVolume(ours.inputShape, new Rng(12));
    crossCheck(ours, restateDropoutAsInverted(ref), x, REGRESSION_TARGET, { training: true, rng });
    const layer = ours.layers[1] as DropoutLayer;
    const dy = layer.outAct.dw;
    for (let i = 0; i < x.size; i++) {
      expect(x.dw[i]).toBe(layer.dropped[i] ? 0 : Math.fround(dy[i] * scale));
    }
  });
});

describe('lrn against convnetjs', () => {
  it('n = 1: forward and every gradient match', () => {
    const { ours, ref } = pair([input(3, 2, 7), { type: 'lrn', k: 1, n: 1, alpha: 0.8, beta: 0.75 }, regression]);
    crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(13), -2, 2), REGRESSION_TARGET);
  });
  it('n = 5: forward matches', () => {
    const { ours, ref } = pair([input(3, 2, 7), { type: 'lrn', k: 2, n: 5, alpha: 0.8, beta: 0.75 }, regression]);
    crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(14), -2, 2), REGRESSION_TARGET, { forwardOnly: true });
  });
  it("n = 5: convnetjs's own gradient disagrees with its forward pass, ours does not", () => {
    // The reason our LRN backward differs from 0.3.0's (see lrn.ts): a finite
    // difference of convnetjs's own forward pass against its own backward.
    const defs = [
      input(1, 1, 5),
      { type: 'lrn', k: 1, n: 5, alpha: 2, beta: 0.75 },
      { type: 'regression', num_neurons: 1 },
    ];
    const { ours, ref } = pair(defs);
    const x = randomVolume(ours.inputShape, new Rng(15), -1, 1);
    const upstream = [0.3, -0.5, 0.8, 0.1, -0.9];
    const refLrn = ref.layers[1];
    const objective = (values: Float64Array): number => {
      const v = refVol(x);
      v.w.set(values);
      const out = refLrn.forward(v, false).w;
      return out.reduce((s, o, i) => s + o * upstream[i], 0);
    };
    const base = refVol(x);
    refLrn.forward(base, false);
    refLrn.out_act.dw.set(upstream);
    refLrn.backward();
    const refAnalytic = Float64Array.from(base.dw);
    const numeric = Array.from(base.w, (_, i) => {
      const up = Float64Array.from(base.w);
      const down = Float64Array.from(base.w);
      up[i] += 1e-6;
      down[i] -= 1e-6;
      return (objective(up) - objective(down)) / 2e-6;
    });
    expect(relativeDifference(refAnalytic, numeric)).toBeGreaterThan(0.05);

    const lrn = ours.layers[1];
    lrn.forward(x, false);
    lrn.outAct.dw.set(upstream);
    lrn.backward();
    expect(relativeDifference(x.dw, numeric)).toBeLessThan(1e-4);
  });
});

describe('losses match convnetjs', () => {
  it('softmax: same loss and gradients', () => {
    const { ours, ref } = pair([input(2, 2, 3), { type: 'softmax', num_classes: 6 }]);
    const losses = crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(16), -2, 2), 4)!;
    expect(losses.ours).toBeCloseTo(losses.reference, 5);
  });
  it('svm: same loss (including the +1 of the target class) and gradients', () => {
    const { ours, ref } = pair([input(2, 2, 3), { type: 'svm', num_classes: 6 }]);
    const losses = crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(17), -2, 2), 1)!;
    expect(losses.ours).toBeCloseTo(losses.reference, 5);
  });
  it('regression: same gradients; the loss is 0.5 * sum d^2, a quarter of 0.3.0\'s 2 * sum d^2', () => {
    const { ours, ref } = pair([input(2, 2, 3), { type: 'regression', num_neurons: 3 }]);
    const losses = crossCheck(ours, ref, randomVolume(ours.inputShape, new Rng(18), -2, 2), REGRESSION_TARGET)!;
    expect(losses.ours).toBeCloseTo(losses.reference / 4, 5);
  });
  it('predictions agree', () => {
    const defs = [
      input(2, 2, 3),
      { type: 'fc', num_neurons: 5, activation: 'relu' },
      { type: 'softmax', num_classes: 9 },
    ];
    const { ours, ref } = pair(defs);
    for (let k = 0; k < 5; k++) {
      const x = randomVolume(ours.inputShape, new Rng(20 + k), -2, 2);
      ours.forward(x);
      ref.forward(refVol(x));
      expect(ours.getPrediction()).toBe(ref.getPrediction());
    }
  });
});
