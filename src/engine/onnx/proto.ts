/**
 * The ONNX protobuf messages (the `onnx-proto` package's static protobufjs code) and the
 * few conversions between them and plain numbers that export and import share.
 *
 * onnx-proto is CommonJS that assigns `module.exports` at run time, so an ES module sees
 * its namespace only under `default` (Node, Vitest) or as a named export (some bundlers);
 * this file finds it once so the rest of the folder can say `protos.ModelProto`.
 */
import type { onnx } from 'onnx-proto';
import * as onnxProtoModule from 'onnx-proto';

type OnnxNamespace = typeof onnx;
const loaded = onnxProtoModule as unknown as { onnx?: OnnxNamespace; default?: { onnx?: OnnxNamespace } };
const found = loaded.onnx ?? loaded.default?.onnx;
if (!found) throw new Error('the onnx-proto package did not provide its onnx namespace');

export const protos: OnnxNamespace = found;

/** ONNX's data type code for float32 tensors (TensorProto.DataType.FLOAT). */
export const FLOAT = 1;
/** ONNX's data type code for int64 tensors (TensorProto.DataType.INT64). */
export const INT64 = 7;

/** The opset the exporter writes; importing accepts this and every later default-domain opset. */
export const EXPORT_OPSET = 17;
/** IR version 8 is the one that goes with opset 17. */
export const EXPORT_IR_VERSION = 8;

/** The names of the graph's one input and one output. */
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

/** metadata_props keys the exporter writes (and the importer reads back where it helps). */
export const METADATA_KEYS = {
  preprocessing: 'preprocessing',
  classNames: 'class_names',
  definition: 'definition',
  /** 'softmax', 'svm' or 'regression': which ConvNetJS loss layer ended the network. */
  loss: 'convnetjs_loss',
  /** What the output holds: 'probabilities' (softmax) or 'scores' (svm, regression). */
  output: 'output',
} as const;

/** protobufjs gives int64 fields as numbers, or as Long objects when the long package is present. */
export function int64ToNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** A float32 initializer, little-endian raw data (the form ONNX tools write). */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dims: [...dims], dataType: FLOAT, rawData: raw };
}

/** An int64 initializer (Reshape shapes, Slice bounds). */
export function int64Tensor(name: string, values: readonly number[]): onnx.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, int64Data: [...values] };
}

export type AttributeValue = number | readonly number[];

/** An INT or INTS attribute for integers, FLOAT for `{ float: x }`. */
export function attribute(name: string, value: AttributeValue | { float: number }): onnx.IAttributeProto {
  const types = protos.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: types.INT, i: value };
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  return { name, type: types.INTS, ints: [...value] };
}
