/**
 * Backward without the gradient on the network's input (what training runs): the
 * parameter gradients are the full backward's bit for bit, the input's gradient is left
 * unwritten, and completeInputGradient later gives exactly what the full backward gave,
 * leaving the parameter gradients as they were.
 */
import { describe, expect, it } from 'vitest';
import type { Kernels } from '../../../src/engine/kernels/contract';
import type { LayerDef } from '../../../src/engine/spec';
import { Net } from '../../../src/engine/net';
import { SEED_LAYER_DEFS } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Volume } from '../../../src/engine/volume';
import { randomVolume } from './gradcheck';
import { KERNEL_SETS } from './kernel-sets';

const FIRST_LAYERS: Record<string, LayerDef[]> = {
  'conv first (the seed network)': [...SEED_LAYER_DEFS],
  'conv first, three channels, stride 2': [
    { type: 'input', out_sx: 11, out_sy: 9, out_depth: 3 },
    { type: 'conv', sx: 3, filters: 5, stride: 2, pad: 1, activation: 'relu' },
    { type: 'softmax', num_classes: 4 },
  ],
  'fc first': [
    { type: 'input', out_sx: 6, out_sy: 5, out_depth: 2 },
    { type: 'fc', num_neurons: 7, activation: 'tanh' },
    { type: 'softmax', num_classes: 3 },
  ],
  'relu first (no kernel skips it)': [
    { type: 'input', out_sx: 4, out_sy: 4, out_depth: 2 },
    { type: 'relu' },
    { type: 'fc', num_neurons: 5 },
    { type: 'softmax', num_classes: 3 },
  ],
};

const SENTINEL = 7.25;

/** The bytes of a view (the WASM set's arrays are views of one memory). */
const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function twin(defs: LayerDef[], kernels: Kernels): Net {
  return Net.fromDefs(structuredClone(defs), new Rng(11), kernels);
}

describe.each(KERNEL_SETS)('backward without the input gradient, %s kernels', (_name, kernels) => {
  it.each(Object.entries(FIRST_LAYERS))('%s', (_case, defs) => {
    const full = twin(defs, kernels);
    const lean = twin(defs, kernels);
    const rng = new Rng(3);
    // A few steps first, so the gradients are summed into nonzero ones, as in a batch.
    for (let step = 0; step < 3; step++) {
      const x = randomVolume(full.inputShape, rng, -0.5, 0.5);
      const label = step % 2;
      const leanX = new Volume(x.sx, x.sy, x.depth, x.w.slice());
      leanX.dw.fill(SENTINEL);
      lean.layers[0].outAct.dw.fill(SENTINEL);
      full.forward(x, true);
      lean.forward(leanX, true);
      const fullLoss = full.backward(label);
      const leanLoss = lean.backward(label, false);
      expect(leanLoss).toBe(fullLoss);
      expect(bytes(lean.grads).equals(bytes(full.grads)), 'parameter gradients').toBe(true);
      const untouched = lean.layers[1].spec.type === 'relu' ? 0 : leanX.dw.length;
      expect(leanX.dw.filter((v) => v === SENTINEL).length, "the caller's input gradient is not written").toBe(leanX.dw.length);
      expect(lean.layers[0].outAct.dw.filter((v) => v === SENTINEL).length, "the input layer's gradient").toBe(untouched);

      const grads = lean.grads.slice();
      lean.completeInputGradient();
      expect(bytes(lean.grads).equals(bytes(grads)), 'parameter gradients after completing').toBe(true);
      expect(Array.from(leanX.dw)).toEqual(Array.from(x.dw));
      expect(Array.from(lean.layers[0].outAct.dw)).toEqual(Array.from(full.layers[0].outAct.dw));
      expect(x.dw.some((v) => v !== 0)).toBe(true);
    }
  });
});
