import { beforeAll, describe, expect, it } from 'vitest';
import type { onnx } from 'onnx-proto';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { exportOnnx, importOnnx, OnnxImportError } from '../../../src/engine/onnx';
import { attribute, floatTensor, int64Tensor, protos, type AttributeValue } from '../../../src/engine/onnx/proto';
import { parseNetwork } from '../../../src/engine/parse';
import { NETWORK_PRESETS } from '../../../src/engine/presets';
import { Rng } from '../../../src/engine/rng';
import { netFromJSON } from '../../../src/engine/snapshot';
import { Trainer } from '../../../src/engine/trainer';
import { Volume } from '../../../src/engine/volume';
import { centerCropBatch, maxAbsDifference, ortSession, runOrt } from './ort-helpers';

let mnist: MnistData;

beforeAll(() => {
  mnist = loadMnist();
});

type Attributes = Record<string, AttributeValue | { float: number }>;

/** A graph written the way torch.onnx.export writes one, node by node. */
class TorchStyleModel {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly rng = new Rng(11);
  private last = 'input.1';

  weights(name: string, dims: number[], scale = 0.3): string {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = (this.rng.random() - 0.5) * scale;
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  op(opType: string, extraInputs: string[] = [], attributes: Attributes = {}): this {
    const output = `/${opType}_${this.nodes.length}_output_0`;
    this.nodes.push({
      opType,
      name: `/${opType.toLowerCase()}${this.nodes.length}/${opType}`,
      input: [this.last, ...extraInputs],
      output: [output],
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    this.last = output;
    return this;
  }

  constantShape(name: string, values: number[]): string {
    this.nodes.push({
      opType: 'Constant',
      name: `/${name}`,
      output: [name],
      attribute: [{ name: 'value', type: protos.AttributeProto.AttributeType.TENSOR, t: int64Tensor('', values) }],
    });
    return name;
  }

  bytes(outputs: number): Uint8Array {
    const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
    const type = (dims: (number | string)[]) => ({ tensorType: { elemType: 1, shape: { dim: dims.map(dim) } } });
    this.nodes[this.nodes.length - 1].output = ['output'];
    return protos.ModelProto.encode(
      protos.ModelProto.create({
        irVersion: 8,
        producerName: 'pytorch',
        opsetImport: [{ domain: '', version: 17 }],
        graph: {
          name: 'main_graph',
          node: this.nodes,
          initializer: this.initializers,
          input: [{ name: 'input.1', type: type(['batch_size', 1, 24, 24]) }],
          output: [{ name: 'output', type: type(['batch_size', outputs]) }],
        },
      }),
    ).finish();
  }
}

function convNet(): TorchStyleModel {
  const m = new TorchStyleModel();
  const window = (k: number, s: number, p: number) => ({ kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p] });
  m.op('Conv', [m.weights('conv1.weight', [4, 1, 5, 5]), m.weights('conv1.bias', [4])], { ...window(5, 1, 2), dilations: [1, 1], group: 1 });
  m.op('Relu').op('MaxPool', [], { ...window(2, 2, 0), ceil_mode: 0 });
  m.op('Conv', [m.weights('conv2.weight', [6, 4, 3, 3])], window(3, 1, 0));
  m.op('Relu').op('MaxPool', [], window(2, 2, 0));
  m.op('Flatten', [], { axis: 1 });
  m.op('Gemm', [m.weights('fc.weight', [10, 150], 0.2), m.weights('fc.bias', [10])], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
  return m;
}

/** Engine outputs of a snapshot for `count` center crops, packed like ONNX Runtime's. */
function engineOutputs(net: Net, batch: Float32Array, count: number): Float32Array {
  const { sx, sy } = net.inputShape;
  const width = net.outputShape.depth;
  const out = new Float32Array(count * width);
  const x = new Volume(sx, sy, 1);
  for (let i = 0; i < count; i++) {
    x.w.set(batch.subarray(i * sx * sy, (i + 1) * sx * sy));
    out.set(net.forward(x, false).w, i * width);
  }
  return out;
}

function softmaxRows(values: Float32Array, width: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length / width; r++) {
    const row = values.subarray(r * width, (r + 1) * width);
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    for (let c = 0; c < width; c++) out[r * width + c] = Math.exp(row[c] - max) / sum;
  }
  return out;
}

const COUNT = 40;

describe('ONNX import of a PyTorch-style model', () => {
  it('loads conv/relu/maxpool/flatten/gemm/softmax and predicts as ONNX Runtime does', async () => {
    const bytes = convNet().op('Softmax', [], { axis: 1 }).bytes(10);
    const imported = importOnnx(bytes);
    expect(imported.loss).toBe('softmax');
    const net = netFromJSON(imported.snapshot);
    // The definition text describes the same network the snapshot holds.
    const shapes = (layers: readonly { type: string; out: object }[]) => layers.map((l) => [l.type, l.out]);
    expect(shapes(parseNetwork(imported.definitionText).layers)).toEqual(shapes(net.specs));
    const batch = centerCropBatch(mnist.test, 0, COUNT, 24, 24);
    const expected = await runOrt(await ortSession(bytes), batch, [COUNT, 1, 24, 24]);
    expect(maxAbsDifference(engineOutputs(net, batch, COUNT), expected)).toBeLessThan(1e-5);
  });

  it('loads Reshape + MatMul + Add (no Softmax) as a softmax classifier of the same scores, and trains on it', async () => {
    const m = new TorchStyleModel();
    m.op('Reshape', [m.constantShape('flat_shape', [-1, 576])]);
    m.op('MatMul', [m.weights('l1.weight_t', [576, 20], 0.1)]).op('Add', [m.weights('l1.bias', [20])]).op('Relu');
    m.op('MatMul', [m.weights('l2.weight_t', [20, 10])]).op('Add', [m.weights('l2.bias', [10])]);
    const bytes = m.bytes(10);
    const imported = importOnnx(bytes);
    const net = netFromJSON(imported.snapshot);
    expect(net.specs.map((s) => s.type)).toEqual(['input', 'fc', 'relu', 'fc', 'softmax']);
    const batch = centerCropBatch(mnist.test, 0, COUNT, 24, 24);
    const scores = await runOrt(await ortSession(bytes), batch, [COUNT, 1, 24, 24]);
    expect(maxAbsDifference(engineOutputs(net, batch, COUNT), softmaxRows(scores, 10))).toBeLessThan(1e-5);

    const trainer = new Trainer(net, parseNetwork(imported.definitionText).trainer);
    const before = Float32Array.from(net.params);
    const x = new Volume(24, 24, 1);
    for (let i = 0; i < 40; i++) {
      x.w.set(batch.subarray((i % COUNT) * 576, ((i % COUNT) + 1) * 576));
      expect(Number.isFinite(trainer.train(x, mnist.test.labels[i % COUNT]).loss)).toBe(true);
    }
    expect(maxAbsDifference(net.params, before)).toBeGreaterThan(0);
  });

  it.each([
    ['an operator with no ConvNetJS layer', (m: TorchStyleModel) => m.op('BatchNormalization', []), /operator BatchNormalization/],
    ['a grouped convolution', (m: TorchStyleModel) => m.op('Conv', [m.weights('w', [2, 1, 3, 3])], { group: 2 }), /Conv node .*group 2/],
    ['a pool with ceil_mode', (m: TorchStyleModel) => m.op('MaxPool', [], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }), /ceil_mode 1/],
    ['uneven pads', (m: TorchStyleModel) => m.op('MaxPool', [], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1] }), /pads 0,0,1,1 differ/],
  ])('refuses %s, naming it', (_what, build, message) => {
    const m = new TorchStyleModel();
    build(m);
    m.op('Flatten', [], { axis: 1 }).op('Gemm', [m.weights('fc', [10, 1])], { transB: 1 });
    expect(() => importOnnx(m.bytes(10))).toThrow(OnnxImportError);
    expect(() => importOnnx(m.bytes(10))).toThrow(message);
  });

  it('refuses bytes that are not an ONNX model, without echoing them', () => {
    const garbage = new TextEncoder().encode('{"layers": "secret text"}');
    expect(() => importOnnx(garbage)).toThrow(/not an ONNX model/);
    expect(() => importOnnx(garbage)).not.toThrow(/secret/);
  });
});

describe('ONNX round trip: export, import, same outputs', () => {
  it.each(NETWORK_PRESETS.map((p) => [p.name, p.text]))('%s', (_name, text) => {
    const { layers } = parseNetwork(text);
    const net = new Net(layers, new Rng(5));
    const imported = importOnnx(exportOnnx(net, { definitionText: text, classNames: ['zero'] }));
    expect(imported.loss).toBe(layers[layers.length - 1].type);
    expect(imported.classNames).toEqual(['zero']);
    const back = netFromJSON(imported.snapshot);
    expect(back.specs.map((s) => [s.type, s.out])).toEqual(layers.map((s) => [s.type, s.out]));
    const batch = centerCropBatch(mnist.test, 0, COUNT, 24, 24);
    expect(maxAbsDifference(engineOutputs(back, batch, COUNT), engineOutputs(net, batch, COUNT))).toBe(0);
  });
});
