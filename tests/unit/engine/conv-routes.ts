/**
 * Shared by the tests of the WASM conv kernel's inference routes: inputs, bit patterns,
 * the normwise relative error the fast routes are held to, conv shapes (every preset's,
 * and random ones), and a kernel on its own memory to run a route against forward.
 */
import type { ConvShape } from '../../../src/engine/kernels/contract';
import { convShapeOf } from '../../../src/engine/kernels/contract';
import { parseNetwork } from '../../../src/engine/parse';
import { NETWORK_PRESETS } from '../../../src/engine/presets';
import { Rng } from '../../../src/engine/rng';
import { wasmKernelsWithMemory } from '../../../src/engine/wasm/kernels';
import type { WasmConvKernel } from '../../../src/engine/wasm/layer-kernels';
import type { KernelBuild } from '../../../src/engine/wasm/module';

/** Values in [-1, 1), a share of them exactly zero (as ReLU outputs are), some -0. */
export function sparseValues(n: number, rng: Rng, zeroShare: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.random();
    out[i] = r < zeroShare / 2 ? 0 : r < zeroShare ? -0 : rng.uniform(-1, 1);
  }
  return out;
}

/** Bit patterns, so -0 against 0 and every last bit count. */
export function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/**
 * The relative error the Winograd route is held to: the largest |a - e| over the
 * largest |e| (normwise, as fast-convolution error is usually stated; an output
 * whose sum cancels to near zero has no meaningful error relative to itself).
 */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    const difference = Math.abs(actual[i] - expected[i]);
    worst = Number.isNaN(difference) ? Infinity : Math.max(worst, difference);
  }
  return scale === 0 ? worst : worst / scale;
}
export const WINOGRAD_TOLERANCE = 1e-4;

export const PRESET_CONV_SHAPES: readonly ConvShape[] = NETWORK_PRESETS.flatMap((preset) =>
  parseNetwork(preset.text).layers.flatMap((spec) => (spec.type === 'conv' ? [convShapeOf(spec)] : [])),
);

export function randomShape(rng: Rng, window: 'any' | '5x5'): ConvShape {
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

export const label = (s: ConvShape): string =>
  `${s.inSx}x${s.inSy}x${s.inDepth} -> ${s.filters} filters ${s.sx}x${s.sy}, stride ${s.stride}, pad ${s.pad}`;

/**
 * A WASM conv kernel of shape `s` on its own memory, with random weights and biases
 * placed there, output arrays for a route and for forward, and `place` for inputs.
 */
export function convBench(s: ConvShape, seed: number, build: KernelBuild = 'exact') {
  const set = wasmKernelsWithMemory(8 << 20, 0, 0, build);
  if (!set) throw new Error('WebAssembly SIMD is missing: Node 20 has it');
  const r = new Rng(seed);
  const place = (values: Float32Array): Float32Array => {
    const a = set.allocate(values.length);
    a.set(values);
    return a;
  };
  const w = place(sparseValues(s.filters * s.sx * s.sy * s.inDepth, r, 0));
  const b = place(sparseValues(s.filters, r, 0));
  const outSize = s.outSx * s.outSy * s.filters;
  return { set, kernel: set.conv(s), r, place, w, b, expected: set.allocate(outSize), actual: set.allocate(outSize) };
}

/**
 * Runs `route` (after prepareInference) and the training forward on the same inputs
 * (dense, mostly zero, all zero) and hands both outputs to `compare`; then the route
 * with its ReLU against forward's outputs through the ReLU layer's x < 0 ? 0 : x.
 */
export function againstForward(
  s: ConvShape,
  seed: number,
  pick: (routes: WasmConvKernel['routes']) => Route | null,
  compare: (actual: Float32Array, expected: Float32Array, what: string) => void,
  build: KernelBuild = 'exact',
): void {
  const { kernel, r, place, w, b, expected, actual } = convBench(s, seed, build);
  const route = pick(kernel.routes);
  if (!route) throw new Error(`no such route for ${label(s)}`);
  kernel.prepareInference(w, b);
  for (const zeroShare of [0, 0.6, 1]) {
    const x = place(sparseValues(s.inSx * s.inSy * s.inDepth, r, zeroShare));
    route(x, actual);
    kernel.forward(x, w, b, expected);
    compare(actual, expected, `zero share ${zeroShare}`);
    route(x, actual, true);
    compare(actual, expected.map((v) => (v < 0 ? 0 : v)), `zero share ${zeroShare}, with ReLU`);
  }
}
export type Route = (x: Float32Array, out: Float32Array, relu?: boolean) => void;

/**
 * An image of `pixels` pixels of `depth` channels, every value `background` but
 * `count` at random places (never in the first pixel, which the sparse route reads
 * as the background) that hold values in [-1, 1).
 */
export function onBackground(pixels: number, depth: number, rng: Rng, background: number, count: number): Float32Array {
  const out = new Float32Array(pixels * depth).fill(background);
  const places = Array.from({ length: out.length - depth }, (_, i) => i + depth);
  for (let k = 0; k < count; k++) {
    const pick = rng.int(k, places.length);
    [places[k], places[pick]] = [places[pick], places[k]];
    out[places[k]] = rng.uniform(-1, 1);
  }
  return out;
}
