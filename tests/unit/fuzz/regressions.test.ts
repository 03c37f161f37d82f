/**
 * Failures the fuzzers found, kept as plain examples so they stay fixed whatever seed
 * the property runs use. Each names what went wrong before the fix.
 */
import { describe, expect, it } from 'vitest';
import { Net } from '../../../src/engine/net';
import { parseNetwork } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { SnapshotError, netFromJSON, netToJSON, parseSnapshotText, readSnapshot } from '../../../src/engine/snapshot';
import { LIMITS, SpecError, resolveLayers, resolveTrainer } from '../../../src/engine/spec';
import { MAX_MESSAGE_CHARS, expectSafeOutcome, nestedArray, outcomeOf } from './fuzz-support';

function specError(run: () => unknown): SpecError {
  const error = expectSafeOutcome(outcomeOf(run), SpecError);
  expect(error, 'expected a SpecError').not.toBeNull();
  return error!;
}

function snapshotError(run: () => unknown): SnapshotError {
  const error = expectSafeOutcome(outcomeOf(run), SnapshotError);
  expect(error, 'expected a SnapshotError').not.toBeNull();
  return error!;
}

/** input 1x1x1 -> fc 1 -> softmax 1, as a snapshot; `weight` is the one filter weight. */
function tinySnapshot(weight: unknown) {
  return {
    layers: [
      { layer_type: 'input', out_sx: 1, out_sy: 1, out_depth: 1 },
      {
        layer_type: 'fc',
        out_sx: 1,
        out_sy: 1,
        out_depth: 1,
        num_inputs: 1,
        filters: [{ sx: 1, sy: 1, depth: 1, w: [weight] }],
        biases: { sx: 1, sy: 1, depth: 1, w: [0] },
      },
      { layer_type: 'softmax', out_sx: 1, out_sy: 1, out_depth: 1, num_inputs: 1 },
    ],
  };
}

describe('fuzz findings: memory caps', () => {
  it('a definition of many layers, each under the per-layer cap, is refused for the total (was: ~70 GB to build)', () => {
    const defs = [
      { type: 'input', out_sx: 6327, out_sy: 6327, out_depth: 1 },
      ...Array.from({ length: 60 }, () => ({ type: 'relu' })),
      { type: 'pool', sx: 6327, stride: 6327 },
      { type: 'softmax', num_classes: 10 },
    ];
    const error = specError(() => resolveLayers(defs));
    expect(error.message).toMatch(/^layer 2 \(relu\): the layers up to this one hold [\d,]+ activation values, more than the limit of 100,000,000/);
  });

  it('a conv pad that makes a huge padded copy of a small input is refused (was: accepted, 2 x 3.6 GB padded buffers)', () => {
    const defs = [
      { type: 'input', out_sx: 1, out_sy: 1, out_depth: 1 },
      { type: 'conv', sx: 1, filters: 1, pad: 15_000, stride: 30_001 },
      { type: 'softmax', num_classes: 2 },
    ];
    const error = specError(() => resolveLayers(defs));
    expect(error.issues[0]).toMatchObject({ layerIndex: 1, field: 'pad' });
    expect(error.message).toMatch(/pad 15,000 on an input of 1x1x1 makes a padded input of 900,060,001 values, more than the limit/);
    // A pad that fits is still fine.
    expect(resolveLayers([defs[0], { ...defs[1], pad: 2, stride: 1 }, defs[2]])).toHaveLength(4);
  });

  it('snapshots get the same total and padding caps', () => {
    const side = 6000;
    const wide = {
      layers: [
        { layer_type: 'input', out_sx: side, out_sy: side, out_depth: 1 },
        ...Array.from({ length: 5 }, () => ({ layer_type: 'relu', out_sx: side, out_sy: side, out_depth: 1 })),
        { layer_type: 'softmax', out_sx: 1, out_sy: 1, out_depth: side * side, num_inputs: side * side },
      ],
    };
    const total = snapshotError(() => readSnapshot(wide));
    expect(total).toMatchObject({ layerIndex: 2, field: 'out_depth' });
    expect(total.message).toMatch(/hold 108000000 activation values, over the limit of 100000000 for the whole network; reduce out_sx, out_sy or out_depth/);

    const padded = tinySnapshot(0.5) as { layers: Array<Record<string, unknown>> };
    padded.layers[1] = {
      layer_type: 'conv', sx: 1, sy: 1, stride: 8001, pad: 4000, in_depth: 1, out_sx: 1, out_sy: 1, out_depth: 1,
      filters: [{ sx: 1, sy: 1, depth: 1, w: [0.5] }], biases: { sx: 1, sy: 1, depth: 1, w: [0] },
    };
    expect(snapshotError(() => readSnapshot(padded))).toMatchObject({ layerIndex: 1, field: 'pad' });
  });

  it('every cap message names the field it is about', () => {
    const json = tinySnapshot(0.5) as { layers: Array<Record<string, unknown>> };
    json.layers[0] = { layer_type: 'input', out_sx: 3, out_sy: 3, out_depth: 1.7976931348623157e308 };
    expect(snapshotError(() => readSnapshot(json)).message).toMatch(/over the limit .*out_depth/);
  });
});

describe('fuzz findings: crashes and echoes in messages', () => {
  it('a deeply nested weight value is a SnapshotError (was: RangeError, stack overflow in the message)', () => {
    const error = snapshotError(() => netFromJSON(tinySnapshot(nestedArray(200_000))));
    expect(error.message).toBe('snapshot layer 1 (fc): filters[0].w[0] is an array; weights must be finite numbers');
  });

  it('long strings in a snapshot are not echoed whole (was: a 160 kB message)', () => {
    const long = 'x'.repeat(200_000);
    const weight = snapshotError(() => netFromJSON(tinySnapshot(long)));
    expect(weight.message.length).toBeLessThan(MAX_MESSAGE_CHARS);
    const json = tinySnapshot(0.5) as { layers: Array<Record<string, unknown>> };
    json.layers[1]!.filters = [{ sx: long, sy: 1, depth: 1, w: [0.5] }];
    expect(snapshotError(() => netFromJSON(json)).message).toMatch(/filters\[0\] is "x{40}\.\.\."x1x1 \(sx x sy x depth\)/);
    json.layers[1]!.layer_type = long;
    expect(snapshotError(() => netFromJSON(json)).message.length).toBeLessThan(MAX_MESSAGE_CHARS);
  });

  it('long names in definitions and trainer options are shortened in messages (was: echoed whole, and slow to suggest for)', () => {
    const long = 'q'.repeat(150_000);
    const method = specError(() => resolveTrainer({ method: long }));
    expect(method.message).toBe(
      `trainer: method '${'q'.repeat(40)}...' is not a trainer method; use one of 'sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta' or 'nesterov'`,
    );
    expect(specError(() => resolveTrainer({ [long]: 1 })).message.length).toBeLessThan(MAX_MESSAGE_CHARS);
    expect(specError(() => resolveLayers([{ type: long }, { type: 'softmax', num_classes: 2 }])).message.length).toBeLessThan(MAX_MESSAGE_CHARS);
    expect(
      specError(() => resolveLayers([{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 1, [long]: 1 }, { type: 'softmax', num_classes: 2 }]))
        .message.length,
    ).toBeLessThan(MAX_MESSAGE_CHARS);
    const name = 'n'.repeat(50_000);
    expect(specError(() => parseNetwork(`${name}.push({type:'relu'});`)).message.length).toBeLessThan(MAX_MESSAGE_CHARS);
    expect(specError(() => parseNetwork(`{"${name}": []}`)).message.length).toBeLessThan(MAX_MESSAGE_CHARS);
  });

  it('an array whose constructor property was replaced is read like any array (was: TypeError from defs.map)', () => {
    const defs: unknown[] = [{ type: 'input', out_sx: 2, out_sy: 2, out_depth: 1 }, { type: 'softmax', num_classes: 2 }];
    Object.defineProperty(defs, 'constructor', { value: 41, enumerable: true });
    expect(resolveLayers(defs)).toHaveLength(3);
  });

  it('a syntax error at a line break points at column 1, not 0 (JSON5 reports column 0)', () => {
    // A backslash after a comma, at the end of line 1: JSON5 blames the line break, at 2:0.
    const error = specError(() => parseNetwork('{"layers": [{"type": "input",\\\n"out_sx": 2}]}'));
    expect(error.issues[0]).toMatchObject({ line: 2, column: 1 });
  });

  it('a key written with escapes still locates its layers (was: issues without a line)', () => {
    // JSON5 reads "layer\s" and l\u0061yers as 'layers'; the positions must be found the same way.
    for (const key of ['"layer\\s"', 'l\\u0061yers']) {
      const text = `{${key}: [\n{type: 'input', out_sx: 2, out_sy: 2, out_depth: 1},\n{type: 'pool', sx: 1.5},\n{type: 'softmax', num_classes: 2}]}`;
      const error = specError(() => parseNetwork(text));
      expect(error.issues[0]).toMatchObject({ layerIndex: 1, field: 'sx', line: 3 });
    }
  });

  it('a snippet with thousands of pushes stops at the first layer over the cap, with its line', () => {
    const text = `layer_defs = [];\n${"layer_defs.push({type:'relu'});\n".repeat(LIMITS.maxLayers + 50)}`;
    const error = specError(() => parseNetwork(text));
    expect(error.issues[0]).toMatchObject({ line: LIMITS.maxLayers + 2 });
    expect(error.message).toMatch(/more than 200 layer definitions, the limit; this is definition 201/);
  });
});

describe('snapshot text size limit', () => {
  it('parseSnapshotText reads a saved snapshot like netFromJSON', () => {
    const net = Net.fromDefs(
      [{ type: 'input', out_sx: 2, out_sy: 2, out_depth: 1 }, { type: 'fc', num_neurons: 3 }, { type: 'softmax', num_classes: 2 }],
      new Rng(8),
    );
    const loaded = parseSnapshotText(JSON.stringify(netToJSON(net)));
    expect(Array.from(loaded.params)).toEqual(Array.from(net.params));
  });

  it('refuses text over the limit before JSON.parse, and reports bad JSON as a SnapshotError', () => {
    const huge = ' '.repeat(LIMITS.maxSnapshotChars + 1);
    expect(snapshotError(() => parseSnapshotText(huge)).message).toMatch(/^snapshot: the file is about 50 MB, over the limit of 50 MB/);
    expect(snapshotError(() => parseSnapshotText('{"layers": [')).message).toMatch(/^snapshot: not valid JSON/);
    // readSnapshot given text applies the same limit.
    expect(snapshotError(() => readSnapshot(huge)).message).toMatch(/over the limit of 50 MB/);
  });
});
