/**
 * Batched inference: Net.forwardBatch against the per-input forward on every preset
 * and kernel set, and the WASM conv kernel's inference routes against its training
 * forward: the direct route bit for bit, Winograd F(4x4, 5x5) and Winograd F(4, 5)
 * along rows within 1e-4 relative on every conv shape of every preset (and on odd
 * shapes). The relaxed-SIMD build (fused multiply-adds in those routes) is held to 1e-4
 * on the same shapes, and its training kernels to the exact build's results bit for bit.
 */
import { describe, expect, it } from 'vitest';
import type { Kernels } from '../../../src/engine/kernels/contract';
import { convShapeOf } from '../../../src/engine/kernels/contract';
import { Net } from '../../../src/engine/net';
import { parseNetwork } from '../../../src/engine/parse';
import { NETWORK_PRESETS } from '../../../src/engine/presets';
import { Rng } from '../../../src/engine/rng';
import { shapeSize } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';
import { jsKernels } from '../../../src/engine/kernels/js-blocked';
import { Trainer } from '../../../src/engine/trainer';
import { createWasmKernels, wasmKernelsWithMemory, type WasmNetKernels } from '../../../src/engine/wasm/kernels';
import { sparsePays, winogradPays } from '../../../src/engine/wasm/layer-kernels';
import { kernelsModule, type KernelBuild } from '../../../src/engine/wasm/module';
import { withRelaxedSimd } from '../../../scripts/lib/relaxed-simd';
import { KERNEL_SETS } from './kernel-sets';
import {
  againstForward,
  bits,
  convBench,
  label,
  onBackground,
  PRESET_CONV_SHAPES,
  randomShape,
  relativeError,
  sparseValues,
  WINOGRAD_TOLERANCE,
  type Route,
} from './conv-routes';

// The relaxed build compiled once, with relaxed SIMD switched on for the compile where
// Node lacks it (see withRelaxedSimd); every later use takes the cached module.
const relaxedModule = withRelaxedSimd(() => kernelsModule('relaxed')).value;

function buildOf(net: Net): KernelBuild | undefined {
  return (net.kernels as Partial<WasmNetKernels>).build;
}

const BATCH_KERNEL_SETS: readonly (readonly [string, Kernels])[] = [
  ...KERNEL_SETS,
  ['wasm relaxed-SIMD build', createWasmKernels(jsKernels, 'relaxed')],
];

describe('Net.forwardBatch', () => {
  it('has the relaxed-SIMD build to test (Node 20 compiles it with the V8 flag set)', () => expect(relaxedModule).not.toBeNull());
  for (const preset of NETWORK_PRESETS) {
    for (const [setName, kernels] of BATCH_KERNEL_SETS) {
      const net = new Net(parseNetwork(preset.text).layers, new Rng(3), kernels);
      const fast =
        buildOf(net) === 'relaxed' ||
        (setName === 'wasm' &&
          net.specs.some((s) => s.type === 'fc' || (s.type === 'conv' && (winogradPays(convShapeOf(s)) || sparsePays(convShapeOf(s))))));
      const what = fast ? 'within 1e-4 relative (float32 fc, Winograd or scattered inputs on its conv layers, or fused multiply-adds)' : 'bit for bit';
      it(`${preset.name}, ${setName} kernels: the per-input forward's outputs, ${what}`, () => {
        if (setName.includes('relaxed')) expect(buildOf(net)).toBe('relaxed');
        const rng = new Rng(4);
        // Biases off zero, some negative, so ReLUs zero a varying share of their outputs.
        for (const group of net.paramGroups) {
          if (group.kind === 'biases') for (let i = 0; i < group.w.length; i++) group.w[i] = rng.uniform(-0.3, 0.3);
        }
        const inSize = shapeSize(net.inputShape);
        const outSize = shapeSize(net.outputShape);
        const count = 7;
        const inputs = new Float32Array(count * inSize);
        for (let n = 0; n < count; n++) {
          // Dense, then an MNIST crop's kind (a -0.5 background, a fifth of it off), then mostly zeros.
          const input = n === 0 ? sparseValues(inSize, rng, 0) : n === 1 ? onBackground(inSize / net.inputShape.depth, net.inputShape.depth, rng, -0.5, Math.floor(inSize / 5)) : sparseValues(inSize, rng, 0.7);
          inputs.set(input, n * inSize);
        }
        const batched = net.forwardBatch(inputs, count);
        const { sx, sy, depth } = net.inputShape;
        for (let n = 0; n < count; n++) {
          const x = new Volume(sx, sy, depth, inputs.slice(n * inSize, (n + 1) * inSize));
          const one = net.forward(x, false).w;
          const mine = batched.subarray(n * outSize, (n + 1) * outSize);
          if (fast) expect(relativeError(mine, one), `input ${n}`).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
          else expect(bits(mine), `input ${n}`).toEqual(bits(one));
        }
      });
    }
  }

  for (const [setName, kernels] of BATCH_KERNEL_SETS.filter(([name]) => name.startsWith('wasm'))) {
    it(`${setName}: a batch after a change of one weight or bias uses the new weights (the prepared weights are not reused)`, () => {
      const net = new Net(parseNetwork(NETWORK_PRESETS[0].text).layers, new Rng(8), kernels);
      const inSize = shapeSize(net.inputShape);
      const inputs = sparseValues(3 * inSize, new Rng(9), 0.2);
      const { sx, sy, depth } = net.inputShape;
      const perInput = (): Float32Array => {
        const outs = [0, 1, 2].map((n) => Array.from(net.forward(new Volume(sx, sy, depth, inputs.slice(n * inSize, (n + 1) * inSize)), false).w));
        return new Float32Array(outs.flat());
      };
      const before = net.forwardBatch(inputs, 3);
      expect(relativeError(net.forwardBatch(inputs, 3), before)).toBe(0);
      const convs = net.paramGroups.slice(0, 4);
      for (const group of convs) {
        // One value in each conv layer's filters and biases, in turn: each must show.
        const last = group.w.length - 1;
        const kept = group.w[last];
        group.w[last] = kept + 0.5;
        const changed = net.forwardBatch(inputs, 3);
        expect(relativeError(changed, before), `${group.kind} changed`).toBeGreaterThan(1e-6);
        expect(relativeError(changed, perInput()), `${group.kind} changed`).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
        group.w[last] = kept;
      }
      expect(relativeError(net.forwardBatch(inputs, 3), before)).toBe(0);
    });

    it(`${setName}: a training forward with other weights between two batches does not leave its weights to the next batch`, () => {
      // A replica evaluates a frozen copy between training jobs on the same net: the training
      // forward rewrites the buffers the inference route reads, even when the weights come back.
      const net = new Net(parseNetwork(NETWORK_PRESETS[0].text).layers, new Rng(8), kernels);
      const inSize = shapeSize(net.inputShape);
      const inputs = sparseValues(3 * inSize, new Rng(9), 0.2);
      const frozen = Float32Array.from(net.params);
      const before = net.forwardBatch(inputs, 3);
      for (let i = 0; i < net.params.length; i++) net.params[i] *= 1.5;
      const { sx, sy, depth } = net.inputShape;
      net.forward(new Volume(sx, sy, depth, inputs.slice(0, inSize)), true);
      net.params.set(frozen);
      expect(bits(net.forwardBatch(inputs, 3))).toEqual(bits(before));
    });
  }

  it('writes into a given output array and refuses arrays that are too short', () => {
    const net = new Net(parseNetwork(NETWORK_PRESETS[0].text).layers, new Rng(5));
    const inSize = shapeSize(net.inputShape);
    const out = new Float32Array(20);
    expect(net.forwardBatch(new Float32Array(2 * inSize), 2, out)).toBe(out);
    expect(() => net.forwardBatch(new Float32Array(inSize), 2)).toThrow(/2 inputs of 576 values need 1152 values, got 576/);
    expect(() => net.forwardBatch(new Float32Array(inSize), 1, new Float32Array(5))).toThrow(/output array has 5/);
    expect(() => net.forwardBatch(new Float32Array(inSize), 1.5)).toThrow(/whole number/);
  });
});


describe('WASM conv: the direct inference route gives forward\'s outputs bit for bit', () => {
  const rng = new Rng(21);
  const shapes = [...PRESET_CONV_SHAPES];
  while (shapes.length < 30) shapes.push(randomShape(rng, 'any'));
  for (const [n, s] of shapes.entries()) {
    it(label(s), () => againstForward(s, 200 + n, (routes) => routes.direct, (a, e, what) => expect(bits(a), what).toEqual(bits(e))));
  }
});

describe('WASM conv: Winograd F(4x4, 5x5) agrees with forward within 1e-4 relative', () => {
  const rng = new Rng(22);
  const shapes = [...PRESET_CONV_SHAPES];
  it('covers the conv layers of the presets (seed, wider, SVM: two each)', () => expect(PRESET_CONV_SHAPES).toHaveLength(6));
  while (shapes.length < PRESET_CONV_SHAPES.length + 20) shapes.push(randomShape(rng, '5x5'));
  for (const [n, s] of shapes.entries()) {
    it(label(s), () =>
      againstForward(s, 300 + n, (routes) => routes.winograd, (a, e, what) => {
        if (process.env.SHOW_WINOGRAD_ERROR) console.log(label(s), what, relativeError(a, e).toExponential(2));
        expect(relativeError(a, e), what).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
      }),
    );
  }
});

describe('WASM conv: Winograd F(4, 5) along rows agrees with forward within 1e-4 relative', () => {
  const rng = new Rng(25);
  const shapes = [...PRESET_CONV_SHAPES];
  while (shapes.length < PRESET_CONV_SHAPES.length + 16) shapes.push(randomShape(rng, '5x5'));
  // Wider rows, whose last run of 4 hangs past the row's end, and heights that are not whole groups of 4 rows.
  for (let n = 0; n < 8; n++) {
    const pad = rng.int(0, 3);
    const inSx = rng.int(5, 31);
    const inSy = rng.int(5, 13);
    shapes.push({ inSx, inSy, inDepth: rng.int(1, 5), outSx: inSx + 2 * pad - 4, outSy: inSy + 2 * pad - 4, filters: rng.int(1, 20), sx: 5, sy: 5, stride: 1, pad });
  }
  for (const [n, s] of shapes.entries()) {
    for (const build of ['exact', 'relaxed'] as const) {
      it(`${build} build: ${label(s)}`, () =>
        againstForward(
          s,
          700 + n,
          (routes) => routes.winogradRows,
          (a, e, what) => {
            if (process.env.SHOW_WINOGRAD_ERROR) console.log('rows', build, label(s), what, relativeError(a, e).toExponential(2));
            expect(relativeError(a, e), what).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
          },
          build,
        ),
      );
    }
  }
});

describe('WASM conv: each route is set up from the weights of the last prepareInference', () => {
  // forwardPrepared's route is set up by prepareInference, the others on their first call
  // after it; new weights must reach every route, however many calls ago it was set up.
  for (const s of PRESET_CONV_SHAPES.slice(0, 2)) {
    it(label(s), () => {
      const { set, kernel, r, place, w, b, expected, actual } = convBench(s, 41);
      // The expected outputs come from a second kernel: a training forward on the one under
      // test would make it set every route up again anyway.
      const reference = set.conv(s);
      // An input the sparse route takes (a tenth of it off the background), so every route runs.
      const pixels = s.inSx * s.inSy;
      const x = place(onBackground(pixels, s.inDepth, r, -0.5, Math.floor((pixels * s.inDepth) / 10)));
      const routes = Object.entries(kernel.routes).filter((entry): entry is [string, Route] => entry[1] !== null);
      expect(routes.length).toBeGreaterThanOrEqual(2);
      for (let round = 0; round < 3; round++) {
        kernel.prepareInference(w, b);
        reference.forward(x, w, b, expected);
        for (const [name, route] of routes) {
          actual.fill(NaN);
          route(x, actual);
          expect(relativeError(actual, expected), `${name}, weights ${round}`).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
        }
        // New weights and biases for the next round, every route already set up once.
        w.set(sparseValues(w.length, r, 0));
        b.set(sparseValues(b.length, r, 0));
      }
    });
  }
});

describe('WASM conv, relaxed-SIMD build: both inference routes agree with forward within 1e-4 relative', () => {
  const rng = new Rng(24);
  const shapes = [...PRESET_CONV_SHAPES];
  while (shapes.length < PRESET_CONV_SHAPES.length + 12) shapes.push(randomShape(rng, 'any'));
  while (shapes.length < PRESET_CONV_SHAPES.length + 24) shapes.push(randomShape(rng, '5x5'));
  for (const [n, s] of shapes.entries()) {
    for (const name of ['direct', 'winograd'] as const) {
      if (name === 'winograd' && (s.sx !== 5 || s.sy !== 5 || s.stride !== 1)) continue;
      it(`${name}: ${label(s)}`, () =>
        againstForward(
          s,
          500 + n,
          (routes) => routes[name],
          (a, e, what) => {
            if (process.env.SHOW_WINOGRAD_ERROR) console.log('relaxed', name, label(s), what, relativeError(a, e).toExponential(2));
            expect(relativeError(a, e), what).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
          },
          'relaxed',
        ),
      );
    }
  }
});

describe('WASM, relaxed-SIMD build: training is the exact build\'s, bit for bit', () => {
  for (const preset of NETWORK_PRESETS) {
    it(preset.name, () => {
      const { layers, trainer } = parseNetwork(preset.text);
      const params = (['exact', 'relaxed'] as const).map((build) => {
        const net = new Net(layers, new Rng(6), createWasmKernels(jsKernels, build));
        expect(buildOf(net)).toBe(build);
        const train = new Trainer(net, trainer);
        const rng = new Rng(7);
        const inSize = shapeSize(net.inputShape);
        const { sx, sy, depth } = net.inputShape;
        const classes = shapeSize(net.outputShape);
        for (let step = 0; step < 2 * trainer.batch_size + 1; step++) {
          train.train(new Volume(sx, sy, depth, sparseValues(inSize, rng, 0.3)), rng.int(0, classes));
        }
        return new Float32Array(net.params);
      });
      expect(bits(params[1])).toEqual(bits(params[0]));
    });
  }
});

describe('WASM fc: the inference forward (float32) agrees with forward within 1e-4 relative', () => {
  // Inputs of whole vectors and not, neurons in whole fours and not: every tail of the kernel.
  for (const [n, m] of [[1, 1], [3, 5], [4, 4], [7, 3], [256, 10], [257, 17], [1000, 33]] as const) {
    for (const build of ['exact', 'relaxed'] as const) {
      it(`${build} build: ${n} inputs -> ${m} neurons`, () => {
        const set = wasmKernelsWithMemory(1 << 20, 0, 0, build);
        if (!set) throw new Error('WebAssembly SIMD is missing: Node 20 has it');
        const kernel = set.fc(n, m);
        if (!kernel.prepareInference || !kernel.forwardPrepared) throw new Error('the WASM fc kernel has an inference forward');
        const r = new Rng(n * 100 + m);
        const place = (values: Float32Array): Float32Array => {
          const a = set.allocate(values.length);
          a.set(values);
          return a;
        };
        const w = place(sparseValues(n * m, r, 0));
        const b = place(sparseValues(m, r, 0));
        const expected = set.allocate(m);
        const actual = set.allocate(m);
        kernel.prepareInference(w, b);
        for (const zeroShare of [0, 0.6]) {
          const x = place(sparseValues(n, r, zeroShare));
          kernel.forward(x, w, b, expected);
          kernel.forwardPrepared(x, actual);
          expect(relativeError(actual, expected), `zero share ${zeroShare}`).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
          kernel.forwardPrepared(x, actual, true);
          const relu = expected.map((v) => (v < 0 ? 0 : v));
          expect(relativeError(actual, relu), `zero share ${zeroShare}, with ReLU`).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
        }
      });
    }
  }
});

describe('WASM pool: the inference forward (no switches) gives forward\'s outputs bit for bit', () => {
  const rng = new Rng(23);
  // [inSx, inSy, depth, window, stride, pad]: random ones, then 2x2 stride 2 windows
  // without padding at depths of whole vectors (the kernel's own loop for them; odd
  // sides leave a last row and column out).
  const shapes: [number, number, number, number, number, number][] = [];
  for (let n = 0; n < 12; n++) {
    const sx = rng.int(1, 4);
    const stride = rng.int(1, 4);
    const pad = rng.int(0, 2);
    shapes.push([rng.int(sx, 14), rng.int(sx, 14), rng.int(1, 11), sx, stride, pad]);
  }
  shapes.push([24, 24, 8, 2, 2, 0], [7, 9, 4, 2, 2, 0], [6, 5, 12, 2, 2, 0], [2, 2, 16, 2, 2, 0]);
  for (const [n, [inSx, inSy, depth, sx, stride, pad]] of shapes.entries()) {
    const outSx = Math.floor((inSx + 2 * pad - sx) / stride) + 1;
    const outSy = Math.floor((inSy + 2 * pad - sx) / stride) + 1;
    it(`${inSx}x${inSy}x${depth}, window ${sx}, stride ${stride}, pad ${pad}`, () => {
      const set = wasmKernelsWithMemory(1 << 20);
      if (!set) throw new Error('WebAssembly SIMD is missing: Node 20 has it');
      const kernel = set.pool({ inSx, inSy, depth, outSx, outSy, sx, sy: sx, stride, pad });
      if (!kernel.forwardValues) throw new Error('the WASM pool kernel has an inference forward');
      const x = set.allocate(inSx * inSy * depth);
      x.set(sparseValues(x.length, new Rng(400 + n), 0.4));
      x[Math.min(5, x.length - 1)] = NaN; // a NaN tap never wins, and a NaN first tap stays
      const expected = set.allocate(outSx * outSy * depth);
      const actual = set.allocate(expected.length);
      kernel.forward(x, expected);
      kernel.forwardValues(x, actual);
      expect(bits(actual)).toEqual(bits(expected));
    });
  }
});
