/**
 * Writes a network as a standard ONNX model (opset 17, NCHW, batch dimension 'N'):
 *
 *   input/conv/pool/relu/sigmoid/tanh -> Conv/MaxPool/Relu/Sigmoid/Tanh
 *   fc        -> Flatten (when its input is a volume) + Gemm, the weights permuted to CHW
 *   maxout    -> [Slice +] Reshape to (N, groups, group_size, ...) + ReduceMax
 *   dropout   -> nothing (prediction is the identity, see layers/dropout.ts)
 *   lrn       -> LRN, constants converted
 *   softmax   -> Softmax over the scores; svm and regression output the raw scores
 *
 * Every ONNX operator here computes what the engine computes at prediction, up to float
 * rounding: MaxPool's padding never wins (as in ConvNetJS, whose windows take the max over
 * in-bounds cells only), and LRN sums the same channels with the same divisor.
 */
import type { onnx } from 'onnx-proto';
import type { Layer, ParamGroup } from '../layers/layer';
import type { Net } from '../net';
import type { LrnLayerSpec, MaxoutLayerSpec, ResolvedLayer, Shape } from '../spec';
import { definitionText } from '../definition-text';
import { SEED_TRAINER } from '../parse';
import { rowsHwcToChw } from './layout';
import { describeMnistPreprocessing, metadataProps } from './metadata';
import {
  attribute,
  EXPORT_IR_VERSION,
  EXPORT_OPSET,
  FLOAT,
  floatTensor,
  INPUT_NAME,
  int64Tensor,
  OUTPUT_NAME,
  protos,
  type AttributeValue,
} from './proto';

export interface OnnxExportOptions {
  /** The network definition text (as in the editor), kept in the metadata; default one written from the layers. */
  definitionText?: string;
  /** One name per output of a classifier, kept in the metadata. */
  classNames?: readonly string[];
  /** How to make an input from an image; default the MNIST preprocessing for the net's input size. */
  preprocessing?: string;
  /** Written as producer_version. */
  producerVersion?: string;
}

/** A network that cannot be written as ONNX; nothing was produced. */
export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

/** Where the value flowing between layers stands: an NCHW volume or an [N, features] matrix. */
type Layout = 'nchw' | 'flat';

/** Collects nodes and initializers, giving every tensor a unique name. */
class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private count = 0;

  private fresh(hint: string): string {
    this.count += 1;
    return `${hint}_${this.count}`;
  }

  floats(hint: string, dims: readonly number[], values: Float32Array): string {
    const name = this.fresh(hint);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  int64s(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push(int64Tensor(name, values));
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue | { float: number }> = {}): string {
    const output = this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }
}

/** The value flowing through the graph while layers are appended. */
interface Cursor {
  tensor: string;
  layout: Layout;
}

function weightsOf(layer: Layer): { filters: ParamGroup; biases: ParamGroup } {
  const filters = layer.params.find((g) => g.kind === 'filters');
  const biases = layer.params.find((g) => g.kind === 'biases');
  if (!filters || !biases) throw new OnnxExportError(`${where(layer.spec)}: has no weights and biases to export`);
  return { filters, biases };
}

function where(spec: ResolvedLayer): string {
  return `layer ${spec.index} (${spec.type})`;
}

/** The value as NCHW; only a 1x1 volume can be flat, so a Reshape to [N, depth, 1, 1] does. */
function asNchw(graph: GraphBuilder, cursor: Cursor, shape: Shape): Cursor {
  if (cursor.layout === 'nchw') return cursor;
  const target = graph.int64s('shape', [0, shape.depth, shape.sy, shape.sx]);
  return { tensor: graph.node('Reshape', [cursor.tensor, target]), layout: 'nchw' };
}

/**
 * The value as [N, features] in ConvNetJS's HWC order (what a loss layer outputs):
 * a volume larger than 1x1 is transposed to NHWC first.
 */
function asFlatHwc(graph: GraphBuilder, cursor: Cursor, shape: Shape): Cursor {
  if (cursor.layout === 'flat') return cursor;
  const nhwc = shape.sx * shape.sy > 1 ? graph.node('Transpose', [cursor.tensor], { perm: [0, 2, 3, 1] }) : cursor.tensor;
  return { tensor: graph.node('Flatten', [nhwc], { axis: 1 }), layout: 'flat' };
}

function appendMaxout(graph: GraphBuilder, cursor: Cursor, spec: MaxoutLayerSpec): Cursor {
  const groups = spec.out.depth;
  const used = groups * spec.groupSize;
  let tensor = cursor.tensor;
  if (used < spec.in.depth) {
    // ConvNetJS drops the trailing channels that do not fill a group.
    tensor = graph.node('Slice', [tensor, graph.int64s('starts', [0]), graph.int64s('ends', [used]), graph.int64s('axes', [1])]);
  }
  const grouped =
    cursor.layout === 'nchw' ? [0, groups, spec.groupSize, spec.in.sy, spec.in.sx] : [0, groups, spec.groupSize];
  tensor = graph.node('Reshape', [tensor, graph.int64s('shape', grouped)]);
  return { tensor: graph.node('ReduceMax', [tensor], { axes: [2], keepdims: 0 }), layout: cursor.layout };
}

/**
 * ConvNetJS sums the squares of channels i - floor(n/2) .. i + floor(n/2) and divides by n;
 * ONNX LRN sums `size` channels centred the same way (for odd size) and divides by size.
 * So size = 2 floor(n/2) + 1 (n itself for the odd n the spec requires) and alpha is scaled
 * so that alpha_onnx / size = alpha / n.
 */
function lrnAttributes(spec: LrnLayerSpec): Record<string, AttributeValue | { float: number }> {
  const size = 2 * Math.floor(spec.n / 2) + 1;
  return {
    size,
    alpha: { float: (spec.alpha * size) / spec.n },
    beta: { float: spec.beta },
    bias: { float: spec.k },
  };
}

function appendLayer(graph: GraphBuilder, cursor: Cursor, layer: Layer): Cursor {
  const spec = layer.spec;
  switch (spec.type) {
    case 'input':
    case 'dropout':
      return cursor;
    case 'conv': {
      const input = asNchw(graph, cursor, spec.in);
      const { filters, biases } = weightsOf(layer);
      const filterShape = { sx: spec.sx, sy: spec.sy, depth: spec.in.depth };
      const w = graph.floats('conv_w', [spec.filters, spec.in.depth, spec.sy, spec.sx], rowsHwcToChw(filters.w, spec.filters, filterShape));
      const b = graph.floats('conv_b', [spec.filters], new Float32Array(biases.w));
      const tensor = graph.node('Conv', [input.tensor, w, b], {
        kernel_shape: [spec.sy, spec.sx],
        strides: [spec.stride, spec.stride],
        pads: [spec.pad, spec.pad, spec.pad, spec.pad],
      });
      return { tensor, layout: 'nchw' };
    }
    case 'fc': {
      const { filters, biases } = weightsOf(layer);
      const inputs = spec.in.sx * spec.in.sy * spec.in.depth;
      // Flatten reads NCHW in CHW order; ConvNetJS's fc reads HWC, so the columns are permuted.
      const columns = cursor.layout === 'nchw' ? rowsHwcToChw(filters.w, spec.numNeurons, spec.in) : new Float32Array(filters.w);
      const flat = cursor.layout === 'nchw' ? graph.node('Flatten', [cursor.tensor], { axis: 1 }) : cursor.tensor;
      const w = graph.floats('fc_w', [spec.numNeurons, inputs], columns);
      const b = graph.floats('fc_b', [spec.numNeurons], new Float32Array(biases.w));
      return { tensor: graph.node('Gemm', [flat, w, b], { transB: 1 }), layout: 'flat' };
    }
    case 'pool': {
      const input = asNchw(graph, cursor, spec.in);
      const tensor = graph.node('MaxPool', [input.tensor], {
        kernel_shape: [spec.sy, spec.sx],
        strides: [spec.stride, spec.stride],
        pads: [spec.pad, spec.pad, spec.pad, spec.pad],
      });
      return { tensor, layout: 'nchw' };
    }
    case 'relu':
      return { tensor: graph.node('Relu', [cursor.tensor]), layout: cursor.layout };
    case 'sigmoid':
      return { tensor: graph.node('Sigmoid', [cursor.tensor]), layout: cursor.layout };
    case 'tanh':
      return { tensor: graph.node('Tanh', [cursor.tensor]), layout: cursor.layout };
    case 'maxout':
      return appendMaxout(graph, cursor, spec);
    case 'lrn': {
      const input = asNchw(graph, cursor, spec.in);
      return { tensor: graph.node('LRN', [input.tensor], lrnAttributes(spec)), layout: 'nchw' };
    }
    case 'softmax': {
      const scores = asFlatHwc(graph, cursor, spec.in);
      return { tensor: graph.node('Softmax', [scores.tensor], { axis: 1 }), layout: 'flat' };
    }
    case 'svm':
    case 'regression':
      return asFlatHwc(graph, cursor, spec.in);
    default: {
      const unknown = spec as { index: number; type: string };
      throw new OnnxExportError(
        `layer ${unknown.index} (${unknown.type}): ONNX export does not know how to write this layer type; nothing was written`,
      );
    }
  }
}

function tensorType(dims: readonly (number | string)[]): onnx.ITypeProto {
  return {
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

/** The ConvNetJS loss layer that ends the net, if any (a net always has one). */
function lossOf(layers: readonly Layer[]): ResolvedLayer {
  return layers[layers.length - 1].spec;
}

/**
 * The network as ONNX model bytes. Throws an OnnxExportError naming the layer when a
 * layer has no ONNX form; then nothing is returned.
 */
export function exportOnnx(net: Pick<Net, 'layers'>, options: OnnxExportOptions = {}): Uint8Array {
  const layers = net.layers;
  if (layers.length < 2 || layers[0].spec.type !== 'input') {
    throw new OnnxExportError('ONNX export: the network must start with an input layer and end with a loss layer');
  }
  const graph = new GraphBuilder();
  let cursor: Cursor = { tensor: INPUT_NAME, layout: 'nchw' };
  for (const layer of layers) cursor = appendLayer(graph, cursor, layer);
  if (cursor.layout !== 'flat') {
    throw new OnnxExportError('ONNX export: the network does not end in a loss layer (softmax, svm or regression)');
  }
  // The last node's output becomes the graph output.
  const last = graph.nodes[graph.nodes.length - 1];
  last.output = [OUTPUT_NAME];

  const input = layers[0].spec.out;
  const loss = lossOf(layers);
  const outputs = loss.out.sx * loss.out.sy * loss.out.depth;
  const graphProto: onnx.IGraphProto = {
    name: 'convnet',
    node: graph.nodes,
    initializer: graph.initializers,
    input: [{ name: INPUT_NAME, type: tensorType(['N', input.depth, input.sy, input.sx]) }],
    output: [{ name: OUTPUT_NAME, type: tensorType(['N', outputs]) }],
  };
  const model: onnx.IModelProto = {
    irVersion: EXPORT_IR_VERSION,
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'mnist-cnn-dashboard',
    producerVersion: options.producerVersion ?? '',
    graph: graphProto,
    metadataProps: metadataProps({
      preprocessing: options.preprocessing ?? describeMnistPreprocessing(input),
      class_names: options.classNames ? JSON.stringify(options.classNames) : undefined,
      definition: options.definitionText ?? definitionText(layers.map((l) => l.spec), SEED_TRAINER),
      convnetjs_loss: loss.type,
      output: loss.type === 'softmax' ? 'probabilities' : 'scores',
    }),
  };
  const checked = protos.ModelProto.verify(model);
  if (checked) throw new Error(`ONNX export built an invalid model: ${checked}`);
  return protos.ModelProto.encode(protos.ModelProto.create(model)).finish();
}
