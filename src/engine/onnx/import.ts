/**
 * Reads an ONNX model made of the operators a ConvNetJS network can express, as
 * torch.onnx.export writes them for a net of conv/relu/maxpool/linear/softmax (and as
 * exportOnnx writes them): Conv, Relu, Sigmoid, Tanh, MaxPool, LRN, Flatten, Reshape
 * (to flatten), Transpose (to NHWC before flattening), Gemm, MatMul + Add, Softmax,
 * Dropout and Identity (the identity at prediction), and exportOnnx's maxout pattern
 * [Slice +] Reshape + ReduceMax (see maxout-import.ts). The graph must be a single chain
 * from its one image input to its one output. The result is a network definition text
 * and a ConvNetJS snapshot with the model's weights, which the dashboard loads and
 * trains on. Anything else is refused with an OnnxImportError naming the operator.
 */
import type { onnx } from 'onnx-proto';
import { jsKernels } from '../kernels/js-blocked';
import { Net } from '../net';
import { Rng } from '../rng';
import { netToJSON, type ConvNetJSSnapshot } from '../snapshot';
import { resolveLayers, SpecError, type LayerDef, type LossType, type Shape } from '../spec';
import { NodeAttributes, nodeLabel, OnnxImportError, readConstants, type ConstantTensor } from './graph-reader';
import { definitionText } from '../definition-text';
import { SEED_TRAINER } from '../parse';
import { rowsChwToHwc } from './layout';
import { MaxoutReader } from './maxout-import';
import { metadataValue } from './metadata';
import { int64ToNumber, protos } from './proto';

export { OnnxImportError } from './graph-reader';

export interface ImportedOnnx {
  /** The network as a ConvNetJS definition snippet (what the editor shows). */
  definitionText: string;
  /** The network with the model's weights, in ConvNetJS's snapshot format. */
  snapshot: ConvNetJSSnapshot;
  /** The class names from the model's metadata, when it has them. */
  classNames: string[] | null;
  loss: LossType;
}

const SUPPORTED_OPERATORS =
  'Conv, Relu, Sigmoid, Tanh, MaxPool, LRN, Flatten, Reshape, Transpose, Gemm, MatMul, Add, Softmax, Dropout, Identity, ' +
  'and [Slice +] Reshape + ReduceMax as a maxout';

/** How the flowing tensor is laid out; flat ones remember the order their features came in. */
type Layout = 'nchw' | 'nhwc' | 'flat-chw' | 'flat-hwc';

interface Flow {
  tensor: string;
  /** ConvNetJS's view of the value: width, height, channels. */
  shape: Shape;
  layout: Layout;
}

interface ImportedLayer {
  def: LayerDef;
  /** Conv and fc weights, HWC as the engine keeps them. */
  weights?: { filters: Float32Array; biases: Float32Array };
}

/**
 * ONNX stores float attributes as float32, so an exported alpha of 0.0001 comes back as
 * 0.0000999999997...; the shortest decimal with the same float32 is the value that was
 * written (and reads well in the definition text), so the round trip keeps the layer's constants.
 */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 17; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** Walks the chain of nodes, turning each into ConvNetJS layers. */
class ChainReader {
  readonly layers: ImportedLayer[] = [];
  endedInSoftmax = false;
  /** The fc layer whose output is the flowing tensor, for an Add that carries its bias. */
  private openFc: ImportedLayer | null = null;
  private readonly maxout = new MaxoutReader();

  constructor(
    private flow: Flow,
    private readonly constants: Map<string, ConstantTensor>,
  ) {}

  get current(): Flow {
    return this.flow;
  }

  /** The chain is over: no maxout pattern may be left half read. */
  finish(): void {
    this.maxout.checkFinished();
  }

  read(node: onnx.INodeProto): void {
    const label = nodeLabel(node);
    if (this.endedInSoftmax) throw new OnnxImportError(`${label} follows the Softmax; the Softmax must be the last node`);
    const data = node.input?.[0];
    if (data !== this.flow.tensor) {
      throw new OnnxImportError(
        `${label} reads '${data ?? ''}', not the output of the node before it; only a single chain of layers can be imported`,
      );
    }
    const output = node.output?.[0] ?? '';
    const attributes = new NodeAttributes(node);
    const previousFc = this.openFc;
    this.openFc = null;
    const op = node.opType ?? '';
    this.maxout.checkNext(node);
    switch (op) {
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
        this.layers.push({ def: { type: op.toLowerCase() } });
        break;
      case 'Dropout':
      case 'Identity':
        // Identity at prediction, and a dropout layer would change nothing a snapshot keeps.
        this.openFc = previousFc;
        break;
      case 'Conv':
        this.conv(node, attributes);
        break;
      case 'MaxPool':
        this.maxPool(node, attributes);
        break;
      case 'LRN':
        this.lrn(node, attributes);
        break;
      case 'Flatten':
        attributes.expect('axis', attributes.int('axis', 1), 1, 'only flattening everything after the batch dimension');
        this.flatten();
        break;
      case 'Reshape':
        this.reshape(node);
        break;
      case 'Slice':
        this.maxout.slice(node, this.flow, (n, position, what) => this.constant(n, position, what));
        break;
      case 'ReduceMax': {
        const { def, shape } = this.maxout.reduceMax(node, this.flow, (n, position, what) => this.constant(n, position, what));
        this.layers.push({ def });
        this.flow.shape = shape;
        break;
      }
      case 'Transpose':
        this.transpose(node, attributes);
        break;
      case 'Gemm':
        this.gemm(node, attributes);
        break;
      case 'MatMul':
        this.matMul(node);
        break;
      case 'Add':
        this.addBias(node, previousFc);
        break;
      case 'Softmax':
        if (!this.flow.layout.startsWith('flat')) throw new OnnxImportError(`${label}: a Softmax must follow a Gemm or MatMul`);
        if (![1, -1].includes(attributes.int('axis', 1))) {
          throw new OnnxImportError(`${label}: only a Softmax over the class axis (axis 1) is supported`);
        }
        this.endedInSoftmax = true;
        break;
      default:
        throw new OnnxImportError(
          `the model uses the operator ${op || '(unnamed)'} (${label}), which has no ConvNetJS layer; supported operators are ${SUPPORTED_OPERATORS}`,
        );
    }
    this.flow = { ...this.flow, tensor: output };
  }

  private constant(node: onnx.INodeProto, position: number, what: string): ConstantTensor | null {
    const name = node.input?.[position];
    if (!name) return null;
    const found = this.constants.get(name);
    if (!found) throw new OnnxImportError(`${nodeLabel(node)}: its ${what} '${name}' must be a constant (an initializer)`);
    return found;
  }

  private floats(node: onnx.INodeProto, position: number, what: string): ConstantTensor & { values: Float32Array } {
    const found = this.constant(node, position, what);
    if (!found) throw new OnnxImportError(`${nodeLabel(node)}: it has no ${what}`);
    if (!(found.values instanceof Float32Array)) throw new OnnxImportError(`${nodeLabel(node)}: its ${what} must be float32`);
    for (const v of found.values) {
      if (!Number.isFinite(v)) throw new OnnxImportError(`${nodeLabel(node)}: its ${what} '${found.name}' holds a value that is not finite`);
    }
    return found as ConstantTensor & { values: Float32Array };
  }

  private requireLayout(node: onnx.INodeProto, layout: Layout, why: string): void {
    if (this.flow.layout !== layout) throw new OnnxImportError(`${nodeLabel(node)}: ${why}`);
  }

  /** Window attributes as ConvNetJS takes them: square stride, one pad on every side. */
  private window(node: onnx.INodeProto, attributes: NodeAttributes, kernel: number[]): { stride: number; pad: number } {
    const label = nodeLabel(node);
    if (attributes.text('auto_pad', 'NOTSET') !== 'NOTSET') throw new OnnxImportError(`${label}: auto_pad is not supported; write explicit pads`);
    if (attributes.ints('dilations', [1, 1]).some((d) => d !== 1)) throw new OnnxImportError(`${label}: dilated windows are not supported`);
    const strides = attributes.ints('strides', [1, 1]);
    const pads = attributes.ints('pads', [0, 0, 0, 0]);
    if (kernel.length !== 2 || strides.length !== 2 || pads.length !== 4) {
      throw new OnnxImportError(`${label}: only 2-D windows are supported`);
    }
    if (strides[0] !== strides[1]) {
      throw new OnnxImportError(`${label}: strides ${strides.join('x')} differ; ConvNetJS uses one stride for both axes`);
    }
    if (pads.some((p) => p !== pads[0])) throw new OnnxImportError(`${label}: pads ${pads.join(',')} differ; ConvNetJS pads every side alike`);
    return { stride: strides[0], pad: pads[0] };
  }

  private windowOutput(size: number, kernel: number, stride: number, pad: number): number {
    return Math.floor((size + 2 * pad - kernel) / stride) + 1;
  }

  private conv(node: onnx.INodeProto, attributes: NodeAttributes): void {
    this.requireLayout(node, 'nchw', 'a Conv must read an image-shaped (NCHW) tensor');
    attributes.expect('group', attributes.int('group', 1), 1, 'ConvNetJS convolutions see every input channel');
    const weights = this.floats(node, 1, 'weights');
    const [filters, channels, kh, kw] = weights.dims;
    if (weights.dims.length !== 4 || channels !== this.flow.shape.depth) {
      throw new OnnxImportError(`${nodeLabel(node)}: weights of shape ${weights.dims.join('x')} do not fit ${this.flow.shape.depth} input channels`);
    }
    const kernel = attributes.ints('kernel_shape', [kh, kw]);
    const { stride, pad } = this.window(node, attributes, kernel);
    const bias = this.constant(node, 2, 'bias') ? this.floats(node, 2, 'bias').values : new Float32Array(filters);
    const filterShape = { sx: kw, sy: kh, depth: channels };
    this.layers.push({
      def: { type: 'conv', sx: kw, sy: kh, filters, stride, pad },
      weights: { filters: rowsChwToHwc(weights.values, filters, filterShape), biases: new Float32Array(bias) },
    });
    const { sx, sy } = this.flow.shape;
    this.flow.shape = { sx: this.windowOutput(sx, kw, stride, pad), sy: this.windowOutput(sy, kh, stride, pad), depth: filters };
  }

  private maxPool(node: onnx.INodeProto, attributes: NodeAttributes): void {
    this.requireLayout(node, 'nchw', 'a MaxPool must read an image-shaped (NCHW) tensor');
    attributes.expect('ceil_mode', attributes.int('ceil_mode', 0), 0, 'ConvNetJS rounds window counts down');
    const kernel = attributes.ints('kernel_shape', []);
    const { stride, pad } = this.window(node, attributes, kernel);
    const [kh, kw] = kernel;
    this.layers.push({ def: { type: 'pool', sx: kw, sy: kh, stride, pad } });
    const { sx, sy, depth } = this.flow.shape;
    this.flow.shape = { sx: this.windowOutput(sx, kw, stride, pad), sy: this.windowOutput(sy, kh, stride, pad), depth };
  }

  /** ONNX divides alpha by size and ConvNetJS by n; for the odd sizes ConvNetJS allows they are the same window. */
  private lrn(node: onnx.INodeProto, attributes: NodeAttributes): void {
    this.requireLayout(node, 'nchw', 'an LRN must read an image-shaped (NCHW) tensor');
    const size = attributes.int('size', 0);
    if (size < 1 || size % 2 === 0) {
      throw new OnnxImportError(`${nodeLabel(node)}: size ${size} is not supported; ConvNetJS's lrn needs an odd window`);
    }
    const def = {
      type: 'lrn',
      k: shortestFloat32(attributes.float('bias', 1)),
      n: size,
      alpha: shortestFloat32(attributes.float('alpha', 0.0001)),
      beta: shortestFloat32(attributes.float('beta', 0.75)),
    };
    this.layers.push({ def });
  }

  private flatten(): void {
    const layout = this.flow.layout;
    if (layout === 'nchw') this.flow.layout = 'flat-chw';
    else if (layout === 'nhwc') this.flow.layout = 'flat-hwc';
  }

  private reshape(node: onnx.INodeProto): void {
    const target = this.constant(node, 1, 'shape')?.values;
    if (this.maxout.reshape(node, target ? Array.from(target) : undefined, this.flow)) return;
    const { sx, sy, depth } = this.flow.shape;
    const size = sx * sy * depth;
    const batch = (d: number | undefined) => d === 0 || d === -1 || d === 1;
    if (target && target.length === 2 && batch(target[0]) && (target[1] === size || target[1] === -1)) {
      this.flatten();
      return;
    }
    const unflattenable = sx === 1 && sy === 1 && this.flow.layout.startsWith('flat');
    if (target && target.length === 4 && batch(target[0]) && target[1] === depth && target[2] === 1 && target[3] === 1 && unflattenable) {
      this.flow.layout = 'nchw';
      return;
    }
    const shown = target ? `[${Array.from(target).join(', ')}]` : 'a shape computed at run time';
    throw new OnnxImportError(`${nodeLabel(node)}: reshaping to ${shown} is not supported; only flattening to [N, ${size}] (or grouping channels for a maxout) is`);
  }

  private transpose(node: onnx.INodeProto, attributes: NodeAttributes): void {
    const perm = attributes.ints('perm', []).join(',');
    if (this.flow.layout !== 'nchw' || perm !== '0,2,3,1') {
      throw new OnnxImportError(`${nodeLabel(node)}: only a Transpose from NCHW to NHWC (perm 0,2,3,1) before a Flatten is supported`);
    }
    this.flow.layout = 'nhwc';
  }

  /** Adds an fc layer of `weights` (rows = neurons, columns in the flowing tensor's order). */
  private fc(node: onnx.INodeProto, neurons: number, weights: Float32Array, biases: Float32Array): void {
    if (!this.flow.layout.startsWith('flat')) {
      throw new OnnxImportError(`${nodeLabel(node)}: a fully connected layer must read a flattened tensor (add a Flatten before it)`);
    }
    const shape = this.flow.shape;
    const hwc = this.flow.layout === 'flat-chw' ? rowsChwToHwc(weights, neurons, shape) : weights;
    const layer: ImportedLayer = { def: { type: 'fc', num_neurons: neurons }, weights: { filters: hwc, biases } };
    this.layers.push(layer);
    this.openFc = layer;
    this.flow.shape = { sx: 1, sy: 1, depth: neurons };
    this.flow.layout = 'flat-hwc';
  }

  private gemm(node: onnx.INodeProto, attributes: NodeAttributes): void {
    attributes.expect('transA', attributes.int('transA', 0), 0, 'the layer input must not be transposed');
    const b = this.floats(node, 1, 'weights');
    const transB = attributes.int('transB', 0) === 1;
    const inputs = this.flow.shape.sx * this.flow.shape.sy * this.flow.shape.depth;
    const [rows, columns] = b.dims;
    const neurons = transB ? rows : columns;
    if (b.dims.length !== 2 || (transB ? columns : rows) !== inputs) {
      throw new OnnxImportError(`${nodeLabel(node)}: weights of shape ${b.dims.join('x')} do not fit ${inputs} inputs`);
    }
    const alpha = attributes.float('alpha', 1);
    const beta = attributes.float('beta', 1);
    const weights = new Float32Array(neurons * inputs);
    for (let n = 0; n < neurons; n++) {
      for (let i = 0; i < inputs; i++) weights[n * inputs + i] = alpha * b.values[transB ? n * inputs + i : i * neurons + n];
    }
    const biases = new Float32Array(neurons);
    if (this.constant(node, 2, 'bias')) {
      const c = this.floats(node, 2, 'bias').values;
      if (c.length !== neurons && c.length !== 1) {
        throw new OnnxImportError(`${nodeLabel(node)}: a bias of ${c.length} values does not fit ${neurons} outputs`);
      }
      for (let n = 0; n < neurons; n++) biases[n] = beta * c[c.length === 1 ? 0 : n];
    }
    this.fc(node, neurons, weights, biases);
  }

  private matMul(node: onnx.INodeProto): void {
    const b = this.floats(node, 1, 'weights');
    const inputs = this.flow.shape.sx * this.flow.shape.sy * this.flow.shape.depth;
    const [rows, neurons] = b.dims;
    if (b.dims.length !== 2 || rows !== inputs) {
      throw new OnnxImportError(`${nodeLabel(node)}: weights of shape ${b.dims.join('x')} do not fit ${inputs} inputs`);
    }
    const weights = new Float32Array(neurons * inputs);
    for (let n = 0; n < neurons; n++) for (let i = 0; i < inputs; i++) weights[n * inputs + i] = b.values[i * neurons + n];
    this.fc(node, neurons, weights, new Float32Array(neurons));
  }

  /** An Add right after a MatMul (or Gemm) is that layer's bias. */
  private addBias(node: onnx.INodeProto, fc: ImportedLayer | null): void {
    if (!fc?.weights) throw new OnnxImportError(`${nodeLabel(node)}: an Add is only supported as the bias of the MatMul or Gemm before it`);
    const bias = this.floats(node, 1, 'bias').values;
    const biases = fc.weights.biases;
    if (bias.length !== biases.length) {
      throw new OnnxImportError(`${nodeLabel(node)}: a bias of ${bias.length} values does not fit ${biases.length} outputs`);
    }
    for (let n = 0; n < biases.length; n++) biases[n] += bias[n];
    this.openFc = fc;
  }
}

function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  try {
    return protos.ModelProto.decode(bytes);
  } catch (error) {
    throw new OnnxImportError(`the file is not an ONNX model (its protobuf could not be read: ${(error as Error).message})`);
  }
}

/** The one image input, [N, C, H, W] with fixed C, H, W. */
function imageInput(graph: onnx.IGraphProto, constants: Map<string, ConstantTensor>): { name: string; shape: Shape } {
  const inputs = (graph.input ?? []).filter((i) => !constants.has(i.name ?? ''));
  if (inputs.length !== 1) throw new OnnxImportError(`the model has ${inputs.length} inputs; it must have exactly one image input`);
  const input = inputs[0];
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const fixed = dims.slice(1).map((d) => int64ToNumber(d.dimValue));
  if (dims.length !== 4 || fixed.some((d) => !(d >= 1))) {
    throw new OnnxImportError(`the input '${input.name}' must be an image tensor [N, channels, height, width] with fixed channels, height and width`);
  }
  const [depth, sy, sx] = fixed;
  return { name: input.name ?? '', shape: { sx, sy, depth } };
}

/** The loss layer that ends the definition: the graph's Softmax, else what the metadata says. */
function lossOf(model: onnx.IModelProto, endedInSoftmax: boolean): LossType {
  if (endedInSoftmax) return 'softmax';
  const written = metadataValue(model, 'convnetjs_loss');
  // Raw scores (e.g. PyTorch's Linear before CrossEntropyLoss) train as a softmax classifier.
  return written === 'svm' || written === 'regression' ? written : 'softmax';
}

function classNamesOf(model: onnx.IModelProto): string[] | null {
  const text = metadataValue(model, 'class_names');
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((n) => typeof n === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** Builds the definition and snapshot of an ONNX model, or throws an OnnxImportError naming what is not supported. */
export function importOnnx(bytes: Uint8Array): ImportedOnnx {
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (!graph) throw new OnnxImportError('the ONNX model has no graph');
  for (const opset of model.opsetImport ?? []) {
    if (opset.domain && opset.domain !== 'ai.onnx') {
      throw new OnnxImportError(`the model uses operators of the domain '${opset.domain}', which cannot be imported`);
    }
  }
  const constants = readConstants(graph);
  const input = imageInput(graph, constants);
  const reader = new ChainReader({ tensor: input.name, shape: input.shape, layout: 'nchw' }, constants);
  for (const node of graph.node ?? []) if (node.opType !== 'Constant') reader.read(node);
  reader.finish();

  const outputs = graph.output ?? [];
  if (outputs.length !== 1 || outputs[0].name !== reader.current.tensor) {
    throw new OnnxImportError('the model must have exactly one output, the end of its chain of nodes');
  }
  const loss = lossOf(model, reader.endedInSoftmax);
  const scores = reader.layers.pop();
  if (scores?.def.type !== 'fc' || !scores.weights) {
    throw new OnnxImportError('the scores must come straight from a Gemm or MatMul, the fully connected layer ConvNetJS puts before its loss');
  }
  const outputCount = scores.def.num_neurons as number;
  const lossDef: LayerDef = loss === 'regression' ? { type: loss, num_neurons: outputCount } : { type: loss, num_classes: outputCount };
  const { sx, sy, depth } = input.shape;
  const layers: ImportedLayer[] = [
    { def: { type: 'input', out_sx: sx, out_sy: sy, out_depth: depth } },
    ...reader.layers,
    { def: lossDef, weights: scores.weights },
  ];

  const defs = layers.map((l) => l.def);
  let net: Net;
  try {
    net = new Net(resolveLayers(defs), new Rng(0), jsKernels);
  } catch (error) {
    if (error instanceof SpecError) throw new OnnxImportError(`the model's layers do not make a valid network: ${error.message}`);
    throw error;
  }
  // Conv and fc layers appear in the net in definition order (the loss's fc last).
  const weights = layers.flatMap((l) => (l.weights ? [l.weights] : []));
  const weighted = net.layers.filter((l) => l.params.length > 0);
  if (weighted.length !== weights.length) throw new Error(`ONNX import: ${weights.length} weighted layers read but the net has ${weighted.length}`);
  weighted.forEach((layer, i) => {
    for (const group of layer.params) group.w.set(group.kind === 'filters' ? weights[i].filters : weights[i].biases);
  });
  // A model file carries no trainer: the text names the demo's.
  return { definitionText: definitionText(net.specs, SEED_TRAINER), snapshot: netToJSON(net), classNames: classNamesOf(model), loss };
}
