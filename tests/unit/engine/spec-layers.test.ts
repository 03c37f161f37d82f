import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  SpecError,
  paramCount,
  resolveLayers,
  totalParamCount,
  type ResolvedLayer,
  type SpecIssue,
} from '../../../src/engine/spec';
import { SEED_LAYER_DEFS } from '../../../src/engine/parse';

/** The reference library's layer objects, only the fields compared here. */
interface RefLayer {
  layer_type: string;
  out_sx: number;
  out_sy: number;
  out_depth: number;
  sx?: number;
  sy?: number;
  stride?: number;
  pad?: number;
  group_size?: number;
  drop_prob?: number;
  k?: number;
  n?: number;
  alpha?: number;
  beta?: number;
  l1_decay_mul?: number;
  l2_decay_mul?: number;
  biases?: { w: ArrayLike<number> };
}
const convnetjs = createRequire(import.meta.url)('convnetjs') as {
  Net: new () => { layers: RefLayer[]; makeLayers(defs: object[]): void };
};

function referenceLayers(defs: readonly object[]): RefLayer[] {
  const net = new convnetjs.Net();
  // convnetjs writes defaults into the definitions it is given; keep ours untouched.
  net.makeLayers(structuredClone(defs) as object[]);
  return net.layers;
}

function issuesOf(defs: unknown): SpecIssue[] {
  try {
    resolveLayers(defs);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    const err = e as SpecError;
    expect(err.message).toBe(err.issues[0]?.message);
    return err.issues;
  }
  throw new Error('expected resolveLayers to reject the definition');
}

const INPUT = { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 };
const SOFTMAX = { type: 'softmax', num_classes: 10 };

describe('resolveLayers on the seed network', () => {
  const layers = resolveLayers(SEED_LAYER_DEFS);

  it('desugars into the nine layers ConvNetJS builds', () => {
    expect(layers.map((l) => l.type)).toEqual([
      'input',
      'conv',
      'relu',
      'pool',
      'conv',
      'relu',
      'pool',
      'fc',
      'softmax',
    ]);
    expect(layers.map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(layers.map((l) => l.sourceIndex)).toEqual([0, 1, 1, 2, 3, 3, 4, 5, 5]);
  });

  it('computes the shapes 24x24x1 -> 24x24x8 -> 12x12x8 -> 12x12x16 -> 4x4x16 -> 1x1x10', () => {
    const shapes = layers.map((l) => `${l.out.sx}x${l.out.sy}x${l.out.depth}`);
    expect(shapes).toEqual([
      '24x24x1',
      '24x24x8',
      '24x24x8',
      '12x12x8',
      '12x12x16',
      '12x12x16',
      '4x4x16',
      '1x1x10',
      '1x1x10',
    ]);
    for (let i = 1; i < layers.length; i++) expect(layers[i]!.in).toEqual(layers[i - 1]!.out);
  });

  it('counts 208, 3216 and 2570 parameters in the conv, conv and fc layers', () => {
    expect(layers.map(paramCount).filter((n) => n > 0)).toEqual([208, 3216, 2570]);
    expect(totalParamCount(layers)).toBe(208 + 3216 + 2570);
  });

  it('fills ConvNetJS defaults: bias 0.1 before relu, 0 for the inserted fc, decay multipliers 0 and 1', () => {
    const conv = layers[1] as Extract<ResolvedLayer, { type: 'conv' }>;
    expect(conv).toMatchObject({ sx: 5, sy: 5, filters: 8, stride: 1, pad: 2, biasPref: 0.1, l1DecayMul: 0, l2DecayMul: 1 });
    const pool = layers[6] as Extract<ResolvedLayer, { type: 'pool' }>;
    expect(pool).toMatchObject({ sx: 3, sy: 3, stride: 3, pad: 0 });
    expect(layers[7]).toMatchObject({ type: 'fc', numNeurons: 10, biasPref: 0, l1DecayMul: 0, l2DecayMul: 1 });
    expect(layers[8]).toMatchObject({ type: 'softmax', numClasses: 10 });
  });
});

describe('resolveLayers matches convnetjs makeLayers', () => {
  const cases: Record<string, object[]> = {
    seed: [...SEED_LAYER_DEFS],
    'defaults for conv stride, pool stride, sy and bias without relu': [
      { type: 'input', out_sx: 13, out_sy: 11, out_depth: 3 },
      { type: 'conv', sx: 3, filters: 4 },
      { type: 'pool', sx: 2 },
      { type: 'conv', sx: 3, sy: 2, filters: 5, stride: 2, pad: 1, activation: 'tanh', l1_decay_mul: 0.5, l2_decay_mul: 2 },
      { type: 'svm', num_classes: 3 },
    ],
    'pools and convs whose windows do not tile (floor)': [
      { type: 'input', out_sx: 10, out_sy: 10, out_depth: 2 },
      { type: 'conv', sx: 4, filters: 3, stride: 3 },
      { type: 'pool', sx: 2, stride: 2, pad: 1 },
      SOFTMAX,
    ],
    'maxout activation with and without group_size, dropout from drop_prob': [
      { type: 'input', out_sx: 6, out_sy: 6, out_depth: 4 },
      { type: 'conv', sx: 3, filters: 6, activation: 'maxout', group_size: 3, drop_prob: 0.25 },
      { type: 'fc', num_neurons: 8, activation: 'maxout' },
      { type: 'fc', filters: 5, activation: 'sigmoid', bias_pref: -0.2 },
      { type: 'regression', num_neurons: 2 },
    ],
    'standalone activation, maxout, dropout and lrn layers; input given as in_*': [
      { type: 'input', in_sx: 5, in_sy: 7, in_depth: 6 },
      { type: 'lrn', k: 1, n: 3, alpha: 0.1, beta: 0.75 },
      { type: 'maxout' },
      { type: 'relu' },
      { type: 'dropout' },
      { type: 'dropout', drop_prob: 0.2 },
      { type: 'tanh', drop_prob: 0.1 },
      { type: 'fc', num_neurons: 4, activation: 'relu' },
      SOFTMAX,
    ],
  };

  for (const [name, defs] of Object.entries(cases)) {
    it(name, () => {
      const ours = resolveLayers(defs);
      const ref = referenceLayers(defs);
      expect(ours.map((l) => l.type)).toEqual(ref.map((l) => l.layer_type));
      ours.forEach((layer, i) => {
        const r = ref[i]!;
        expect(layer.out, `layer ${i} (${layer.type}) out`).toEqual({ sx: r.out_sx, sy: r.out_sy, depth: r.out_depth });
        switch (layer.type) {
          case 'conv':
            expect({ sx: layer.sx, sy: layer.sy, stride: layer.stride, pad: layer.pad }).toEqual({
              sx: r.sx,
              sy: r.sy,
              stride: r.stride,
              pad: r.pad,
            });
            expect([layer.l1DecayMul, layer.l2DecayMul]).toEqual([r.l1_decay_mul, r.l2_decay_mul]);
            expect(Array.from(r.biases!.w)).toEqual(new Array(layer.filters).fill(layer.biasPref));
            break;
          case 'fc':
            expect([layer.l1DecayMul, layer.l2DecayMul]).toEqual([r.l1_decay_mul, r.l2_decay_mul]);
            expect(Array.from(r.biases!.w)).toEqual(new Array(layer.numNeurons).fill(layer.biasPref));
            break;
          case 'pool':
            expect({ sx: layer.sx, sy: layer.sy, stride: layer.stride, pad: layer.pad }).toEqual({
              sx: r.sx,
              sy: r.sy,
              stride: r.stride,
              pad: r.pad,
            });
            break;
          case 'maxout':
            expect(layer.groupSize).toBe(r.group_size);
            break;
          case 'dropout':
            expect(layer.dropProb).toBe(r.drop_prob);
            break;
          case 'lrn':
            expect({ k: layer.k, n: layer.n, alpha: layer.alpha, beta: layer.beta }).toEqual({
              k: r.k,
              n: r.n,
              alpha: r.alpha,
              beta: r.beta,
            });
            break;
          default:
            break;
        }
      });
    });
  }

  it('does not modify the definitions it is given', () => {
    const defs = structuredClone([...SEED_LAYER_DEFS]);
    resolveLayers(defs);
    expect(defs).toEqual(SEED_LAYER_DEFS);
  });
});

describe('resolveLayers rejects broken definitions with a sentence naming layer, type and field', () => {
  interface Case {
    defs: unknown;
    layerIndex?: number;
    layerType?: string;
    field?: string;
    says: RegExp;
  }
  const cases: Record<string, Case> = {
    'not an array': { defs: { type: 'input' }, says: /must be an array/ },
    'a layer that is not an object': { defs: [INPUT, 5, SOFTMAX], layerIndex: 1, says: /^layer 1: expected an object/ },
    'missing type': { defs: [INPUT, { sx: 2 }, SOFTMAX], layerIndex: 1, field: 'type', says: /^layer 1: type is missing; use one of 'input', 'conv'/ },
    'a snapshot layer pasted as a definition': {
      defs: [INPUT, { layer_type: 'fc', out_depth: 3 }, SOFTMAX],
      layerIndex: 1,
      field: 'type',
      says: /looks like a layer of a ConvNetJS snapshot/,
    },
    'unknown type with a near name': {
      defs: [INPUT, { type: 'cnov', sx: 3, filters: 2 }, SOFTMAX],
      layerIndex: 1,
      field: 'type',
      says: /^layer 1: type 'cnov' is not a layer type; did you mean 'conv'\?$/,
    },
    'unknown type far from any name': {
      defs: [INPUT, { type: 'batchnorm' }, SOFTMAX],
      layerIndex: 1,
      says: /type 'batchnorm' is not a layer type; use one of 'input',.* or 'regression'/,
    },
    'unknown field with a near name': {
      defs: [INPUT, { type: 'conv', sx: 3, filter: 2 }, SOFTMAX],
      layerIndex: 1,
      layerType: 'conv',
      field: 'filter',
      says: /^layer 1 \(conv\): unknown field 'filter'; did you mean 'filters'\?$/,
    },
    'unknown field far from any name': {
      defs: [INPUT, { type: 'pool', sx: 2, weights: 3 }, SOFTMAX],
      layerIndex: 1,
      field: 'weights',
      says: /unknown field 'weights'; pool layers take 'sx', 'sy', 'pad', 'stride'/,
    },
    'missing required field': {
      defs: [INPUT, { type: 'conv', sx: 3 }, SOFTMAX],
      layerIndex: 1,
      layerType: 'conv',
      field: 'filters',
      says: /^layer 1 \(conv\): filters is missing; use a whole number, at least 1/,
    },
    'number written as a string': {
      defs: [{ ...INPUT, out_sx: '24' }, SOFTMAX],
      layerIndex: 0,
      layerType: 'input',
      field: 'out_sx',
      says: /out_sx is the string '24'; write the number 24 without quotes/,
    },
    'wrong type': {
      defs: [INPUT, { type: 'fc', num_neurons: true }, SOFTMAX],
      layerIndex: 1,
      field: 'num_neurons',
      says: /num_neurons is true; use a whole number, at least 1/,
    },
    'non-integer size': {
      defs: [INPUT, { type: 'conv', sx: 2.5, filters: 2 }, SOFTMAX],
      layerIndex: 1,
      field: 'sx',
      says: /^layer 1 \(conv\): sx 2.5 is not a whole number/,
    },
    'zero size': {
      defs: [INPUT, { type: 'conv', sx: 3, filters: 0 }, SOFTMAX],
      field: 'filters',
      says: /filters 0 is out of range; use a whole number, at least 1/,
    },
    'negative size': {
      defs: [INPUT, { type: 'pool', sx: 2, pad: -1 }, SOFTMAX],
      field: 'pad',
      says: /pad -1 is out of range; use a whole number, at least 0/,
    },
    'zero stride': {
      defs: [INPUT, { type: 'pool', sx: 2, stride: 0 }, SOFTMAX],
      field: 'stride',
      says: /stride 0 is out of range/,
    },
    'non-finite value': {
      defs: [INPUT, { type: 'fc', num_neurons: 3, bias_pref: Number.NaN }, SOFTMAX],
      field: 'bias_pref',
      says: /bias_pref is NaN; use a finite number/,
    },
    'kernel wider than the padded input': {
      defs: [INPUT, { type: 'conv', sx: 27, filters: 2, pad: 1 }, SOFTMAX],
      layerIndex: 1,
      layerType: 'conv',
      field: 'sx',
      says: /^layer 1 \(conv\): sx 27 is wider than the padded input \(width 24 \+ 2\*pad 1 = 26\), so there would be no output; use sx at most 26 or pad at least 2$/,
    },
    'kernel taller than the padded input': {
      defs: [{ ...INPUT, out_sy: 4 }, { type: 'pool', sx: 2, sy: 5 }, SOFTMAX],
      layerIndex: 1,
      field: 'sy',
      says: /sy 5 is taller than the padded input \(height 4/,
    },
    'pool padding as large as the window': {
      defs: [INPUT, { type: 'pool', sx: 2, pad: 2 }, SOFTMAX],
      field: 'pad',
      says: /pad 2 is not smaller than the window \(2x2\).*use pad at most 1/,
    },
    'first layer not input': {
      defs: [{ type: 'fc', num_neurons: 3 }, SOFTMAX],
      layerIndex: 0,
      layerType: 'fc',
      says: /^layer 0 \(fc\): the first layer must be an input layer/,
    },
    'input in the middle': {
      defs: [INPUT, INPUT, SOFTMAX],
      layerIndex: 1,
      says: /^layer 1 \(input\): an input layer can only be the first layer/,
    },
    'last layer not a loss': {
      defs: [INPUT, { type: 'fc', num_neurons: 3 }],
      layerIndex: 1,
      says: /^layer 1 \(fc\): the last layer must be a loss layer \(softmax, svm or regression\)/,
    },
    'loss in the middle': {
      defs: [INPUT, SOFTMAX, { type: 'fc', num_neurons: 3 }, SOFTMAX],
      layerIndex: 1,
      layerType: 'softmax',
      says: /^layer 1 \(softmax\): a loss layer must be the last layer, but 2 layers follow it/,
    },
    'fewer than two layers': { defs: [INPUT], says: /needs at least an input layer and a loss layer/ },
    'unsupported activation': {
      defs: [INPUT, { type: 'conv', sx: 3, filters: 2, activation: 'relu6' }, SOFTMAX],
      field: 'activation',
      says: /activation 'relu6' is not a supported activation; did you mean 'relu'\?/,
    },
    'activation on a loss layer': {
      defs: [INPUT, { ...SOFTMAX, activation: 'relu' }],
      layerIndex: 1,
      field: 'activation',
      says: /activation cannot follow a loss layer/,
    },
    'even lrn window': {
      defs: [INPUT, { type: 'lrn', k: 1, n: 4, alpha: 1e-4, beta: 0.75 }, SOFTMAX],
      layerIndex: 1,
      layerType: 'lrn',
      field: 'n',
      says: /n 4 must be odd .*use 3 or 5/,
    },
    'lrn k of zero divides by zero': {
      defs: [INPUT, { type: 'lrn', k: 0, n: 3, alpha: 1e-4, beta: 0.75 }, SOFTMAX],
      field: 'k',
      says: /k 0 is out of range; use a finite number, greater than 0/,
    },
    'maxout group larger than the depth': {
      defs: [INPUT, { type: 'maxout', group_size: 2 }, SOFTMAX],
      layerIndex: 1,
      field: 'group_size',
      says: /group_size 2 is larger than the input depth 1, which would leave no outputs; use group_size at most 1/,
    },
    'maxout activation with a group larger than the filters': {
      defs: [INPUT, { type: 'conv', sx: 3, filters: 3, activation: 'maxout', group_size: 4 }, SOFTMAX],
      layerIndex: 1,
      layerType: 'conv',
      field: 'group_size',
      says: /group_size 4 is larger than the input depth 3/,
    },
    'group_size without maxout': {
      defs: [INPUT, { type: 'conv', sx: 3, filters: 3, group_size: 2 }, SOFTMAX],
      field: 'group_size',
      says: /group_size only applies with activation 'maxout'/,
    },
    'drop_prob of 1': {
      defs: [INPUT, { type: 'fc', num_neurons: 3, drop_prob: 1 }, SOFTMAX],
      field: 'drop_prob',
      says: /drop_prob 1 is out of range; use a finite number, at least 0 and less than 1/,
    },
    'alias and name disagree': {
      defs: [INPUT, { type: 'fc', num_neurons: 3, filters: 4 }, SOFTMAX],
      layerType: 'fc',
      says: /name the same setting with different values; keep one/,
    },
  };

  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const issues = issuesOf(c.defs);
      const issue = issues.find((i) => c.says.test(i.message));
      expect(issue, `issues were: ${issues.map((i) => i.message).join(' | ')}`).toBeDefined();
      if (c.layerIndex !== undefined) expect(issue!.layerIndex).toBe(c.layerIndex);
      if (c.layerType !== undefined) expect(issue!.layerType).toBe(c.layerType);
      if (c.field !== undefined) expect(issue!.field).toBe(c.field);
    });
  }

  it('collects every problem, not only the first', () => {
    const issues = issuesOf([
      INPUT,
      { type: 'conv', sx: 3, filter: 2 },
      { type: 'pool', sx: 0 },
      { type: 'softmax', num_classes: 10, extra: 1 },
    ]);
    expect(issues.map((i) => [i.layerIndex, i.field])).toEqual([
      [1, 'filter'],
      [2, 'sx'],
      [3, 'extra'],
    ]);
  });

  it('does not also call a field missing when a typo of it was reported', () => {
    const issues = issuesOf([INPUT, { type: 'softmax', num_clases: 10 }]);
    expect(issues.map((i) => i.message)).toEqual([
      "layer 1 (softmax): unknown field 'num_clases'; did you mean 'num_classes'?",
    ]);
  });

  it('names an sy copied from sx only once', () => {
    const issues = issuesOf([INPUT, { type: 'conv', sx: 30, filters: 2 }, SOFTMAX]);
    expect(issues.map((i) => i.field)).toEqual(['sx']);
  });

  it('keeps fields it does not own out of the prototype chain', () => {
    const def = JSON.parse('{"type":"fc","num_neurons":3,"__proto__":{"polluted":1}}') as object;
    const issues = issuesOf([INPUT, def, SOFTMAX]);
    expect(issues[0]!.message).toMatch(/unknown field '__proto__'/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('resolveLayers size caps', () => {
  it(`rejects more than ${LIMITS.maxParams.toLocaleString('en-US')} parameters, naming the biggest layer`, () => {
    // 24*24*1 inputs * 40,000 neurons = 23,040,000 weights.
    const issues = issuesOf([INPUT, { type: 'fc', num_neurons: 40_000 }, SOFTMAX]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ layerIndex: 1, layerType: 'fc' });
    expect(issues[0]!.message).toMatch(
      /^layer 1 \(fc\): the network has 23,480,010 parameters, more than the limit of 20,000,000; this layer alone has 23,080,000/,
    );
  });

  it('accepts a network just under the parameter cap', () => {
    // 576*34,000 + 34,000 + 34,000*10 + 10 = 19,958,010
    const layers = resolveLayers([INPUT, { type: 'fc', num_neurons: 34_000 }, SOFTMAX]);
    expect(totalParamCount(layers)).toBe(19_958_010);
  });

  it(`rejects a layer output over ${LIMITS.maxLayerActivations.toLocaleString('en-US')} values`, () => {
    const issues = issuesOf([
      { type: 'input', out_sx: 1000, out_sy: 1000, out_depth: 1 },
      { type: 'conv', sx: 1, filters: 51 },
      SOFTMAX,
    ]);
    expect(issues[0]!.message).toBe(
      'layer 1 (conv): the conv output 1000x1000x51 holds 51,000,000 values, more than the limit of 50,000,000 per layer; use smaller sizes or fewer filters',
    );
  });

  it('rejects a huge input before anything is sized from it', () => {
    const issues = issuesOf([{ type: 'input', out_sx: 1e9, out_sy: 1e9, out_depth: 3 }, SOFTMAX]);
    expect(issues[0]!.message).toMatch(/^layer 0 \(input\): the input 1000000000x1000000000x3 holds .* more than the limit of 50,000,000/);
  });

  it(`rejects more than ${LIMITS.maxLayers} layer definitions`, () => {
    const defs = [INPUT, ...new Array(LIMITS.maxLayers).fill({ type: 'relu' }), SOFTMAX];
    expect(issuesOf(defs)[0]!.message).toMatch(/202 layer definitions, more than the limit of 200/);
  });

  it(`rejects definitions that expand past ${LIMITS.maxLayers} layers`, () => {
    const defs = [INPUT, ...new Array(70).fill({ type: 'relu', activation: 'tanh', drop_prob: 0.1 }), SOFTMAX];
    expect(issuesOf(defs)[0]!.message).toMatch(/expands to 213 layers .* more than the limit of 200/);
  });
});
