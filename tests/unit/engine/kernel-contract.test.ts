/**
 * The kernel contract: its tables agree with the AssemblyScript update, and the
 * register-blocked TypeScript kernels compute what the plain-loop reference computes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  UPDATE_HYPER_SLOT_COUNT,
  UPDATE_RESULT_SLOTS,
  UPDATE_RULES,
  UPDATE_STEP_SLOTS,
  type ConvShape,
  type DenseKernel,
} from '../../../src/engine/kernels/contract';
import { jsKernels } from '../../../src/engine/kernels/js-blocked';
import { referenceKernels } from '../../../src/engine/kernels/js-reference';
import { Rng } from '../../../src/engine/rng';

/** `const NAME = 12;` lines of assembly/update.ts, by name. */
function assemblyConstants(): Map<string, number> {
  const source = readFileSync(new URL('../../../assembly/update.ts', import.meta.url), 'utf8');
  const constants = new Map<string, number>();
  for (const match of source.matchAll(/^const (\w+) = (\d+);/gm)) constants.set(match[1], Number(match[2]));
  return constants;
}

describe('the update tables', () => {
  const constants = assemblyConstants();

  it('number the update rules as assembly/update.ts does', () => {
    const rules = Object.entries(UPDATE_RULES).map(([name, code]) => [name.toUpperCase(), code]);
    expect(rules).toHaveLength(7);
    for (const [name, code] of rules) expect(constants.get(name as string), `rule ${name}`).toBe(code);
  });

  it('place the hyperparameters in the slots assembly/update.ts reads', () => {
    // The assembly's names: upper snake case, LR for the learning rate, and MOMENTUM_COEF
    // for the momentum (MOMENTUM there is the rule).
    const special: Record<string, string> = { learningRate: 'LR', momentum: 'MOMENTUM_COEF' };
    const assemblyName = (field: string): string => special[field] ?? field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    const slots = Object.entries({ ...UPDATE_STEP_SLOTS, ...UPDATE_RESULT_SLOTS });
    expect(slots.length).toBeGreaterThanOrEqual(13);
    for (const [field, slot] of slots) expect(constants.get(assemblyName(field)), `slot of ${field}`).toBe(slot);
    expect(UPDATE_HYPER_SLOT_COUNT).toBe(Math.max(...slots.map(([, slot]) => slot)) + 1);
  });
});

function random(n: number, rng: Rng, zeroShare = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.random() < zeroShare ? 0 : rng.uniform(-1, 1);
  return out;
}

/** |a - e| <= 1e-4 * (|e| + 1% of the largest |e|): the two sets sum in different orders. */
function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    const bound = 1e-4 * (Math.abs(expected[i]) + 0.01 * scale);
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      expect.fail(`${what}[${i}]: blocked ${actual[i]}, reference ${expected[i]} (bound ${bound.toExponential(2)})`);
    }
  }
}

/** Runs forward and backward on both kernels from the same values and compares every output. */
function compareDense(blocked: DenseKernel, reference: DenseKernel, sizes: { x: number; w: number; b: number; out: number }, seed: number): void {
  const r = new Rng(seed);
  const w = random(sizes.w, r);
  const b = random(sizes.b, r);
  // dw and db start nonzero: backward adds into them.
  const dw = random(sizes.w, r);
  const db = random(sizes.b, r);
  const [dwRef, dbRef] = [dw.slice(), db.slice()];
  // Sparse gradients first (the blocked set skips zeros), then dense.
  for (const zeroShare of [0.85, 0]) {
    const x = random(sizes.x, r);
    const dOut = random(sizes.out, r, zeroShare);
    const [out, outRef] = [new Float32Array(sizes.out), new Float32Array(sizes.out)];
    blocked.forward(x, w, b, out);
    reference.forward(x, w, b, outRef);
    expectClose(out, outRef, 'out');
    const [dx, dxRef] = [new Float32Array(sizes.x).fill(7), new Float32Array(sizes.x).fill(-7)];
    blocked.backward(x, w, dOut, dx, dw, db);
    reference.backward(x, w, dOut, dxRef, dwRef, dbRef);
    expectClose(dx, dxRef, 'dx');
    expectClose(dw, dwRef, 'dw');
    expectClose(db, dbRef, 'db');
  }
}

describe('register-blocked kernels against the plain-loop reference', () => {
  const rng = new Rng(21);
  const convShapes: ConvShape[] = [{ inSx: 24, inSy: 24, inDepth: 1, outSx: 24, outSy: 24, filters: 8, sx: 5, sy: 5, stride: 1, pad: 2 }];
  while (convShapes.length < 16) {
    const [sx, sy, stride, pad] = [rng.int(1, 6), rng.int(1, 6), rng.int(1, 4), rng.int(0, 3)];
    const [inSx, inSy] = [rng.int(1, 12), rng.int(1, 12)];
    const outSx = Math.floor((inSx + 2 * pad - sx) / stride) + 1;
    const outSy = Math.floor((inSy + 2 * pad - sy) / stride) + 1;
    if (outSx < 1 || outSy < 1) continue;
    convShapes.push({ inSx, inSy, inDepth: rng.int(1, 6), outSx, outSy, filters: rng.int(1, 11), sx, sy, stride, pad });
  }
  for (const [n, s] of convShapes.entries()) {
    it(`conv ${s.inSx}x${s.inSy}x${s.inDepth} -> ${s.filters} filters ${s.sx}x${s.sy}, stride ${s.stride}, pad ${s.pad}`, () => {
      const sizes = {
        x: s.inSx * s.inSy * s.inDepth,
        w: s.filters * s.sx * s.sy * s.inDepth,
        b: s.filters,
        out: s.outSx * s.outSy * s.filters,
      };
      compareDense(jsKernels.conv(s), referenceKernels.conv(s), sizes, 300 + n);
    });
  }

  for (const [n, m] of [[256, 10], [1, 1], [3, 5], [97, 7], [40, 13]] as const) {
    it(`fc ${n} inputs, ${m} neurons`, () => {
      compareDense(jsKernels.fc(n, m), referenceKernels.fc(n, m), { x: n, w: n * m, b: m, out: m }, n * 31 + m);
    });
  }

  it('relu: the same values and gradients', () => {
    const r = new Rng(5);
    const x = random(200, r);
    x[3] = 0;
    const [y, yRef] = [new Float32Array(200), new Float32Array(200)];
    jsKernels.relu(200).forward(x, y);
    referenceKernels.relu(200).forward(x, yRef);
    expect(y).toEqual(yRef);
    const dy = random(200, r);
    const [dx, dxRef] = [new Float32Array(200), new Float32Array(200)];
    jsKernels.relu(200).backward(y, dy, dx);
    referenceKernels.relu(200).backward(yRef, dy, dxRef);
    expect(dx).toEqual(dxRef);
  });
});
