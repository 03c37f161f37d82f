import { beforeAll, describe, expect, it } from 'vitest';
import type { onnx } from 'onnx-proto';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { exportOnnx, importOnnx, OnnxImportError } from '../../../src/engine/onnx';
import { attribute, int64Tensor, protos } from '../../../src/engine/onnx/proto';
import { parseNetwork } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { netFromJSON } from '../../../src/engine/snapshot';
import { Volume } from '../../../src/engine/volume';
import { centerCropBatch, maxAbsDifference, ortSession, runOrt } from './ort-helpers';

let mnist: MnistData;

beforeAll(() => {
  mnist = loadMnist();
});

const COUNT = 40;

function snippet(lines: readonly string[]): string {
  return ['layer_defs = [];', ...lines.map((l) => `layer_defs.push(${l});`), '', 'net = new convnetjs.Net();', 'net.makeLayers(layer_defs);', ''].join('\n');
}

const INPUT = "{type:'input', out_sx:24, out_sy:24, out_depth:1}";

const NETWORKS: [string, string][] = [
  [
    'a conv maxout whose channels fill every group',
    snippet([INPUT, "{type:'conv', sx:5, filters:8, stride:1, pad:2}", "{type:'maxout', group_size:2}", "{type:'pool', sx:2, stride:2}", "{type:'softmax', num_classes:10}"]),
  ],
  [
    'a conv maxout whose last group is not filled (7 channels, groups of 3)',
    snippet([INPUT, "{type:'conv', sx:5, filters:7, stride:2, pad:2}", "{type:'maxout', group_size:3}", "{type:'softmax', num_classes:10}"]),
  ],
  [
    'fc maxouts, filled and not (11 neurons, groups of 4)',
    snippet([
      INPUT,
      "{type:'fc', num_neurons:12}",
      "{type:'maxout', group_size:2}",
      "{type:'fc', num_neurons:11}",
      "{type:'maxout', group_size:4}",
      "{type:'svm', num_classes:10}",
    ]),
  ],
  [
    'an lrn between convs, and after an fc',
    snippet([
      INPUT,
      "{type:'conv', sx:5, filters:6, stride:2, pad:2}",
      "{type:'relu'}",
      "{type:'lrn', k:1, n:5, alpha:0.1, beta:0.75}",
      "{type:'maxout', group_size:2}",
      "{type:'fc', num_neurons:9}",
      "{type:'lrn', k:2, n:3, alpha:0.0001, beta:0.5}",
      "{type:'softmax', num_classes:10}",
    ]),
  ],
];

/** Engine outputs for `count` center crops, packed like ONNX Runtime's. */
function engineOutputs(net: Net, batch: Float32Array, count: number): Float32Array {
  const width = net.outputShape.depth;
  const out = new Float32Array(count * width);
  const x = new Volume(24, 24, 1);
  for (let i = 0; i < count; i++) {
    x.w.set(batch.subarray(i * 576, (i + 1) * 576));
    out.set(net.forward(x, false).w, i * width);
  }
  return out;
}

function exported(text: string): Uint8Array {
  return exportOnnx(new Net(parseNetwork(text).layers, new Rng(3)), { definitionText: text });
}

describe('ONNX import of maxout and lrn layers', () => {
  it.each(NETWORKS)('%s: round trip is bit-identical and matches ONNX Runtime', async (_what, text) => {
    const { layers } = parseNetwork(text);
    const net = new Net(layers, new Rng(3));
    const bytes = exportOnnx(net, { definitionText: text });
    const imported = importOnnx(bytes);
    const back = netFromJSON(imported.snapshot);
    const described = (specs: readonly { type: string; out: object }[]) => specs.map((s) => [s.type, s.out]);
    expect(described(back.specs)).toEqual(described(layers));
    // The definition text builds the same layers, with the same constants.
    const reparsed = parseNetwork(imported.definitionText).layers;
    expect(reparsed.map(({ sourceIndex: _s, ...rest }) => rest)).toEqual(layers.map(({ sourceIndex: _s, ...rest }) => rest));
    const batch = centerCropBatch(mnist.test, 0, COUNT, 24, 24);
    const engine = engineOutputs(back, batch, COUNT);
    expect(maxAbsDifference(engine, engineOutputs(net, batch, COUNT))).toBe(0);
    const expected = await runOrt(await ortSession(bytes), batch, [COUNT, 1, 24, 24]);
    expect(maxAbsDifference(engine, expected)).toBeLessThan(1e-5);
  });

  it('reads the exported pattern as maxout layers with the right group sizes', () => {
    const defs = parseNetwork(importOnnx(exported(NETWORKS[2][1])).definitionText).layers;
    expect(defs.filter((l) => l.type === 'maxout').map((l) => [l.in.depth, l.out.depth])).toEqual([
      [12, 6],
      [11, 2],
    ]);
  });
});

/** The exported model of `text` with its graph changed by `edit`. */
function edited(text: string, edit: (graph: onnx.IGraphProto) => void): Uint8Array {
  const model = protos.ModelProto.decode(exported(text));
  edit(model.graph as onnx.IGraphProto);
  return protos.ModelProto.encode(model).finish();
}

function nodeOf(graph: onnx.IGraphProto, opType: string): onnx.INodeProto {
  const found = (graph.node ?? []).find((n) => n.opType === opType);
  if (!found) throw new Error(`no ${opType}`);
  return found;
}

/** Drops `node`, wiring its consumer to its input. */
function remove(graph: onnx.IGraphProto, node: onnx.INodeProto): void {
  const nodes = graph.node ?? [];
  const i = nodes.indexOf(node);
  nodes[i + 1].input = [node.input?.[0] ?? '', ...(nodes[i + 1].input ?? []).slice(1)];
  nodes.splice(i, 1);
}

/** Replaces the int64 initializer `node` reads at `position` (a Reshape's shape, a Slice's starts and ends). */
function setShape(graph: onnx.IGraphProto, node: onnx.INodeProto, values: number[], position = 1): void {
  const name = node.input?.[position] ?? '';
  graph.initializer = (graph.initializer ?? []).map((t) => (t.name === name ? int64Tensor(name, values) : t));
}

const FILLED = NETWORKS[0][1];
const UNFILLED = NETWORKS[1][1];

describe('ONNX import refuses what is not the maxout pattern, naming it', () => {
  it.each<[string, string, (g: onnx.IGraphProto) => void, RegExp]>([
    ['a ReduceMax over another axis', FILLED, (g) => (nodeOf(g, 'ReduceMax').attribute = [attribute('axes', [1]), attribute('keepdims', 0)]), /ReduceMax node .*axes \[1\]/],
    ['a ReduceMax that keeps the axis', FILLED, (g) => (nodeOf(g, 'ReduceMax').attribute = [attribute('axes', [2]), attribute('keepdims', 1)]), /ReduceMax node .*keepdims 1/],
    ['a ReduceMax with no grouping Reshape', FILLED, (g) => remove(g, nodeOf(g, 'Reshape')), /ReduceMax node .*only supported as the end of a maxout/],
    ['a 5-D Reshape that is no grouping', FILLED, (g) => setShape(g, nodeOf(g, 'Reshape'), [0, 4, 2, 12, 48]), /Reshape node .*\[0, 4, 2, 12, 48\] is not supported/],
    ['a grouping that does not split the channels', FILLED, (g) => setShape(g, nodeOf(g, 'Reshape'), [0, 2, 2, 24, 24]), /Reshape node .*does not group all 8 channels/],
    ['a grouping Reshape without its ReduceMax', FILLED, (g) => remove(g, nodeOf(g, 'ReduceMax')), /MaxPool node .*where a ReduceMax should finish the maxout/],
    ['a missing Slice', UNFILLED, (g) => remove(g, nodeOf(g, 'Slice')), /Reshape node .*does not group all 7 channels/],
    [
      'a Slice that drops a whole group',
      UNFILLED,
      (g) => {
        setShape(g, nodeOf(g, 'Slice'), [3], 2);
        setShape(g, nodeOf(g, 'Reshape'), [0, 1, 3, 12, 12]);
      },
      /Reshape node .*the 3 channels the Slice keeps of 7/,
    ],
    ['a Slice with no Reshape after it', UNFILLED, (g) => remove(g, nodeOf(g, 'Reshape')), /ReduceMax node .*where a Reshape should finish the maxout/],
  ])('%s', (_what, text, edit, message) => {
    const bytes = edited(text, edit);
    expect(() => importOnnx(bytes)).toThrow(OnnxImportError);
    expect(() => importOnnx(bytes)).toThrow(message);
  });
});
