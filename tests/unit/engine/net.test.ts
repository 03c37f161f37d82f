import { describe, expect, it } from 'vitest';
import type { Kernels } from '../../../src/engine/kernels/contract';
import { jsKernels } from '../../../src/engine/kernels/js-blocked';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import { resolveLayers, SpecError, type LayerDef } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';
import { randomVolume } from './gradcheck';

const SEED_DEFS: LayerDef[] = [
  { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
  { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 3, stride: 3 },
  { type: 'softmax', num_classes: 10 },
];

const seedNet = (seed: number) => Net.fromDefs(structuredClone(SEED_DEFS), new Rng(seed));

function stats(values: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

describe('initialisation', () => {
  it('the same seed gives the same weights, bit for bit', () => {
    const a = seedNet(42);
    const b = seedNet(42);
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
    const x = randomVolume(a.inputShape, new Rng(1), 0, 1);
    expect(Array.from(a.forward(x).w)).toEqual(Array.from(b.forward(x).w));
  });

  it('different seeds give different weights', () => {
    const a = seedNet(42);
    const b = seedNet(43);
    let same = 0;
    for (let i = 0; i < a.params.length; i++) if (a.params[i] === b.params[i]) same++;
    // Only the biases (set, not drawn) coincide.
    const biases = a.paramGroups.filter((g) => g.kind === 'biases').reduce((n, g) => n + g.w.length, 0);
    expect(same).toBe(biases);
  });

  it('draws weights with standard deviation sqrt(1 / fan_in) and mean 0', () => {
    const net = Net.fromDefs(
      [
        { type: 'input', out_sx: 10, out_sy: 10, out_depth: 8 },
        { type: 'conv', sx: 5, filters: 64, pad: 2 }, // fan-in 5*5*8 = 200, 12,800 weights
        { type: 'pool', sx: 2 },
        { type: 'fc', num_neurons: 30 }, // fan-in 5*5*64 = 1600, 48,000 weights
        { type: 'softmax', num_classes: 10 }, // inserted fc: fan-in 30, 300 weights
      ],
      new Rng(5),
    );
    const filters = net.paramGroups.filter((g) => g.kind === 'filters');
    const expected = [200, 1600, 30].map((fanIn) => Math.sqrt(1 / fanIn));
    filters.forEach((group, i) => {
      const { mean, std } = stats(group.w);
      const n = group.w.length;
      // Loose enough for a sample of n normals (std error about std/sqrt(2n)).
      expect(std / expected[i]).toBeGreaterThan(1 - 6 / Math.sqrt(2 * n));
      expect(std / expected[i]).toBeLessThan(1 + 6 / Math.sqrt(2 * n));
      expect(Math.abs(mean)).toBeLessThan((6 * expected[i]) / Math.sqrt(n));
    });
  });

  it('sets biases to bias_pref: 0.1 before a relu, 0 otherwise, or as given', () => {
    const net = Net.fromDefs(
      [
        { type: 'input', out_sx: 6, out_sy: 6, out_depth: 1 },
        { type: 'conv', sx: 3, filters: 4, activation: 'relu' },
        { type: 'conv', sx: 3, filters: 4 },
        { type: 'conv', sx: 1, filters: 4, bias_pref: 0.5, activation: 'tanh' },
        { type: 'fc', num_neurons: 3, activation: 'relu' },
        { type: 'softmax', num_classes: 2 },
      ],
      new Rng(1),
    );
    const biases = net.paramGroups.filter((g) => g.kind === 'biases').map((g) => Array.from(new Set(g.w)));
    expect(biases).toEqual([[Math.fround(0.1)], [0], [0.5], [Math.fround(0.1)], [0]]);
  });
});

describe('parameters', () => {
  it("lists filters then biases for each conv/fc layer, as views into one buffer, biases undecayed", () => {
    const net = Net.fromDefs(
      [
        { type: 'input', out_sx: 6, out_sy: 6, out_depth: 2 },
        { type: 'conv', sx: 3, filters: 4, l1_decay_mul: 0.5, l2_decay_mul: 2 },
        { type: 'fc', num_neurons: 3 },
        { type: 'regression', num_neurons: 2 },
      ],
      new Rng(1),
    );
    const groups = net.paramGroups;
    expect(groups.map((g) => [g.kind, g.w.length, g.l1DecayMul, g.l2DecayMul])).toEqual([
      ['filters', 4 * 3 * 3 * 2, 0.5, 2],
      ['biases', 4, 0, 0],
      ['filters', 3 * 4 * 4 * 4, 0, 1],
      ['biases', 3, 0, 0],
      ['filters', 2 * 3, 0, 1],
      ['biases', 2, 0, 0],
    ]);
    let offset = 0;
    for (const g of groups) {
      expect(g.w.buffer).toBe(net.params.buffer);
      expect(g.dw.buffer).toBe(net.grads.buffer);
      // Offsets within the net's buffers (which may themselves sit inside a WASM memory).
      expect(g.w.byteOffset - net.params.byteOffset).toBe(offset * 4);
      expect(g.dw.byteOffset - net.grads.byteOffset).toBe(offset * 4);
      offset += g.w.length;
    }
    expect(offset).toBe(net.params.length);
  });

  it('conv filter f sits at f * sx*sy*inDepth in HWC order', () => {
    const net = Net.fromDefs(
      [
        { type: 'input', out_sx: 3, out_sy: 3, out_depth: 2 },
        { type: 'conv', sx: 3, filters: 2 },
        { type: 'regression', num_neurons: 1 },
      ],
      new Rng(1),
    );
    const [filters, biases] = net.paramGroups;
    filters.w.fill(0);
    biases.w.fill(0);
    // Filter 1, tap (x 2, y 1), channel 1.
    filters.w[1 * 18 + (3 * 1 + 2) * 2 + 1] = 1;
    const x = new Volume(3, 3, 2);
    x.set(2, 1, 1, 7);
    net.forward(x);
    expect(Array.from(net.layers[1].outAct.w)).toEqual([0, 7]);
  });
});

describe('forward and backward', () => {
  it('accumulates parameter gradients until zeroGrads; activation gradients are overwritten', () => {
    const net = seedNet(3);
    const x = randomVolume(net.inputShape, new Rng(4), 0, 1);
    net.forward(x, true);
    const loss1 = net.backward(3);
    const once = Float32Array.from(net.grads);
    const inputGrad = Float32Array.from(x.dw);
    net.forward(x, true);
    const loss2 = net.backward(3);
    expect(loss2).toBe(loss1);
    for (let i = 0; i < once.length; i++) expect(net.grads[i]).toBe(Math.fround(once[i] * 2));
    expect(Array.from(x.dw)).toEqual(Array.from(inputGrad));
    net.zeroGrads();
    expect(net.grads.every((g) => g === 0)).toBe(true);
  });

  it('reuses its buffers: forward returns the same volume every time', () => {
    const net = seedNet(3);
    const outs = net.layers.map((l) => l.outAct);
    const a = net.forward(randomVolume(net.inputShape, new Rng(1)));
    const b = net.forward(randomVolume(net.inputShape, new Rng(2)));
    expect(a).toBe(b);
    expect(net.layers.map((l) => l.outAct)).toEqual(outs);
  });

  it('keeps working on its own copy of the input', () => {
    const net = seedNet(3);
    const x = randomVolume(net.inputShape, new Rng(1), 0, 1);
    net.forward(x, true);
    const before = Float32Array.from(net.layers[0].outAct.w);
    x.w.fill(0);
    expect(Array.from(net.layers[0].outAct.w)).toEqual(Array.from(before));
  });

  it('predicts the class with the largest probability, which sum to 1', () => {
    const net = seedNet(9);
    const out = net.forward(randomVolume(net.inputShape, new Rng(5), 0, 1)).w;
    const best = out.indexOf(Math.max(...out));
    expect(net.getPrediction()).toBe(best);
    expect(out.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    expect(net.inputShape).toEqual({ sx: 24, sy: 24, depth: 1 });
    expect(net.outputShape).toEqual({ sx: 1, sy: 1, depth: 10 });
  });

  it('draws dropout masks from the seeded Rng: same seed, same masks; prediction is deterministic', () => {
    const defs: LayerDef[] = [
      { type: 'input', out_sx: 1, out_sy: 1, out_depth: 64 },
      { type: 'fc', num_neurons: 64, drop_prob: 0.5 },
      { type: 'softmax', num_classes: 4 },
    ];
    const masks = (seed: number) => {
      const net = Net.fromDefs(structuredClone(defs), new Rng(seed));
      const x = randomVolume(net.inputShape, new Rng(1));
      const m: number[][] = [];
      for (let k = 0; k < 3; k++) {
        net.forward(x, true);
        m.push(Array.from(net.layers[2].outAct.w, (v) => (v === 0 ? 0 : 1)));
      }
      const p1 = Array.from(net.forward(x, false).w);
      const p2 = Array.from(net.forward(x, false).w);
      expect(p1).toEqual(p2);
      return m;
    };
    const a = masks(10);
    expect(masks(10)).toEqual(a);
    expect(masks(11)).not.toEqual(a);
    expect(a[0]).not.toEqual(a[1]);
  });
});

describe('kernels', () => {
  it('runs conv and fc through the kernels it is given', () => {
    const calls: string[] = [];
    const counting: Kernels = {
      conv(shape) {
        const k = jsKernels.conv(shape);
        return {
          forward: (...args) => (calls.push('conv.forward'), k.forward(...args)),
          backward: (...args) => (calls.push('conv.backward'), k.backward(...args)),
        };
      },
      fc(n, m) {
        const k = jsKernels.fc(n, m);
        return {
          forward: (...args) => (calls.push('fc.forward'), k.forward(...args)),
          backward: (...args) => (calls.push('fc.backward'), k.backward(...args)),
        };
      },
    };
    const net = Net.fromDefs(structuredClone(SEED_DEFS), new Rng(1), counting);
    net.forward(randomVolume(net.inputShape, new Rng(2)), true);
    net.backward(1);
    expect(calls).toEqual([
      'conv.forward',
      'conv.forward',
      'fc.forward',
      'fc.backward',
      'conv.backward',
      'conv.backward',
    ]);
  });
});

describe('errors', () => {
  it('rejects definitions through resolveLayers, with a SpecError', () => {
    const defs = [{ type: 'input', out_sx: 2, out_sy: 2, out_depth: 1 }, { type: 'cnov' }];
    expect(() => Net.fromDefs(defs, new Rng(1))).toThrow(SpecError);
  });

  it('refuses specs whose shapes do not chain, or that do not end in a loss', () => {
    const specs = resolveLayers([
      { type: 'input', out_sx: 4, out_sy: 4, out_depth: 1 },
      { type: 'fc', num_neurons: 3 },
      { type: 'softmax', num_classes: 3 },
    ]);
    const broken = specs.map((s) => (s.type === 'fc' ? { ...s, in: { sx: 5, sy: 4, depth: 1 } } : s));
    expect(() => new Net(broken, new Rng(1))).toThrow(/layer 1 \(fc\) expects 5x4x1 but layer 0 \(input\) gives 4x4x1/);
    expect(() => new Net(specs.slice(0, 2), new Rng(1))).toThrow(/not a loss/);
  });

  it('names the expected input size and the valid targets', () => {
    const net = seedNet(1);
    expect(() => net.forward(new Volume(28, 28, 1))).toThrow(/28x28x1 but the network expects 24x24x1/);
    net.forward(randomVolume(net.inputShape, new Rng(1)));
    expect(() => net.backward(10)).toThrow(/class index from 0 to 9/);
    const reg = Net.fromDefs(
      [
        { type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 },
        { type: 'regression', num_neurons: 3 },
      ],
      new Rng(1),
    );
    reg.forward(randomVolume(reg.inputShape, new Rng(1)));
    expect(() => reg.backward([1, 2])).toThrow(/3 values, got 2/);
  });
});
