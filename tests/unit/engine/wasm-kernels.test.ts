/**
 * The WebAssembly kernels against the TypeScript reference kernels, on random
 * shapes (odd sizes, strides, padding, filter counts that are not multiples of 4,
 * sparse and dense gradients), plus the memory rules the WASM set relies on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConvShape, PoolShape } from '../../../src/engine/kernels/contract';
import { jsKernels } from '../../../src/engine/kernels/js-blocked';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import type { TrainerSpec } from '../../../src/engine/spec';
import { Trainer } from '../../../src/engine/trainer';
import { Volume } from '../../../src/engine/volume';
import { defaultKernels, kernelsNamed, setDefaultKernels, wasmKernels } from '../../../src/engine/wasm';
import { wasmKernelsWithMemory, type WasmNetKernels } from '../../../src/engine/wasm/kernels';
import { CONV, POOL } from '../../../src/engine/wasm/plans';

/** Kernels on a fresh memory of a few MB, for kernels built outside a Net. */
function wasmSet(): WasmNetKernels {
  const set = wasmKernelsWithMemory(8 << 20);
  if (!set) throw new Error('WebAssembly SIMD is missing: Node 20 has it');
  return set;
}

function random(n: number, rng: Rng, zeroShare = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.random() < zeroShare ? 0 : rng.uniform(-1, 1);
  return out;
}

/** A copy of `values` inside the WASM set's memory. */
function resident(set: WasmNetKernels, values: Float32Array): Float32Array {
  const a = set.allocate(values.length);
  a.set(values);
  return a;
}

/**
 * Elementwise |a - e| <= 1e-4 * (|e| + 1% of the largest |e|): relative, with a
 * floor for sums that cancel to near zero (float32 summation order differs).
 */
function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    const bound = 1e-4 * (Math.abs(expected[i]) + 0.01 * scale);
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      expect.fail(`${what}[${i}]: wasm ${actual[i]}, js ${expected[i]} (bound ${bound.toExponential(2)})`);
    }
  }
}

function randomConvShape(rng: Rng): ConvShape {
  for (;;) {
    const sx = rng.int(1, 6);
    const sy = rng.int(1, 6);
    const stride = rng.int(1, 4);
    const pad = rng.int(0, 3);
    const inSx = rng.int(1, 15);
    const inSy = rng.int(1, 15);
    const outSx = Math.floor((inSx + 2 * pad - sx) / stride) + 1;
    const outSy = Math.floor((inSy + 2 * pad - sy) / stride) + 1;
    if (outSx < 1 || outSy < 1) continue;
    return { inSx, inSy, inDepth: rng.int(1, 10), outSx, outSy, filters: rng.int(1, 21), sx, sy, stride, pad };
  }
}

describe('conv: WASM agrees with TypeScript', () => {
  const shapes: ConvShape[] = [
    // The seed network's two convolutions.
    { inSx: 24, inSy: 24, inDepth: 1, outSx: 24, outSy: 24, filters: 8, sx: 5, sy: 5, stride: 1, pad: 2 },
    { inSx: 12, inSy: 12, inDepth: 8, outSx: 12, outSy: 12, filters: 16, sx: 5, sy: 5, stride: 1, pad: 2 },
  ];
  const rng = new Rng(11);
  for (let i = 0; i < 40; i++) shapes.push(randomConvShape(rng));

  for (const [n, s] of shapes.entries()) {
    const label =
      `${s.inSx}x${s.inSy}x${s.inDepth} -> ${s.filters} filters ${s.sx}x${s.sy}, ` +
      `stride ${s.stride}, pad ${s.pad} (${s.outSx}x${s.outSy})`;
    it(label, () => {
      const r = new Rng(100 + n);
      const set = wasmSet();
      const js = jsKernels.conv(s);
      const wasm = set.conv(s);
      const inSize = s.inSx * s.inSy * s.inDepth;
      const outSize = s.outSx * s.outSy * s.filters;
      const wSize = s.filters * s.sx * s.sy * s.inDepth;
      const w = random(wSize, r);
      const b = random(s.filters, r);
      const wW = resident(set, w);
      const bW = resident(set, b);
      // dw and db start nonzero: backward adds into them.
      const dw = random(wSize, r);
      const db = random(s.filters, r);
      const dwW = resident(set, dw);
      const dbW = resident(set, db);
      // Two passes: the second checks nothing stale survives from the first.
      for (const zeroShare of [0.85, 0]) {
        const x = random(inSize, r);
        const dOut = random(outSize, r, zeroShare);
        const out = new Float32Array(outSize);
        const outW = set.allocate(outSize);
        js.forward(x, w, b, out);
        wasm.forward(resident(set, x), wW, bW, outW);
        expectClose(outW, out, 'out');
        const dx = new Float32Array(inSize);
        const dxW = set.allocate(inSize);
        js.backward(x, w, dOut, dx, dw, db);
        wasm.backward(set.allocate(inSize), wW, resident(set, dOut), dxW, dwW, dbW);
        expectClose(dxW, dx, 'dx');
        expectClose(dwW, dw, 'dw');
        expectClose(dbW, db, 'db');
      }
    });
  }
});

/**
 * The filter gradient as convBackward defines it: per tap, a float32 sum over the output
 * positions (in row order) where the output gradient is nonzero, one rounding per
 * multiply and per add, then added into dw. Every loop of the WASM dwAdd must give it.
 */
function filterGradientInOrder(s: ConvShape, x: Float32Array, dOut: Float32Array, dw0: Float32Array): Float32Array {
  const f32 = Math.fround;
  const fanIn = s.sx * s.sy * s.inDepth;
  const dw = Float32Array.from(dw0);
  for (let f = 0; f < s.filters; f++) {
    const sums = new Float32Array(fanIn);
    for (let oy = 0; oy < s.outSy; oy++) {
      for (let ox = 0; ox < s.outSx; ox++) {
        const g = dOut[(oy * s.outSx + ox) * s.filters + f];
        if (g === 0) continue;
        for (let fy = 0; fy < s.sy; fy++) {
          for (let fx = 0; fx < s.sx; fx++) {
            const iy = oy * s.stride - s.pad + fy;
            const ix = ox * s.stride - s.pad + fx;
            for (let c = 0; c < s.inDepth; c++) {
              const v = iy >= 0 && iy < s.inSy && ix >= 0 && ix < s.inSx ? x[(iy * s.inSx + ix) * s.inDepth + c] : 0;
              const t = (fy * s.sx + fx) * s.inDepth + c;
              sums[t] = f32(sums[t] + f32(g * v));
            }
          }
        }
      }
    }
    for (let t = 0; t < fanIn; t++) dw[f * fanIn + t] = f32(dw[f * fanIn + t] + sums[t]);
  }
  return dw;
}

describe('conv backward: the filter gradient, bit for bit', () => {
  // Filter rows (sx * depth floats) of 3 (float by float), 5-8 (two rows a pass, the last
  // four floats overlapping the first four), 9 and 15 (blocks of 4, then the 1-3 left as
  // the top lanes of the last four), 16 and 40 (blocks of 16).
  const shapes: [number, number, number][] = [[3, 3, 1], [5, 5, 1], [3, 2, 2], [7, 3, 1], [4, 3, 2], [3, 3, 3], [5, 5, 3], [4, 4, 4], [5, 5, 8]];
  for (const [sx, sy, depth] of shapes) {
    it(`${sx}x${sy} filters on ${depth} channel(s): float32 sums over the active positions in order`, () => {
      const set = wasmSet();
      const rng = new Rng(sx * 100 + sy * 10 + depth);
      const s: ConvShape = { inSx: 10, inSy: 9, inDepth: depth, outSx: 10 + 2 - sx + 1, outSy: 9 + 2 - sy + 1, filters: 6, sx, sy, stride: 1, pad: 1 };
      const conv = set.conv(s);
      const x = resident(set, random(s.inSx * s.inSy * depth, rng, 0.3));
      const w = resident(set, random(s.filters * sx * sy * depth, rng));
      const b = resident(set, random(s.filters, rng));
      const out = set.allocate(s.outSx * s.outSy * s.filters);
      conv.forward(x, w, b, out);
      const dOut = resident(set, random(out.length, rng, 0.7));
      const dw0 = random(w.length, rng);
      const dw = resident(set, dw0);
      conv.backward(x, w, dOut, set.allocate(x.length), dw, set.allocate(s.filters));
      expect(Array.from(dw)).toEqual(Array.from(filterGradientInOrder(s, x, dOut, dw0)));
    });
  }
});

describe('fc: WASM agrees with TypeScript', () => {
  const rng = new Rng(12);
  const sizes: [number, number][] = [
    [256, 10],
    [1, 1],
    [3, 5],
  ];
  for (let i = 0; i < 12; i++) sizes.push([rng.int(1, 400), rng.int(1, 18)]);
  for (const [n, m] of sizes) {
    it(`${n} inputs, ${m} neurons`, () => {
      const r = new Rng(n * 31 + m);
      const set = wasmSet();
      const js = jsKernels.fc(n, m);
      const wasm = set.fc(n, m);
      const x = random(n, r);
      const w = random(n * m, r);
      const b = random(m, r);
      const dOut = random(m, r, 0.3);
      const dw = random(n * m, r);
      const db = random(m, r);
      const xW = resident(set, x);
      const wW = resident(set, w);
      const dwW = resident(set, dw);
      const dbW = resident(set, db);
      const out = new Float32Array(m);
      const outW = set.allocate(m);
      js.forward(x, w, b, out);
      wasm.forward(xW, wW, resident(set, b), outW);
      expectClose(outW, out, 'out');
      const dx = new Float32Array(n);
      const dxW = set.allocate(n);
      js.backward(x, w, dOut, dx, dw, db);
      wasm.backward(xW, wW, resident(set, dOut), dxW, dwW, dbW);
      expectClose(dxW, dx, 'dx');
      expectClose(dwW, dw, 'dw');
      expectClose(dbW, db, 'db');
    });
  }
});

describe('pool: WASM matches TypeScript exactly', () => {
  const rng = new Rng(13);
  const shapes: PoolShape[] = [
    { inSx: 24, inSy: 24, depth: 8, outSx: 12, outSy: 12, sx: 2, sy: 2, stride: 2, pad: 0 },
    { inSx: 12, inSy: 12, depth: 16, outSx: 4, outSy: 4, sx: 3, sy: 3, stride: 3, pad: 0 },
  ];
  while (shapes.length < 30) {
    const sx = rng.int(1, 5);
    const sy = rng.int(1, 5);
    const stride = rng.int(1, 4);
    const pad = rng.int(0, Math.min(sx, sy));
    const inSx = rng.int(1, 13);
    const inSy = rng.int(1, 13);
    const outSx = Math.floor((inSx + 2 * pad - sx) / stride) + 1;
    const outSy = Math.floor((inSy + 2 * pad - sy) / stride) + 1;
    if (outSx < 1 || outSy < 1) continue;
    shapes.push({ inSx, inSy, depth: rng.int(1, 11), outSx, outSy, sx, sy, stride, pad });
  }
  for (const [n, s] of shapes.entries()) {
    it(`${s.inSx}x${s.inSy}x${s.depth}, window ${s.sx}x${s.sy}, stride ${s.stride}, pad ${s.pad}`, () => {
      const r = new Rng(200 + n);
      const set = wasmSet();
      const js = jsKernels.pool(s);
      const wasm = set.pool(s);
      const inSize = s.inSx * s.inSy * s.depth;
      const outSize = s.outSx * s.outSy * s.depth;
      // Few distinct values, so windows hold ties and tie-breaking is exercised.
      const x = Float32Array.from({ length: inSize }, () => r.int(-2, 3) * 0.5);
      const out = new Float32Array(outSize);
      const outW = set.allocate(outSize);
      js.forward(x, out);
      wasm.forward(resident(set, x), outW);
      expect(Array.from(outW)).toEqual(Array.from(out));
      expect(Array.from(wasm.switches)).toEqual(Array.from(js.switches));
      const dOut = random(outSize, r);
      const dx = new Float32Array(inSize);
      const dxW = resident(set, random(inSize, r)); // overwritten, not added to
      js.backward(dOut, dx);
      wasm.backward(resident(set, dOut), dxW);
      expect(Array.from(dxW)).toEqual(Array.from(dx));
    });
  }
});

describe('relu: WASM matches TypeScript exactly', () => {
  for (const n of [1, 3, 4, 7, 4608]) {
    it(`${n} values, with -0, 0 and NaN among them`, () => {
      const r = new Rng(n);
      const set = wasmSet();
      const x = random(n, r, 0.2);
      x[0] = -0;
      if (n > 2) x[2] = Number.NaN;
      if (n > 4) x[n - 1] = -0;
      const y = new Float32Array(n);
      const yW = set.allocate(n);
      jsKernels.relu(n).forward(x, y);
      set.relu(n).forward(resident(set, x), yW);
      // Object.is through toEqual on arrays tells -0 from 0 and matches NaN.
      expect(Array.from(yW)).toEqual(Array.from(y));
      const dy = random(n, r);
      const dx = new Float32Array(n);
      const dxW = set.allocate(n);
      jsKernels.relu(n).backward(y, dy, dx);
      set.relu(n).backward(yW, resident(set, dy), dxW);
      expect(Array.from(dxW)).toEqual(Array.from(dx));
    });
  }
});

describe('plans', () => {
  it('use the slot numbers of assembly/plan.ts', () => {
    const source = readFileSync(new URL('../../../assembly/plan.ts', import.meta.url), 'utf8');
    const slots = new Map<string, number>();
    for (const match of source.matchAll(/export const (CONV|POOL)_(\w+) = (\d+);/g)) {
      slots.set(`${match[1]}.${match[2]}`, Number(match[3]));
    }
    const ours = new Map<string, number>();
    for (const [key, value] of Object.entries(CONV)) ours.set(`CONV.${key}`, value);
    for (const [key, value] of Object.entries(POOL)) ours.set(`POOL.${key}`, value);
    expect(slots.size).toBeGreaterThan(30);
    expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(slots));
  });
});

describe('a net on WASM kernels', () => {
  const seed = parseNetwork(SEED_DEFINITION_TEXT);

  it('keeps params, grads and every volume in one memory that never grows', () => {
    const net = new Net(seed.layers, new Rng(3), wasmKernels);
    expect(net.kernels.name).toBe('wasm');
    const buffer = net.params.buffer;
    expect(net.grads.buffer).toBe(buffer);
    for (const layer of net.layers) {
      expect(layer.outAct.w.buffer).toBe(buffer);
      expect(layer.outAct.dw.buffer).toBe(buffer);
    }
    const size = buffer.byteLength;
    const trainer = new Trainer(net, seed.trainer);
    const rng = new Rng(4);
    const x = new Volume(24, 24, 1);
    for (let step = 0; step < 45; step++) {
      for (let i = 0; i < x.w.length; i++) x.w[i] = rng.random() - 0.5;
      trainer.train(x, step % 10);
    }
    // Still the same, attached buffer: a grown memory would have detached it.
    expect(net.params.buffer).toBe(buffer);
    expect(buffer.byteLength).toBe(size);
    expect(net.params.some((v) => v !== 0)).toBe(true);
  });

  it('trains like the same net on TypeScript kernels (one batch, same seed)', () => {
    const nets = [jsKernels, wasmKernels].map((k) => new Net(seed.layers, new Rng(5), k));
    const trainers = nets.map((net) => new Trainer(net, seed.trainer));
    const rng = new Rng(6);
    const x = new Volume(24, 24, 1);
    for (let step = 0; step < 20; step++) {
      for (let i = 0; i < x.w.length; i++) x.w[i] = rng.random();
      const losses = trainers.map((t) => t.train(x, step % 10).loss);
      expect(losses[1]).toBeCloseTo(losses[0], 5);
    }
    expectClose(nets[1].params, nets[0].params, 'params after one update');
  });

  it('rejects arrays that live outside its memory, saying why', () => {
    const set = wasmSet();
    const relu = set.relu(4);
    expect(() => relu.forward(new Float32Array(4), set.allocate(4))).toThrow(/own memory/);
  });

  it('gives up on a memory larger than wasm32 allows (Net then falls back to TypeScript)', () => {
    expect(wasmKernelsWithMemory(2 ** 33)).toBeNull();
  });
});

describe('the fused update', () => {
  const seed = parseNetwork(SEED_DEFINITION_TEXT);
  // Ranges of odd lengths (27 and 3 conv weights and biases, 75 and 5 fc ones): the
  // update's last parameter of each range takes its one-lane path.
  const odd = parseNetwork(`layer_defs = [];
layer_defs.push({type:'input', out_sx:5, out_sy:5, out_depth:1});
layer_defs.push({type:'conv', sx:3, filters:3, stride:1, pad:1, activation:'relu'});
layer_defs.push({type:'pool', sx:5, stride:5});
layer_defs.push({type:'fc', num_neurons:5, activation:'tanh'});
layer_defs.push({type:'softmax', num_classes:3});
`);
  const methods: [string, Partial<TrainerSpec>][] = [
    ['sgd', { method: 'sgd', momentum: 0 }],
    ['sgd with momentum', { method: 'sgd', momentum: 0.9 }],
    ['nesterov', { method: 'nesterov' }],
    ['adagrad', { method: 'adagrad' }],
    ['windowgrad', { method: 'windowgrad' }],
    ['adadelta', { method: 'adadelta' }],
    ['adam', { method: 'adam', eps: 1e-8 }],
  ];
  for (const [name, options] of methods) for (const [netName, parsed] of [['seed', seed], ['odd-sized', odd]] as const) {
    it(`${name}, ${netName} net: the same parameters, accumulators and decay losses, bit for bit, as the TypeScript loop`, () => {
      const spec = { ...seed.trainer, ...options, batch_size: 3, l1_decay: 1e-3, l2_decay: 1e-2, learning_rate: 0.05 };
      const fusedNet = new Net(parsed.layers, new Rng(8), wasmKernels);
      const loopNet = new Net(parsed.layers, new Rng(8), wasmKernels);
      const fused = new Trainer(fusedNet, spec);
      // The same net seen without its kernels: the trainer runs its own loop.
      const { params, grads, paramGroups } = loopNet;
      const loop = new Trainer(
        { params, grads, paramGroups, forward: (x, t) => loopNet.forward(x, t), backward: (y) => loopNet.backward(y) },
        spec,
      );
      const rng = new Rng(9);
      const { sx, sy, depth } = fusedNet.inputShape;
      const classes = fusedNet.outputShape.depth;
      const x = new Volume(sx, sy, depth);
      for (let step = 0; step < 10; step++) {
        for (let i = 0; i < x.w.length; i++) x.w[i] = rng.random() - 0.2;
        const a = fused.train(x, step % classes);
        const b = loop.train(x, step % classes);
        expect(a.loss).toBe(b.loss);
        expect(a.l2DecayLoss).toBe(b.l2DecayLoss);
        expect(a.l1DecayLoss).toBe(b.l1DecayLoss);
      }
      expect(fusedNet.params).toEqual(loopNet.params);
      const [sa, sb] = [fused.getState(), loop.getState()];
      expect(sa.gsum).toEqual(sb.gsum);
      expect(sa.xsum).toEqual(sb.xsum);
      expect(sa.l2DecayLoss).toBeGreaterThan(0);
    });
  }
});

describe('choosing kernels', () => {
  it('defaults to WASM where SIMD runs (Node 20), and can be pinned to js', () => {
    expect(defaultKernels().name).toBe(process.env.ENGINE_KERNELS === 'js' ? 'js' : 'wasm');
    try {
      setDefaultKernels('js');
      expect(new Net(parseNetwork(SEED_DEFINITION_TEXT).layers, new Rng(1)).kernels.name).toBe('js');
      setDefaultKernels('wasm');
      expect(new Net(parseNetwork(SEED_DEFINITION_TEXT).layers, new Rng(1)).kernels.name).toBe('wasm');
    } finally {
      setDefaultKernels(process.env.ENGINE_KERNELS === 'js' ? 'js' : 'auto');
    }
    expect(kernelsNamed('js')).toBe(jsKernels);
    expect(kernelsNamed('wasm')).toBe(wasmKernels);
  });
});
