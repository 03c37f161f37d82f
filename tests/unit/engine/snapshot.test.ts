import { describe, expect, it } from 'vitest';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import { netFromJSON, netToJSON, SnapshotError, type ConvNetJSSnapshot } from '../../../src/engine/snapshot';
import { LIMITS } from '../../../src/engine/spec';

/** input 6x6x2 -> conv 3x3x3 pad 1 -> relu -> pool 2 -> fc 4 -> dropout -> softmax 4 (fc 4 inserted). */
const DEFS = [
  { type: 'input', out_sx: 6, out_sy: 6, out_depth: 2 },
  { type: 'conv', sx: 3, filters: 3, stride: 1, pad: 1, activation: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'fc', num_neurons: 4, drop_prob: 0.25 },
  { type: 'softmax', num_classes: 4 },
];
// Layer indices after desugaring.
const CONV = 1;
const POOL = 3;
const FC = 4;
const DROPOUT = 5;
const SOFTMAX = 7;

function snapshot(): ConvNetJSSnapshot {
  return netToJSON(Net.fromDefs(DEFS, new Rng(21)));
}

/** A mutable deep copy of the valid snapshot, typed loosely so tests can break it. */
type Loose = { layers: any[] };
function broken(mutate: (s: Loose) => void): Loose {
  const s = JSON.parse(JSON.stringify(snapshot())) as Loose;
  mutate(s);
  return s;
}

/** Loading must fail with a SnapshotError whose message matches, and must draw nothing from the rng. */
function expectRejected(json: unknown, message: RegExp, where: { layerIndex?: number; field?: string } = {}): void {
  const rng = new Rng(5);
  const before = rng.getState();
  let error: unknown = null;
  try {
    netFromJSON(json, rng);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SnapshotError);
  const e = error as SnapshotError;
  expect(e.message).toMatch(message);
  if (where.layerIndex !== undefined) expect(e.layerIndex).toBe(where.layerIndex);
  if (where.field !== undefined) expect(e.field).toBe(where.field);
  // Building a net draws initial weights from the rng: an untouched rng means nothing was built.
  expect(rng.getState()).toEqual(before);
}

describe('snapshot format', () => {
  it('writes one ConvNetJS layer object per desugared layer, weights as plain arrays', () => {
    const s = snapshot();
    expect(s.layers.map((l) => l.layer_type)).toEqual(['input', 'conv', 'relu', 'pool', 'fc', 'dropout', 'fc', 'softmax']);
    const conv = s.layers[CONV];
    expect(conv).toMatchObject({ sx: 3, sy: 3, stride: 1, pad: 1, in_depth: 2, out_sx: 6, out_sy: 6, out_depth: 3 });
    if (conv.layer_type !== 'conv') throw new Error('expected conv');
    expect(conv.filters).toHaveLength(3);
    expect(conv.filters[0]).toMatchObject({ sx: 3, sy: 3, depth: 2 });
    expect(Array.isArray(conv.filters[0].w)).toBe(true);
    expect(conv.filters[0].w).toHaveLength(18);
    expect(conv.biases).toMatchObject({ sx: 1, sy: 1, depth: 3 });
    expect(s.layers[FC]).toMatchObject({ num_inputs: 27, out_depth: 4 });
    expect(s.layers[DROPOUT]).toMatchObject({ drop_prob: 0.25 });
    expect(s.layers[SOFTMAX]).toMatchObject({ num_inputs: 4, out_depth: 4, out_sx: 1, out_sy: 1 });
  });

  it('round-trips ours -> ours bit for bit', () => {
    const net = Net.fromDefs(DEFS, new Rng(21));
    const text = JSON.stringify(netToJSON(net));
    const loaded = netFromJSON(text, new Rng(99));
    expect(new Uint32Array(loaded.params.buffer)).toEqual(new Uint32Array(net.params.buffer));
    expect(loaded.specs.map((s) => [s.type, s.in, s.out])).toEqual(net.specs.map((s) => [s.type, s.in, s.out]));
    expect(JSON.stringify(netToJSON(loaded))).toBe(text);
  });

  it('accepts w as the index-keyed object JSON.stringify makes of a Float32Array', () => {
    const net = Net.fromDefs(DEFS, new Rng(21));
    const withTypedArrays = broken((s) => {
      for (const layer of s.layers) {
        for (const vol of [...(layer.filters ?? []), ...(layer.biases ? [layer.biases] : [])]) {
          vol.w = Float32Array.from(vol.w as number[]);
        }
      }
    });
    const text = JSON.stringify(withTypedArrays);
    expect(text).toContain('"w":{"0":');
    const loaded = netFromJSON(text);
    expect(Array.from(loaded.params)).toEqual(Array.from(net.params));
  });
});

describe('snapshot validation', () => {
  it('rejects a value that is not a snapshot', () => {
    expectRejected(null, /expected an object with a 'layers' array/);
    expectRejected({ layers: 'nope' }, /expected an object with a 'layers' array/);
    expectRejected('{"layers": [', /not valid JSON/);
    expectRejected({ layers: [snapshot().layers[0]] }, /at least an input layer and a loss layer/);
  });

  it('rejects an unknown layer_type, naming it and what is supported', () => {
    expectRejected(
      broken((s) => {
        s.layers[2].layer_type = 'quadtransform';
      }),
      /snapshot layer 2 \(quadtransform\): layer_type 'quadtransform' is not supported; expected one of input, conv/,
      { layerIndex: 2, field: 'layer_type' },
    );
  });

  it('rejects a missing field', () => {
    expectRejected(
      broken((s) => {
        delete s.layers[CONV].sx;
      }),
      /snapshot layer 1 \(conv\): sx is missing/,
      { layerIndex: CONV, field: 'sx' },
    );
    expectRejected(
      broken((s) => {
        delete s.layers[DROPOUT].drop_prob;
      }),
      /layer 5 \(dropout\): drop_prob is missing/,
    );
    expectRejected(
      broken((s) => {
        delete s.layers[FC].biases;
      }),
      /layer 4 \(fc\): biases must be a volume object/,
    );
  });

  it('rejects a wrong weight count', () => {
    expectRejected(
      broken((s) => {
        s.layers[CONV].filters[1].w.pop();
      }),
      /layer 1 \(conv\): filters\[1\]\.w has 17 values; expected 18 \(3x3x2\)/,
      { layerIndex: CONV, field: 'filters[1].w' },
    );
    expectRejected(
      broken((s) => {
        s.layers[FC].biases.w.push(0);
      }),
      /layer 4 \(fc\): biases\.w has 5 values; expected 4/,
    );
    expectRejected(
      broken((s) => {
        s.layers[FC].filters.pop();
      }),
      /layer 4 \(fc\): filters has 3 volumes; expected 4 \(out_depth\)/,
    );
    expectRejected(
      broken((s) => {
        s.layers[CONV].filters[0].sx = 2;
      }),
      /layer 1 \(conv\): filters\[0\] is 2x3x2 \(sx x sy x depth\); expected 3x3x2/,
    );
    expectRejected(
      broken((s) => {
        s.layers[CONV].filters[0].w = 'abc';
      }),
      /filters\[0\]\.w must be an array of numbers or an index-keyed object/,
    );
  });

  it('rejects NaN, Infinity and out-of-range weights', () => {
    // JSON.stringify writes NaN as null.
    expectRejected(
      JSON.stringify(
        broken((s) => {
          s.layers[CONV].filters[2].w[4] = Number.NaN;
        }),
      ),
      /layer 1 \(conv\): filters\[2\]\.w\[4\] is null; weights must be finite numbers/,
    );
    expectRejected(
      broken((s) => {
        s.layers[FC].filters[0].w[0] = Number.NaN;
      }),
      /layer 4 \(fc\): filters\[0\]\.w\[0\] is NaN/,
    );
    expectRejected(
      broken((s) => {
        s.layers[FC].biases.w[3] = Number.POSITIVE_INFINITY;
      }),
      /biases\.w\[3\] is Infinity/,
    );
    expectRejected(
      broken((s) => {
        s.layers[FC].biases.w[1] = '0.5';
      }),
      /biases\.w\[1\] is "0\.5"; weights must be finite numbers/,
    );
    expectRejected(
      broken((s) => {
        s.layers[FC].biases.w[1] = 1e39;
      }),
      /biases\.w\[1\] is 1e\+39, outside the float32 range/,
    );
    expectRejected(
      broken((s) => {
        const w = s.layers[FC].biases.w as number[];
        s.layers[FC].biases.w = { '0': w[0], '1': w[1], '2': w[2], x: w[3] };
      }),
      /biases\.w\[3\] is missing/,
    );
  });

  it('rejects sizes that do not chain', () => {
    expectRejected(
      broken((s) => {
        s.layers[CONV].in_depth = 3;
      }),
      /layer 1 \(conv\): in_depth is 3, but the previous layer gives 2/,
      { field: 'in_depth' },
    );
    expectRejected(
      broken((s) => {
        s.layers[CONV].out_sx = 5;
      }),
      /layer 1 \(conv\): out_sx is 5, but sx 3, stride 1 and pad 1 on an input 6 wide gives 6/,
    );
    expectRejected(
      broken((s) => {
        s.layers[POOL].stride = 3;
      }),
      /layer 3 \(pool\): out_sx is 3, but sx 2, stride 3 and pad 0 on an input 6 wide gives 2/,
    );
    expectRejected(
      broken((s) => {
        s.layers[FC].num_inputs = 26;
      }),
      /layer 4 \(fc\): num_inputs is 26, but the previous layer's output 3x3x3 gives 27/,
    );
    expectRejected(
      broken((s) => {
        s.layers[2].out_depth = 4;
      }),
      /layer 2 \(relu\): out_depth is 4, but an elementwise layer on an input of 6x6x3 gives 3/,
    );
    expectRejected(
      broken((s) => {
        s.layers[CONV].sx = 9;
        s.layers[CONV].filters.forEach((f: { sx: number }) => (f.sx = 9));
      }),
      /layer 1 \(conv\): sx 9 is larger than the padded input \(6 \+ 2\*1 = 8\)/,
    );
  });

  it('rejects a layer order no net can run', () => {
    expectRejected(
      broken((s) => {
        s.layers.shift();
      }),
      /layer 0 \(conv\): layer_type must be 'input' for the first layer/,
    );
    expectRejected(
      broken((s) => {
        s.layers.pop();
      }),
      /layer 6 \(fc\): layer_type 'fc' cannot be the last layer/,
    );
    expectRejected(
      broken((s) => {
        s.layers.splice(2, 0, { layer_type: 'softmax', out_sx: 1, out_sy: 1, out_depth: 108, num_inputs: 108 });
      }),
      /layer 2 \(softmax\): layer_type 'softmax' is a loss layer and may only be the last layer/,
    );
  });

  it('rejects sizes over the limits before reading any weights', () => {
    expectRejected(
      broken((s) => {
        s.layers[0].out_sx = 100_000;
        s.layers[0].out_sy = 100_000;
      }),
      new RegExp(`layer 0 \\(input\\): output 100000x100000x2 = 20000000000 values is over the limit of ${LIMITS.maxLayerActivations}`),
    );
    const neurons = Math.ceil(LIMITS.maxParams / 27) + 1;
    expectRejected(
      broken((s) => {
        s.layers[FC].out_depth = neurons;
      }),
      new RegExp(`layer 4 \\(fc\\): its \\d+ parameters bring the total to \\d+, over the limit of ${LIMITS.maxParams}`),
    );
    expectRejected({ layers: new Array(LIMITS.maxLayers + 1).fill({}) }, /over the limit of/);
  });

  it('rejects out-of-range layer settings', () => {
    expectRejected(
      broken((s) => {
        s.layers[DROPOUT].drop_prob = 1;
      }),
      /layer 5 \(dropout\): drop_prob must be in \[0, 1\), got 1/,
    );
    expectRejected(
      broken((s) => {
        s.layers[CONV].stride = 0;
      }),
      /layer 1 \(conv\): stride must be an integer >= 1, got 0/,
    );
    expectRejected(
      broken((s) => {
        s.layers[CONV].l2_decay_mul = 'x';
      }),
      /layer 1 \(conv\): l2_decay_mul must be a finite number, got "x"/,
    );
  });

  it('fills the fields ConvNetJS fromJSON defaults (pad, decay multipliers)', () => {
    const s = broken((snap) => {
      delete snap.layers[CONV].pad;
      snap.layers[CONV].out_sx = 4;
      snap.layers[CONV].out_sy = 4;
      snap.layers[2].out_sx = 4;
      snap.layers[2].out_sy = 4;
      snap.layers[POOL].out_sx = 2;
      snap.layers[POOL].out_sy = 2;
      snap.layers[FC].num_inputs = 12;
      snap.layers[FC].filters.forEach((f: { depth: number; w: number[] }) => {
        f.depth = 12;
        f.w = f.w.slice(0, 12);
      });
      delete snap.layers[FC].l1_decay_mul;
      delete snap.layers[FC].l2_decay_mul;
    });
    const net = netFromJSON(s);
    const conv = net.specs[CONV];
    const fc = net.specs[FC];
    expect(conv.type === 'conv' && conv.pad).toBe(0);
    expect(fc.type === 'fc' && [fc.l1DecayMul, fc.l2DecayMul]).toEqual([1, 1]);
  });
});
