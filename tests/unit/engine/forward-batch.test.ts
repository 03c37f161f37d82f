/**
 * Batched inference (Net.forwardBatch, and the WASM conv kernel's prepared, zero-
 * skipping forward under it) gives the per-input forward's outputs bit for bit, on
 * every preset and every kernel set, and refuses arrays of the wrong length.
 */
import { describe, expect, it } from 'vitest';
import type { ConvShape } from '../../../src/engine/kernels/contract';
import { Net } from '../../../src/engine/net';
import { parseNetwork } from '../../../src/engine/parse';
import { NETWORK_PRESETS } from '../../../src/engine/presets';
import { Rng } from '../../../src/engine/rng';
import { shapeSize } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';
import { wasmKernelsWithMemory } from '../../../src/engine/wasm/kernels';
import { KERNEL_SETS } from './kernel-sets';

/** Values in [-1, 1), a share of them exactly zero (as MNIST pixels and ReLU outputs are), some -0. */
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

describe('Net.forwardBatch', () => {
  for (const preset of NETWORK_PRESETS) {
    for (const [setName, kernels] of KERNEL_SETS) {
      it(`${preset.name}, ${setName} kernels: the per-input forward's outputs, bit for bit`, () => {
        const net = new Net(parseNetwork(preset.text).layers, new Rng(3), kernels);
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
          expect(bits(batched.subarray(n * outSize, (n + 1) * outSize)), `input ${n}`).toEqual(bits(one));
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

describe('WASM conv: the prepared, zero-skipping forward', () => {
  const rng = new Rng(21);
  const shapes: ConvShape[] = [
    { inSx: 24, inSy: 24, inDepth: 1, outSx: 24, outSy: 24, filters: 8, sx: 5, sy: 5, stride: 1, pad: 2 },
    { inSx: 12, inSy: 12, inDepth: 8, outSx: 12, outSy: 12, filters: 16, sx: 5, sy: 5, stride: 1, pad: 2 },
  ];
  while (shapes.length < 30) {
    const sx = rng.int(1, 6);
    const sy = rng.int(1, 6);
    const stride = rng.int(1, 4);
    const pad = rng.int(0, 3);
    const inSx = rng.int(1, 15);
    const inSy = rng.int(1, 15);
    const outSx = Math.floor((inSx + 2 * pad - sx) / stride) + 1;
    const outSy = Math.floor((inSy + 2 * pad - sy) / stride) + 1;
    if (outSx >= 1 && outSy >= 1) shapes.push({ inSx, inSy, inDepth: rng.int(1, 10), outSx, outSy, filters: rng.int(1, 37), sx, sy, stride, pad });
  }
  for (const [n, s] of shapes.entries()) {
    it(`${s.inSx}x${s.inSy}x${s.inDepth} -> ${s.filters} filters ${s.sx}x${s.sy}, stride ${s.stride}, pad ${s.pad}: forward's outputs bit for bit`, () => {
      const set = wasmKernelsWithMemory(8 << 20);
      if (!set) throw new Error('WebAssembly SIMD is missing: Node 20 has it');
      const kernel = set.conv(s);
      if (!kernel.prepareInference || !kernel.forwardPrepared) throw new Error('the WASM conv kernel has a prepared forward');
      const r = new Rng(200 + n);
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
      // Dense, mostly zero, all zero: each input through both routes.
      for (const zeroShare of [0, 0.6, 1]) {
        const x = place(sparseValues(s.inSx * s.inSy * s.inDepth, r, zeroShare));
        kernel.forwardPrepared(x, actual);
        kernel.forward(x, w, b, expected);
        expect(bits(actual), `zero share ${zeroShare}`).toEqual(bits(expected));
      }
    });
  }
});
