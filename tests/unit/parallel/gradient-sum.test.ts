import { describe, expect, it } from 'vitest';
import { GradientSum } from '../../../src/parallel/gradient-sum';
import { Rng } from '../../../src/engine/rng';

/** Gradients of every size class float32 has: large, tiny, subnormal, signed zeros, cancelling pairs. */
function gradients(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const kind = i % 6;
    const x = rng.random() * 2 - 1;
    out[i] = kind === 0 ? x * 1e3 : kind === 1 ? x * 1e-30 : kind === 2 ? x * 1e-40 : kind === 3 ? (x < 0 ? -0 : 0) : kind === 4 ? x / 3 : x * 1e7;
  }
  return out;
}

/** The sum as the coordinator always did it: one source after another, rounded to float32 at each step. */
function sequential(target: Float32Array, sources: Float32Array[]): Float32Array {
  const out = target.slice();
  for (const source of sources) for (let j = 0; j < out.length; j++) out[j] = Math.fround(out[j] + source[j]);
  return out;
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

describe('GradientSum', () => {
  it('gives the bits of the sequential float32 sum for 1, 2 and 3 sources (2, 3 and 4 workers), any length', () => {
    const rng = new Rng(7);
    const simd = new GradientSum();
    const plain = new GradientSum(false);
    for (const n of [1, 3, 4, 5, 5994, 70001]) {
      for (const count of [1, 2, 3]) {
        const target = gradients(rng, n);
        const sources = Array.from({ length: count }, () => gradients(rng, n));
        const want = sequential(target, sources);
        for (const summer of [simd, plain]) {
          const got = target.slice();
          summer.sumInto(got, sources);
          expect(bits(got)).toEqual(bits(want));
        }
      }
    }
  });

  it('reads sources in shared memory and keeps the order of the sources', () => {
    const n = 10;
    const target = new Float32Array(n).fill(1);
    const big = new Float32Array(new SharedArrayBuffer(4 * n)).fill(2 ** 24);
    const small = new Float32Array(n).fill(1);
    // (1 + 2^24) rounds to 2^24 and then + 1 again rounds down; (1 + 1) + 2^24 is exact.
    new GradientSum().sumInto(target, [big, small]);
    expect(target[0]).toBe(2 ** 24);
    const other = new Float32Array(n).fill(1);
    new GradientSum().sumInto(other, [small, big]);
    expect(other[0]).toBe(2 ** 24 + 2);
  });

  it('refuses gradients of another length, naming both', () => {
    expect(() => new GradientSum().sumInto(new Float32Array(4), [new Float32Array(3)])).toThrow(
      'a replica returned 3 gradients for a network of 4 parameters',
    );
  });
});
