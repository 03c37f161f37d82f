import { describe, expect, it } from 'vitest';
import { createLayer } from '../../../src/engine/layers';
import { ParamArena, type Layer } from '../../../src/engine/layers/layer';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import { paramCount, resolveLayers, type LayerDef, type ResolvedLayer } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';
import {
  awayFromZero,
  checkLayer,
  checkLoss,
  checkNet,
  distinctValues,
  randomVolume,
  type GradCheckResult,
} from './gradcheck';
import { KERNEL_SETS } from './kernel-sets';

const TOLERANCE = 1e-2;

/** The resolved spec of layer `index` in a small net (input, the layer, a loss). */
function specAt(defs: LayerDef[], index = 1): ResolvedLayer {
  return resolveLayers(defs)[index];
}

function build(spec: ResolvedLayer, rng = new Rng(7)): Layer {
  return createLayer(spec, new ParamArena(paramCount(spec)), rng);
}

/** Random biases too, so a bias gradient that ignored its value would still show. */
function randomizeBiases(layer: Layer, rng: Rng): void {
  for (const p of layer.params) {
    if (p.kind === 'biases') for (let i = 0; i < p.w.length; i++) p.w[i] = rng.uniform(-0.5, 0.5);
  }
}

function expectAccurate(result: GradCheckResult): void {
  if (process.env.GRADCHECK_VERBOSE) {
    console.log(result.error.toExponential(2), result.checked, result.skipped, result.where);
  }
  expect(result.checked).toBeGreaterThan(0);
  // Only values whose nudge flips a ReLU, a max or a hinge are skipped (detected
  // exactly, see activationPattern); in the ReLU/pool nets that is about one in ten.
  // Many more would mean the check was not really done.
  expect(result.skipped).toBeLessThanOrEqual(0.15 * (result.checked + result.skipped));
  expect(result.error, result.where).toBeLessThanOrEqual(TOLERANCE);
}

const input = (sx: number, sy: number, depth: number): LayerDef => ({
  type: 'input',
  out_sx: sx,
  out_sy: sy,
  out_depth: depth,
});
const regression: LayerDef = { type: 'regression', num_neurons: 2 };

describe('gradient check harness', () => {
  it('flags a backward pass that is 5% off', () => {
    const spec = specAt([input(3, 3, 2), { type: 'tanh' }, regression]);
    const tanh = build(spec);
    const skewed: Layer = {
      spec,
      params: [],
      get outAct() {
        return tanh.outAct;
      },
      get inAct() {
        return tanh.inAct;
      },
      forward: (v, training) => tanh.forward(v, training),
      backward: () => {
        tanh.backward();
        const dx = tanh.inAct!.dw;
        for (let i = 0; i < dx.length; i++) dx[i] *= 1.05;
      },
    };
    const result = checkLayer(skewed, randomVolume(spec.in, new Rng(1)));
    expect(result.error).toBeGreaterThan(0.04);
  });
});

describe('conv gradients (input, filters, biases)', () => {
  const cases: [string, LayerDef][] = [
    ['3x2 kernel, stride 2, pad 1', { type: 'conv', sx: 3, sy: 2, filters: 5, stride: 2, pad: 1 }],
    ['5x5 kernel, pad 2, odd output width, 6 filters', { type: 'conv', sx: 5, filters: 6, stride: 1, pad: 2 }],
    ['3x3 kernel, stride 3, no pad', { type: 'conv', sx: 3, filters: 4, stride: 3, pad: 0 }],
    ['1x1 kernel', { type: 'conv', sx: 1, filters: 3, stride: 1, pad: 0 }],
  ];
  for (const [name, def] of cases) {
    it(name, () => {
      const spec = specAt([input(7, 5, 3), def, regression]);
      const rng = new Rng(11);
      const layer = build(spec, rng);
      randomizeBiases(layer, rng);
      expectAccurate(checkLayer(layer, randomVolume(spec.in, rng)));
    });
  }
});

describe('fc gradients', () => {
  for (const neurons of [4, 7]) {
    it(`${neurons} neurons on a 3x2x4 input`, () => {
      const spec = specAt([input(3, 2, 4), { type: 'fc', num_neurons: neurons }, regression]);
      const rng = new Rng(12);
      const layer = build(spec, rng);
      randomizeBiases(layer, rng);
      expectAccurate(checkLayer(layer, randomVolume(spec.in, rng)));
    });
  }
});

describe('pool gradients', () => {
  const cases: [string, LayerDef][] = [
    ['3x3, stride 2, pad 1', { type: 'pool', sx: 3, stride: 2, pad: 1 }],
    ['2x2, default stride', { type: 'pool', sx: 2 }],
    ['3x2 window, stride 3, pad 1', { type: 'pool', sx: 3, sy: 2, stride: 3, pad: 1 }],
  ];
  for (const [name, def] of cases) {
    it(name, () => {
      const spec = specAt([input(9, 8, 3), def, regression]);
      expectAccurate(checkLayer(build(spec), distinctValues(spec.in, new Rng(13)), { step: 1e-2 }));
    });
  }
});

describe('activation gradients', () => {
  it('relu', () => {
    const spec = specAt([input(4, 3, 5), { type: 'relu' }, regression]);
    expectAccurate(checkLayer(build(spec), awayFromZero(spec.in, new Rng(14))));
  });
  for (const type of ['sigmoid', 'tanh']) {
    it(type, () => {
      const spec = specAt([input(4, 3, 5), { type }, regression]);
      expectAccurate(checkLayer(build(spec), randomVolume(spec.in, new Rng(15), -3, 3)));
    });
  }
  const maxouts: [string, LayerDef, [number, number, number]][] = [
    ['maxout, groups of 3 on a 3x3x6 volume', { type: 'maxout', group_size: 3 }, [3, 3, 6]],
    ['maxout, groups of 2 on a 1x1x8 vector', { type: 'maxout', group_size: 2 }, [1, 1, 8]],
    ['maxout, a trailing channel left out', { type: 'maxout', group_size: 3 }, [2, 2, 7]],
  ];
  for (const [name, def, shape] of maxouts) {
    it(name, () => {
      const spec = specAt([input(...shape), def, regression]);
      expectAccurate(checkLayer(build(spec), distinctValues(spec.in, new Rng(16)), { step: 1e-2 }));
    });
  }
});

describe('dropout gradients', () => {
  const spec = specAt([input(4, 4, 3), { type: 'dropout', drop_prob: 0.3 }, regression]);
  it('training: the same mask replayed for every evaluation', () => {
    const rng = new Rng(17);
    const layer = build(spec, rng);
    const state = rng.getState();
    const result = checkLayer(layer, randomVolume(spec.in, new Rng(18)), {
      training: true,
      beforeForward: () => rng.setState(state),
    });
    expectAccurate(result);
  });
  it('prediction', () => {
    expectAccurate(checkLayer(build(spec), randomVolume(spec.in, new Rng(19))));
  });
});

describe('lrn gradients', () => {
  for (const n of [1, 3, 5]) {
    it(`n = ${n}`, () => {
      const spec = specAt([input(3, 2, 7), { type: 'lrn', k: 1, n, alpha: 0.8, beta: 0.75 }, regression]);
      expectAccurate(checkLayer(build(spec), randomVolume(spec.in, new Rng(20), -2, 2)));
    });
  }
});

describe('loss gradients', () => {
  it('softmax', () => {
    const spec = specAt([input(1, 1, 6), { type: 'softmax', num_classes: 6 }], 2);
    expectAccurate(checkLoss(build(spec), randomVolume(spec.in, new Rng(21), -3, 3), 4));
  });
  it('svm, with some classes inside the margin and some outside', () => {
    const spec = specAt([input(1, 1, 6), { type: 'svm', num_classes: 6 }], 2);
    // Target 2 scores 1.0; margins x_i - 1 + 1 = x_i, kept away from the hinge at 0.
    const scores = new Volume(1, 1, 6, Float32Array.from([0.4, -0.7, 1.0, 0.9, -0.2, 0.3]));
    const result = checkLoss(build(spec), scores, 2);
    expectAccurate(result);
  });
  it('regression on a target vector', () => {
    const spec = specAt([input(1, 1, 4), { type: 'regression', num_neurons: 4 }], 2);
    expectAccurate(checkLoss(build(spec), randomVolume(spec.in, new Rng(22)), [0.5, -1, 2, 0.25]));
  });
  it('regression on a single number (output 0 only)', () => {
    const spec = specAt([input(1, 1, 3), { type: 'regression', num_neurons: 3 }], 2);
    expectAccurate(checkLoss(build(spec), randomVolume(spec.in, new Rng(23)), 0.75));
  });
});

describe.each(KERNEL_SETS)('whole-net gradients (%s kernels)', (name, kernels) => {
  it('conv, relu, pool, fc, tanh, dropout (prediction), softmax', () => {
    const net = Net.fromDefs(
      [
        input(8, 7, 2),
        { type: 'conv', sx: 3, filters: 4, pad: 1, activation: 'relu' },
        { type: 'pool', sx: 2 },
        { type: 'fc', num_neurons: 6, activation: 'tanh', drop_prob: 0.2 },
        { type: 'softmax', num_classes: 3 },
      ],
      new Rng(24),
      kernels,
    );
    expectAccurate(checkNet(net, randomVolume(net.inputShape, new Rng(25)), 1, { step: 1e-2 }));
  });
  it('lrn, maxout, sigmoid, svm', () => {
    const net = Net.fromDefs(
      [
        input(5, 5, 3),
        { type: 'conv', sx: 3, filters: 6, pad: 1, activation: 'maxout', group_size: 2 },
        { type: 'lrn', k: 1, n: 3, alpha: 0.5, beta: 0.75 },
        { type: 'fc', num_neurons: 5, activation: 'sigmoid' },
        { type: 'svm', num_classes: 4 },
      ],
      new Rng(26),
      kernels,
    );
    expectAccurate(checkNet(net, randomVolume(net.inputShape, new Rng(27)), 3, { step: 1e-2 }));
  });
  // Not declared for the plain-loop reference set: several times slower, on this net it would
  // take minutes, and the small nets above check its gradients already.
  if (name !== 'reference') it('the seed network (24x24 input, two conv/relu/pool stages, softmax)', () => {
    const net = Net.fromDefs(
      [
        input(24, 24, 1),
        { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
        { type: 'pool', sx: 2, stride: 2 },
        { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
        { type: 'pool', sx: 3, stride: 3 },
        { type: 'softmax', num_classes: 10 },
      ],
      new Rng(28),
      kernels,
    );
    // Every 4th value (about 1,600 of 6,400) keeps the check to a few seconds.
    expectAccurate(checkNet(net, randomVolume(net.inputShape, new Rng(29), 0, 1), 7, { step: 1e-2, every: 4 }));
  });
});
