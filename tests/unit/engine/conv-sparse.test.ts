/**
 * The WASM conv kernel's sparse route (assembly/conv-sparse.ts): an input that is one
 * background value but a share of it, scattered. It must agree with the training
 * forward within 1e-4 relative on every shape it serves (every edge class, with and
 * without the ReLU, both builds), take no more than its limit of values off the
 * background (nor rows twice as busy as it allows), and write nothing where it declines, so that forwardPrepared's dense
 * route gives exactly its own outputs there.
 */
import { describe, expect, it } from 'vitest';
import type { ConvShape } from '../../../src/engine/kernels/contract';
import { Rng } from '../../../src/engine/rng';
import { sparseLimit, sparsePays, winogradRowsPays } from '../../../src/engine/wasm/layer-kernels';
import { withRelaxedSimd } from '../../../scripts/lib/relaxed-simd';
import { kernelsModule } from '../../../src/engine/wasm/module';
import { bits, convBench, label, onBackground, PRESET_CONV_SHAPES, randomShape, relativeError, WINOGRAD_TOLERANCE } from './conv-routes';

// Compiled with relaxed SIMD switched on where Node lacks it; later uses take the cached module.
withRelaxedSimd(() => kernelsModule('relaxed'));

/** The seed net's conv 1: MNIST crops, 8 filters 5x5, pad 2. */
const SEED_CONV1: ConvShape = { inSx: 24, inSy: 24, inDepth: 1, outSx: 24, outSy: 24, filters: 8, sx: 5, sy: 5, stride: 1, pad: 2 };

function sparseShapes(): ConvShape[] {
  const rng = new Rng(31);
  const shapes = PRESET_CONV_SHAPES.filter(sparsePays);
  // Random windows, pads and filter counts; small sides put every output in an edge class.
  while (shapes.length < 40) {
    const s = randomShape(rng, 'any');
    const one = { ...s, stride: 1, inDepth: rng.int(1, 4), outSx: s.inSx + 2 * s.pad - s.sx + 1, outSy: s.inSy + 2 * s.pad - s.sy + 1 };
    if (one.outSx >= 1 && one.outSy >= 1 && sparsePays(one)) shapes.push(one);
  }
  return shapes;
}

describe('WASM conv: the sparse route agrees with forward within 1e-4 relative', () => {
  it('serves the seed net\'s conv 1 and declines shapes it does not pay on', () => {
    expect(sparsePays(SEED_CONV1)).toBe(true);
    expect(sparsePays({ ...SEED_CONV1, stride: 2, outSx: 12, outSy: 12 })).toBe(false);
    expect(sparsePays({ ...SEED_CONV1, pad: 5, outSx: 30, outSy: 30 })).toBe(false);
    expect(sparsePays({ ...SEED_CONV1, inDepth: 8 })).toBe(false);
  });

  for (const [n, s] of sparseShapes().entries()) {
    for (const build of ['exact', 'relaxed'] as const) {
      it(`${build} build: ${label(s)}`, () => {
        const { kernel, r, place, w, b, expected, actual } = convBench(s, 900 + n, build);
        const route = kernel.routes.sparse;
        if (!route) throw new Error('no sparse route');
        kernel.prepareInference(w, b);
        const pixels = s.inSx * s.inSy;
        for (const background of [-0.5, 0, 0.8]) {
          for (const count of [0, Math.min(sparseLimit(s), Math.ceil((pixels * s.inDepth) / 5))]) {
            const x = place(onBackground(pixels, s.inDepth, r, background, count));
            kernel.forward(x, w, b, expected);
            const what = `background ${background}, ${count} values off it`;
            actual.fill(NaN);
            expect(route(x, actual), what).toBe(true);
            expect(relativeError(actual, expected), what).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
            expect(route(x, actual, true), what).toBe(true);
            expect(relativeError(actual, expected.map((v) => (v < 0 ? 0 : v))), `${what}, with ReLU`).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
          }
        }
      });
    }
  }
});

describe('WASM conv: the sparse route takes at most its limit, and writes nothing where it declines', () => {
  const s = SEED_CONV1;
  const limit = sparseLimit(s);

  it(`takes ${limit} values off the background of 576 (a third), not ${limit + 1}`, () => {
    const { kernel, r, place, w, b, expected, actual } = convBench(s, 61);
    kernel.prepareInference(w, b);
    const at = place(onBackground(576, 1, r, -0.5, limit));
    kernel.forward(at, w, b, expected);
    expect(kernel.routes.sparse!(at, actual)).toBe(true);
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);

    const past = place(onBackground(576, 1, r, -0.5, limit + 1));
    actual.fill(7);
    expect(kernel.routes.sparse!(past, actual)).toBe(false);
    expect(actual.every((v) => v === 7)).toBe(true);
  });

  it('declines an input once its rows so far are twice as busy as the limit allows (a photo: after its first row)', () => {
    const { kernel, r, place, w, b, actual } = convBench(s, 64);
    kernel.prepareInference(w, b);
    // The first two rows all off the background (47 values, under the limit of 192) and nothing else.
    const x = place(onBackground(576, 1, r, -0.5, 0));
    for (let i = 1; i < 48; i++) x[i] = 0.25;
    expect(kernel.routes.sparse!(x, actual)).toBe(false);
    // The same values in rows 12 and 13, after 12 blank rows, are taken.
    const later = place(onBackground(576, 1, r, -0.5, 0));
    for (let i = 12 * 24; i < 14 * 24 - 1; i++) later[i] = 0.25;
    expect(kernel.routes.sparse!(later, actual)).toBe(true);
  });

  it('declines a background that is not finite', () => {
    const { kernel, r, place, w, b, actual } = convBench(s, 62);
    kernel.prepareInference(w, b);
    for (const background of [Infinity, -Infinity, NaN]) {
      const x = place(onBackground(576, 1, r, background, 10));
      expect(kernel.routes.sparse!(x, actual), `${background}`).toBe(false);
    }
  });

  it('forwardPrepared gives the dense route\'s outputs, bit for bit, for an input it declines', () => {
    expect(winogradRowsPays(s)).toBe(true);
    const { kernel, r, place, w, b, expected, actual } = convBench(s, 63);
    kernel.prepareInference(w, b);
    const busy = place(onBackground(576, 1, r, -0.5, 400));
    kernel.forwardPrepared(busy, actual, true);
    kernel.routes.winogradRows!(busy, expected, true);
    expect(bits(actual)).toEqual(bits(expected));
    // And one it takes comes out of the scatter: the same sums in another order.
    const sparse = place(onBackground(576, 1, r, -0.5, 100));
    kernel.forwardPrepared(sparse, actual, true);
    kernel.routes.winogradRows!(sparse, expected, true);
    expect(bits(actual)).not.toEqual(bits(expected));
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(WINOGRAD_TOLERANCE);
  });
});
