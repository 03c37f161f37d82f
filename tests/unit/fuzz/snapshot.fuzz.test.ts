/**
 * Fuzzing the snapshot importer: netFromJSON on mutated real snapshots (truncated and
 * resized arrays, NaN and Infinity, huge dimensions, deep nesting, wrong types, index-keyed
 * weights with gaps) and parseSnapshotText on damaged snapshot files. A rejection is a
 * SnapshotError naming the layer and field, within the per-case time bound, and builds
 * nothing; an accepted snapshot loads within the memory caps and round-trips bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Net } from '../../../src/engine/net';
import { SEED_LAYER_DEFS } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import {
  SnapshotError,
  netFromJSON,
  netToJSON,
  parseSnapshotText,
  type ConvNetJSSnapshot,
} from '../../../src/engine/snapshot';
import { LIMITS } from '../../../src/engine/spec';
import { expectWithinCaps } from './caps';
import {
  allPaths,
  applyMutation,
  applyTextEdit,
  expectSafeOutcome,
  fuzzParams,
  mutation,
  outcomeOf,
  runsFor,
  textEdit,
  timeoutFor,
  type Path,
} from './fuzz-support';

/** Small nets covering every layer type a snapshot can hold, plus the seed network. */
const SOURCE_DEFS: readonly (readonly object[])[] = [
  SEED_LAYER_DEFS,
  [
    { type: 'input', out_sx: 5, out_sy: 4, out_depth: 2 },
    { type: 'conv', sx: 3, sy: 2, filters: 3, stride: 2, pad: 1, activation: 'relu', l1_decay_mul: 0.5 },
    { type: 'pool', sx: 2, stride: 1 },
    { type: 'fc', num_neurons: 6, activation: 'maxout', group_size: 2, drop_prob: 0.3 },
    { type: 'softmax', num_classes: 3 },
  ],
  [
    { type: 'input', out_sx: 3, out_sy: 3, out_depth: 4 },
    { type: 'lrn', k: 1, n: 3, alpha: 0.1, beta: 0.75 },
    { type: 'fc', num_neurons: 4, activation: 'sigmoid' },
    { type: 'tanh' },
    { type: 'svm', num_classes: 4 },
  ],
  [
    { type: 'input', out_sx: 1, out_sy: 1, out_depth: 3 },
    { type: 'fc', num_neurons: 2 },
    { type: 'regression', num_neurons: 2 },
  ],
];

/** Plain JSON snapshots (as a file would hold them), one per source net. */
const SNAPSHOTS: readonly ConvNetJSSnapshot[] = SOURCE_DEFS.map(
  (defs, i) => JSON.parse(JSON.stringify(netToJSON(Net.fromDefs(defs, new Rng(100 + i))))) as ConvNetJSSnapshot,
);
const SNAPSHOT_TEXTS = SNAPSHOTS.map((s) => JSON.stringify(s));

/** Paths into the layer structure, not into the weight values themselves. */
const structurePaths = (root: unknown): Path[] => allPaths(root, (path) => path[path.length - 1] === 'w');
/**
 * Structure paths plus a few weight values of each volume (first, second, last): the
 * importer checks every value the same way, and listing all of them would make the
 * seed net's six thousand weights drown out its structure.
 */
const anyPath = (root: unknown): Path[] => {
  const paths = structurePaths(root);
  for (const path of [...paths]) {
    if (path[path.length - 1] !== 'w') continue;
    const w = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
    if (!Array.isArray(w) || w.length === 0) continue;
    for (const i of new Set([0, 1, w.length - 1])) if (i < w.length) paths.push([...path, i]);
  }
  return paths;
};

/** The import a session would make: the net it holds must not change, and the rng must not be drawn from. */
function checkImport(load: (rng: Rng) => Net): void {
  const held = Net.fromDefs(SOURCE_DEFS[1]!, new Rng(9));
  const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);
  const heldBits = bitsOf(held.params).slice();
  const rng = new Rng(3);
  const rngBefore = rng.getState();
  const outcome = outcomeOf(() => load(rng));
  const error = expectSafeOutcome(outcome, SnapshotError);
  // A rejected or accepted import never writes into a net built before it.
  expect(bitsOf(held.params)).toEqual(heldBits);
  if (error !== null) {
    // Root-level problems say "snapshot:"; any layer problem names the layer, and the field when it has one.
    if (error.layerIndex === undefined) {
      expect(error.message).toMatch(/^snapshot: /);
    } else {
      expect(error.message).toMatch(new RegExp(`^snapshot layer ${error.layerIndex}\\b`));
      if (error.field !== undefined) expect(error.message).toContain(error.field.replace(/\[\d+\]$/, ''));
    }
    // Building a net draws its initial weights from the rng: untouched means nothing was built.
    expect(rng.getState()).toEqual(rngBefore);
    return;
  }
  if (!outcome.ok) return;
  const net = outcome.value;
  // netFromJSON built it already; its weights may be any finite float32, so no forward check.
  expectWithinCaps(net.specs, false);
  for (const v of net.params) expect(Number.isFinite(v)).toBe(true);
  // What loaded is what saves: export and load again, value for value. (Bit for bit but
  // for the sign of zero: JSON has no -0, so a -0 weight saves as 0, the same in arithmetic.)
  const again = netFromJSON(JSON.parse(JSON.stringify(netToJSON(net))), new Rng(4));
  const mismatch = again.params.findIndex((v, i) => v !== net.params[i]);
  expect(mismatch, `weight ${mismatch} changed in a save/load round trip`).toBe(-1);
}

const RUNS = runsFor(300);
const scopedMutation = fc.record({ m: mutation, anywhere: fc.boolean() });

describe('fuzz: snapshot import', () => {
  it(
    'mutated snapshots load within the caps or are rejected naming layer and field, building nothing',
    () => {
      fc.assert(
        fc.property(
          fc.nat({ max: SNAPSHOTS.length - 1 }),
          fc.array(scopedMutation, { minLength: 1, maxLength: 5 }),
          (which, mutations) => {
            let json: unknown = structuredClone(SNAPSHOTS[which]);
            for (const { m, anywhere } of mutations) json = applyMutation(json, m, anywhere ? anyPath : structurePaths);
            checkImport((rng) => netFromJSON(json, rng));
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'damaged snapshot files (truncated, spliced, renumbered) are rejected with a SnapshotError',
    () => {
      fc.assert(
        fc.property(
          fc.nat({ max: SNAPSHOTS.length - 1 }),
          fc.array(textEdit, { minLength: 1, maxLength: 4 }),
          fc.option(fc.nat(), { nil: undefined }),
          (which, edits, cut) => {
            let text = edits.reduce(applyTextEdit, SNAPSHOT_TEXTS[which]!);
            if (cut !== undefined) text = text.slice(0, cut % (text.length + 1));
            checkImport((rng) => parseSnapshotText(text, rng));
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'weights written as index-keyed objects ({"0": .., "1": ..}) load bit-identical to arrays',
    () => {
      fc.assert(
        fc.property(fc.nat({ max: SNAPSHOTS.length - 1 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (which, pick) => {
          const json = structuredClone(SNAPSHOTS[which]!) as unknown as { layers: Array<Record<string, unknown>> };
          let k = 0;
          for (const layer of json.layers) {
            const vols = [...((layer.filters as Array<{ w: unknown }> | undefined) ?? []), ...(layer.biases ? [layer.biases as { w: unknown }] : [])];
            for (const vol of vols) {
              if (pick[k++ % pick.length]) vol.w = Object.fromEntries((vol.w as number[]).map((v, i) => [String(i), v]));
            }
          }
          const fromArrays = netFromJSON(SNAPSHOTS[which], new Rng(1));
          const fromKeyed = netFromJSON(json, new Rng(1));
          expect(Array.from(fromKeyed.params)).toEqual(Array.from(fromArrays.params));
        }),
        fuzzParams(runsFor(50, 0.1)),
      );
    },
    timeoutFor(runsFor(50, 0.1)),
  );

  /** Claims of enormous sizes: refused from the numbers alone, before any weight array is built. */
  const huge = fc.oneof(
    fc.integer({ min: 10_000, max: 2 ** 31 }),
    fc.constantFrom(1e9, 1e12, 2 ** 32, 2 ** 53, 1e300),
  );
  const hugeClaim = fc.oneof(
    // An input layer of absurd size.
    fc.tuple(huge, huge, fc.integer({ min: 1, max: 4 })).map(([sx, sy, depth]) => ({
      layers: [
        { layer_type: 'input', out_sx: sx, out_sy: sy, out_depth: depth },
        { layer_type: 'softmax', out_sx: 1, out_sy: 1, out_depth: sx * sy * depth, num_inputs: sx * sy * depth },
      ],
    })),
    // An fc layer claiming a billion neurons (its filters list is short: never read that far).
    fc.tuple(huge, fc.integer({ min: 1, max: 100 })).map(([neurons, inputs]) => ({
      layers: [
        { layer_type: 'input', out_sx: 1, out_sy: 1, out_depth: inputs },
        {
          layer_type: 'fc',
          out_sx: 1,
          out_sy: 1,
          out_depth: neurons,
          num_inputs: inputs,
          filters: [{ sx: 1, sy: 1, depth: inputs, w: [] }],
          biases: { sx: 1, sy: 1, depth: neurons, w: [] },
        },
        { layer_type: 'softmax', out_sx: 1, out_sy: 1, out_depth: neurons, num_inputs: neurons },
      ],
    })),
    // A conv layer whose padding would make a huge padded copy of a tiny input.
    fc.tuple(fc.integer({ min: 4000, max: 2 ** 30 })).map(([pad]) => ({
      layers: [
        { layer_type: 'input', out_sx: 1, out_sy: 1, out_depth: 1 },
        {
          layer_type: 'conv',
          sx: 1,
          sy: 1,
          stride: 2 * pad + 1,
          pad,
          in_depth: 1,
          out_sx: 1,
          out_sy: 1,
          out_depth: 1,
          l1_decay_mul: 0,
          l2_decay_mul: 1,
          filters: [{ sx: 1, sy: 1, depth: 1, w: [0.5] }],
          biases: { sx: 1, sy: 1, depth: 1, w: [0] },
        },
        { layer_type: 'softmax', out_sx: 1, out_sy: 1, out_depth: 1, num_inputs: 1 },
      ],
    })),
    // Many elementwise layers, each under the per-layer cap, together far over the total.
    fc.tuple(fc.integer({ min: 3000, max: 7000 }), fc.integer({ min: 10, max: 190 })).map(([side, count]) => ({
      layers: [
        { layer_type: 'input', out_sx: side, out_sy: side, out_depth: 1 },
        ...Array.from({ length: count }, () => ({ layer_type: 'relu', out_sx: side, out_sy: side, out_depth: 1 })),
        { layer_type: 'softmax', out_sx: 1, out_sy: 1, out_depth: side * side, num_inputs: side * side },
      ],
    })),
  );

  it(
    'snapshots claiming sizes over the caps are refused before allocating',
    () => {
      fc.assert(
        fc.property(hugeClaim, (json) => {
          const rng = new Rng(3);
          const before = rng.getState();
          const outcome = outcomeOf(() => netFromJSON(json, rng));
          const error = expectSafeOutcome(outcome, SnapshotError);
          expect(error, 'an over-cap snapshot was accepted').not.toBeNull();
          // Refused for a cap or an inconsistent size, never after building weight arrays of that size.
          expect(error!.message).toMatch(/limit|expected|larger than|gives/);
          expect(rng.getState()).toEqual(before);
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it('refuses snapshot text over the size limit before parsing it', () => {
    const text = `{"layers":[${' '.repeat(LIMITS.maxSnapshotChars)}]}`;
    const outcome = outcomeOf(() => parseSnapshotText(text));
    const error = expectSafeOutcome(outcome, SnapshotError);
    expect(error?.message).toMatch(/^snapshot: the file is about 50 MB, over the limit of 50 MB/);
  });
});
