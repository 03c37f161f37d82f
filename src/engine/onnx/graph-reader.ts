/**
 * Reading an ONNX graph's parts as plain values: initializers and Constant nodes as
 * numbers, node attributes by name. Every refusal is an OnnxImportError naming the
 * node or tensor, since the person importing cannot see inside the file.
 */
import type { onnx } from 'onnx-proto';
import { FLOAT, INT64, int64ToNumber, protos } from './proto';

/** An ONNX model this engine cannot load; the message names the operator, node or tensor. */
export class OnnxImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxImportError';
  }
}

const INT32 = 6;

/** A constant tensor of the graph (initializer or Constant node output), decoded. */
export interface ConstantTensor {
  name: string;
  dims: number[];
  values: Float32Array | number[];
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function decodeTensor(tensor: onnx.ITensorProto, name: string): ConstantTensor {
  const dims = (tensor.dims ?? []).map((d) => int64ToNumber(d));
  const count = elementCount(dims);
  const raw = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  let values: Float32Array | number[];
  if (tensor.dataType === FLOAT) {
    if (view) {
      if (view.byteLength !== count * 4) throw new OnnxImportError(`tensor '${name}': its raw data does not match its dimensions`);
      values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
    } else {
      values = Float32Array.from(tensor.floatData ?? []);
    }
  } else if (tensor.dataType === INT64) {
    if (view) {
      if (view.byteLength !== count * 8) throw new OnnxImportError(`tensor '${name}': its raw data does not match its dimensions`);
      values = [];
      for (let i = 0; i < count; i++) values.push(Number(view.getBigInt64(i * 8, true)));
    } else {
      values = (tensor.int64Data ?? []).map((v) => int64ToNumber(v));
    }
  } else if (tensor.dataType === INT32) {
    values = view ? Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true)) : [...(tensor.int32Data ?? [])];
  } else {
    const typeName = protos.TensorProto.DataType[tensor.dataType ?? 0] ?? String(tensor.dataType);
    throw new OnnxImportError(`tensor '${name}' holds ${typeName} values; only float32 weights and int64 shapes can be imported`);
  }
  if (values.length !== count) {
    throw new OnnxImportError(`tensor '${name}' has ${values.length} values but its dimensions ${dims.join('x')} need ${count}`);
  }
  return { name, dims, values };
}

/** The graph's constants by name: initializers, and the outputs of Constant nodes. */
export function readConstants(graph: onnx.IGraphProto): Map<string, ConstantTensor> {
  const constants = new Map<string, ConstantTensor>();
  for (const tensor of graph.initializer ?? []) {
    const name = tensor.name ?? '';
    constants.set(name, decodeTensor(tensor, name));
  }
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Constant') continue;
    const value = (node.attribute ?? []).find((a) => a.name === 'value');
    const output = node.output?.[0] ?? '';
    if (!value?.t) throw new OnnxImportError(`Constant node '${node.name ?? output}': only a 'value' tensor is supported`);
    constants.set(output, decodeTensor(value.t, output));
  }
  return constants;
}

/** A node's attributes, read by name with defaults. */
export class NodeAttributes {
  private readonly byName: Map<string, onnx.IAttributeProto>;
  private readonly label: string;

  constructor(node: onnx.INodeProto) {
    this.byName = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
    this.label = nodeLabel(node);
  }

  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? int64ToNumber(a.i) : fallback;
  }

  ints(name: string, fallback: readonly number[]): number[] {
    const a = this.byName.get(name);
    return a ? (a.ints ?? []).map((v) => int64ToNumber(v)) : [...fallback];
  }

  float(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? (a.f ?? 0) : fallback;
  }

  text(name: string, fallback: string): string {
    const a = this.byName.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  /** Refuses a value other than the one ConvNetJS's layer implies. */
  expect(name: string, actual: number | string, wanted: number | string, why: string): void {
    if (actual !== wanted) {
      throw new OnnxImportError(`${this.label}: ${name} ${actual} is not supported (${why})`);
    }
  }
}

export function nodeLabel(node: onnx.INodeProto): string {
  const name = node.name ? ` '${node.name}'` : '';
  return `${node.opType ?? '?'} node${name}`;
}
