/**
 * Batched inference: Net.forwardBatch against the per-input forward on every preset
 * and kernel set, and the WASM conv kernel's two inference routes against its
 * training forward: the direct route bit for bit, Winograd F(2x2, 5x5) within 1e-4
 * relative on every conv shape of every preset (and on odd shapes).
 */
import { describe, expect, it } from 'vitest';
import type { ConvShape } from '../../../src/engine/kernels/contract';
import { convShapeOf } from '../../../src/engine/kernels/contract';
import { Net } from '../../../src/engine/net';
import { parseNetwork } from '../../../src/engine/parse';
import { NETWORK_PRESETS } from '../../../src/engine/presets';
import { Rng } from '../../../src/engine/rng';
import { shapeSize } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';
import { wasmKernelsWithMemory } from '../../../src/engine/wasm/kernels';
import { winogradPays, type WasmConvKernel } from '../../../src/engine/wasm/layer-kernels';
import { KERNEL_SETS } from './kernel-sets';

/** Values in [-1, 1), a share of them exactly zero (as ReLU outputs are), some -0. */
function sparseValues(n: number, rng: Rng, zeroShare: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.random();
    out[i] = r < zeroShare / 2 ? 0 : r < zeroShare ? -0 : rng.uniform(-1, 1);
  }
  return out;
}

/** Bit patterns, so -0 against 0 and every last bit count. */
function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/**
 * The relative error the Winograd route is held to: the largest |a - e| over the
 * largest |e| (normwise, as fast-convolution error is usually stated; an output
 * whose sum cancels to near zero has no meaningful error relative to itself).
 */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    const difference = Math.abs(actual[i] - expected[i]);
    worst = Number.isNaN(difference) ? Infinity : Math.max(worst, difference);
  }
  return scale === 0 ? worst : worst / scale;
}
const WINOGRAD_TOLERANCE = 1e-4;

const PRESET_CONV_SHAPES: readonly ConvShape[] = NETWORK_PRESETS.flatMap((preset) =>
  parseNetwork(preset.text).layers.flatMap((spec) => (spec.type === 'conv' ? [convShapeOf(spec)] : [])),
);

describe('Net.forwardBatch', () => {
  for (const preset of NETWORK_PRESETS) {
    for (const [setName, kernels] of KERNEL_SETS) {
      const net = new Net(parseNetwork(preset.text).layers, new Rng(3), kernels);
      const fast = setName === 'wasm' && net.specs.some((s) => s.type === 'conv' && winogradPays(convShapeOf(s)));
      const what = fast ? 'within 1e-4 relative (Winograd on its conv layers)' : 'bit for bit';
      it(`${preset.name}, ${setName} kernels: the per-input forward's outputs, ${what}`, () => {
        const rng = new Rng(4);
        // Biases off zero, some negative, so ReLUs zero a varying share of their outputs.
        for (const group of net.paramGroups) {
          if (group.kind === 'biases') for (let i = 0; i < group.w.length; i++) group.w[i] = rng.uniform(-0.3, 0.3);
        }
        const inSize = shapeSize(net.inputShape);
        const outSize = shapeSize(net.outputShape);
        const count = 7;
        const inputs = new Float32Array(count * inSize);
        for (let n = 0; n < count; n++) inputs.set(sparseValues(inSize, rng, n === 0 ? 0 : 0.7), n * inSize);
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

function randomShape(rng: Rng, window: 'any' | '5x5'): ConvShape {
  for (;;) {
    const sx = window === '5x5' ? 5 : rng.int(1, 6);
    const sy = window === '5x5' ? 5 : rng.int(1, 6);
    const stride = window === '5x5' ? 1 : rng.int(1, 4);
    const pad = rng.int(0, 3);
    const inSx = rng.int(1, 15);
    const inSy = rng.int(1, 15);
    const outSx = Math.floor((inSx + 2 * pad - sx) / stride) + 1;
    const outSy = Math.floor((inSy + 2 * pad - sy) / stride) + 1;
    if (outSx >= 1 && outSy >= 1) return { inSx, inSy, inDepth: rng.int(1, 10), outSx, outSy, filters: rng.int(1, 37), sx, sy, stride, pad };
  }
}

const label = (s: ConvShape): string =>
  `${s.inSx}x${s.inSy}x${s.inDepth} -> ${s.filters} filters ${s.sx}x${s.sy}, stride ${s.stride}, pad ${s.pad}`;

/**
 * Runs `route` (after prepareInference) and the training forward on the same inputs
 * (dense, mostly zero, all zero) and hands both outputs to `compare`.
 */
function againstForward(
  s: ConvShape,
  seed: number,
  pick: (routes: WasmConvKernel['routes']) => Route | null,
  compare: (actual: Float32Array, expected: Float32Array, what: string) => void,
): void {
  const set = wasmKernelsWithMemory(8 << 20);
  if (!set) throw new Error('WebAssembly SIMD is missing: Node 20 has it');
  const kernel = set.conv(s);
  const route = pick(kernel.routes);
  if (!route) throw new Error(`no such route for ${label(s)}`);
  const r = new Rng(seed);
  const place = (values: Float32Array): Float32Array => {
    const a = set.allocate(values.length);
    a.set(values);
    return a;
  };
  const w = place(sparseValues(s.filters * s.sx * s.sy * s.inDepth, r, 0));
  const b = place(sparseValues(s.filters, r, 0));
  const outSize = s.outSx * s.outSy * s.filters;
  const expected = set.allocate(outSize);
  const actual = set.allocate(outSize);
  kernel.prepareInference(w, b);
  for (const zeroShare of [0, 0.6, 1]) {
    const x = place(sparseValues(s.inSx * s.inSy * s.inDepth, r, zeroShare));
    route(x, actual);
    kernel.forward(x, w, b, expected);
    compare(actual, expected, `zero share ${zeroShare}`);
  }
}
type Route = (x: Float32Array, out: Float32Array) => void;

describe('WASM conv: the direct inference route gives forward\'s outputs bit for bit', () => {
  const rng = new Rng(21);
  const shapes = [...PRESET_CONV_SHAPES];
  while (shapes.length < 30) shapes.push(randomShape(rng, 'any'));
  for (const [n, s] of shapes.entries()) {
    it(label(s), () => againstForward(s, 200 + n, (routes) => routes.direct, (a, e, what) => expect(bits(a), what).toEqual(bits(e))));
  }
});

describe('WASM conv: Winograd F(2x2, 5x5) agrees with forward within 1e-4 relative', () => {
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

describe('WASM pool: the inference forward (no switches) gives forward\'s outputs bit for bit', () => {
  const rng = new Rng(23);
  for (let n = 0; n < 12; n++) {
    const sx = rng.int(1, 4);
    const stride = rng.int(1, 4);
    const pad = rng.int(0, 2);
    const inSx = rng.int(sx, 14);
    const inSy = rng.int(sx, 14);
    const depth = rng.int(1, 11);
    const outSx = Math.floor((inSx + 2 * pad - sx) / stride) + 1;
    const outSy = Math.floor((inSy + 2 * pad - sx) / stride) + 1;
    it(`${inSx}x${inSy}x${depth}, window ${sx}, stride ${stride}, pad ${pad}`, () => {
      const set = wasmKernelsWithMemory(1 << 20);
      if (!set) throw new Error('WebAssembly SIMD is missing: Node 20 has it');
      const kernel = set.pool({ inSx, inSy, depth, outSx, outSy, sx, sy: sx, stride, pad });
      if (!kernel.forwardValues) throw new Error('the WASM pool kernel has an inference forward');
      const x = set.allocate(inSx * inSy * depth);
      x.set(sparseValues(x.length, new Rng(400 + n), 0.4));
      const expected = set.allocate(outSx * outSy * depth);
      const actual = set.allocate(expected.length);
      kernel.forward(x, expected);
      kernel.forwardValues(x, actual);
      expect(bits(actual)).toEqual(bits(expected));
    });
  }
});
