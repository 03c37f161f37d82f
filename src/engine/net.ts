import { createLayer, isLossLayer } from './layers';
import type { Kernels } from './kernels/contract';
import { ParamArena, type InferenceForward, type Layer, type LossLayer, type LossTarget, type ParamGroup } from './layers/layer';
import type { Rng } from './rng';
import { paramCount, resolveLayers, shapeSize, type ResolvedLayer, type Shape } from './spec';
import { Volume, withVolumeStorage } from './volume';
import { defaultKernels } from './wasm';

/**
 * A feed-forward network: an input layer, hidden layers, one loss layer, in a line
 * (ConvNetJS's Net). All weights live in one Float32Array (`params`) and all their
 * gradients in another (`grads`); each layer's ParamGroups are views into them.
 * Every activation buffer is allocated here, once, so forward and backward allocate
 * nothing.
 */
export class Net {
  readonly specs: readonly ResolvedLayer[];
  readonly layers: readonly Layer[];
  readonly params: Float32Array;
  readonly grads: Float32Array;
  /** Per conv/fc layer, in layer order: its 'filters' group, then its 'biases'. */
  readonly paramGroups: readonly ParamGroup[];
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  /** The kernels this net's layers run on ('wasm': its own WebAssembly memory holds every buffer). */
  readonly kernels: Kernels;
  private readonly lossLayer: LossLayer;
  /** Where forwardBatch puts each input in turn (made on first use, outside the kernels' memory). */
  private batchInput: Volume | null = null;

  /**
   * Builds layers from already resolved specs (see resolveLayers), drawing initial
   * weights from `rng` in layer order; the same seed gives the same weights bit for
   * bit. Dropout layers keep `rng` for their masks.
   *
   * `kernels` defaults to WASM SIMD where available (see wasm/index.ts). A set with
   * `forNet` makes this net's own kernels first; when they have `allocate`, the
   * parameters, gradients and every layer's volumes are placed with it (in the
   * kernels' memory), so kernel calls copy nothing.
   */
  constructor(specs: readonly ResolvedLayer[], rng: Rng, kernels: Kernels = defaultKernels()) {
    checkChain(specs);
    let total = 0;
    for (const spec of specs) total += paramCount(spec);
    const own = kernels.forNet ? kernels.forNet(specs) : kernels;
    const place = own.allocate;
    const allocate = place
      ? (length: number) => place.call(own, length)
      : (length: number) => new Float32Array(length);
    const arena = new ParamArena(total, allocate);
    const layers = withVolumeStorage(allocate, () => specs.map((spec) => createLayer(spec, arena, rng, own)));
    if (arena.used !== total) {
      throw new Error(`Net: layers took ${arena.used} parameters but the specs count ${total}`);
    }
    const last = layers[layers.length - 1];
    if (!isLossLayer(last)) throw new Error(`Net: the last layer is '${last.spec.type}', not a loss`);
    this.specs = specs;
    this.layers = layers;
    this.lossLayer = last;
    this.params = arena.params;
    this.grads = arena.grads;
    this.paramGroups = layers.flatMap((layer) => layer.params);
    this.inputShape = { ...specs[0].out };
    this.outputShape = { ...last.spec.out };
    this.kernels = own;
  }

  /** Desugars and validates ConvNetJS layer definitions (throws SpecError), then builds. */
  static fromDefs(defs: unknown, rng: Rng, kernels?: Kernels): Net {
    return new Net(resolveLayers(defs), rng, kernels);
  }

  /**
   * Runs the example through every layer and returns the loss layer's output (class
   * probabilities for softmax, raw scores for svm and regression). Training mode only
   * changes dropout. The returned volume is reused by the next call.
   */
  forward(x: Volume, isTraining = false): Volume {
    const layers = this.layers;
    let act = x;
    for (let i = 0; i < layers.length; i++) act = layers[i].forward(act, isTraining);
    return act;
  }

  /**
   * Inference on `count` inputs laid end to end in `inputs` (each in the input
   * layer's HWC order): returns their outputs end to end (in `out` when given),
   * each as forward(x, false) gives it. The weights are set up once for the
   * whole batch (the WASM set transposes them once, and uses Winograd and fused
   * multiply-adds where they pay: within 1e-4 relative of forward's); kernels
   * without that route simply run forward per input. For evaluation and prediction:
   * leaves the layers as after some forward (a ReLU layer folded into the conv
   * before it keeps its old output), so no backward may follow.
   */
  forwardBatch(inputs: Float32Array, count: number, out?: Float32Array): Float32Array {
    const inSize = shapeSize(this.inputShape);
    const outSize = shapeSize(this.outputShape);
    if (!Number.isInteger(count) || count < 0) throw new Error(`forwardBatch: count must be a whole number of inputs, got ${count}`);
    if (inputs.length < count * inSize) {
      throw new Error(`forwardBatch: ${count} inputs of ${inSize} values need ${count * inSize} values, got ${inputs.length}`);
    }
    const result = out ?? new Float32Array(count * outSize);
    if (result.length < count * outSize) {
      throw new Error(`forwardBatch: ${count} outputs of ${outSize} values need ${count * outSize} values, the output array has ${result.length}`);
    }
    const { sx, sy, depth } = this.inputShape;
    const input = (this.batchInput ??= new Volume(sx, sy, depth));
    const steps = this.inferenceSteps();
    for (let n = 0; n < count; n++) {
      input.w.set(inputs.subarray(n * inSize, (n + 1) * inSize));
      let act = input;
      for (let i = 0; i < steps.length; i++) act = steps[i](act);
      result.set(act.w, n * outSize);
    }
    return result;
  }

  /**
   * What forwardBatch runs: each layer's inference forward, set up for a batch, one
   * per layer. A layer that a ReLU layer follows takes that ReLU into its own step
   * where it can; the ReLU layer's step then passes its input on (its output volume
   * is not written). Valid until the weights change.
   */
  inferenceSteps(): InferenceForward[] {
    const layers = this.layers;
    const steps: InferenceForward[] = [];
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const withRelu = layers[i + 1]?.spec.type === 'relu' ? layer.prepareInferenceWithRelu?.() : null;
      if (withRelu) {
        steps.push(withRelu, (x) => x);
        i++;
        continue;
      }
      steps.push(layer.prepareInference?.() ?? ((x: Volume) => layer.forward(x, false)));
    }
    return steps;
  }

  /**
   * Backpropagates the loss of the last forward pass against `target` and returns
   * that loss. Parameter gradients accumulate in `grads` until zeroGrads (the
   * trainer sums a batch this way); activation gradients are overwritten.
   * `inputGradient` false leaves the gradient on the network's input (and on the
   * input layer's volume) unwritten: training never reads it, and the first conv
   * layer spends a third of its backward on it.
   */
  backward(target: LossTarget, inputGradient = true): number {
    const layers = this.layers;
    const loss = this.lossLayer.backwardLoss(target);
    for (let i = layers.length - 2; i >= 1; i--) layers[i].backward(i > 1 || inputGradient);
    layers[0].backward(inputGradient);
    return loss;
  }

  /**
   * The gradient on the network's input that `backward(target, false)` left out, from
   * the activation gradients that pass left; the parameter gradients stay as they were
   * (the first layer's backward adds into them again, so its own are put back).
   */
  completeInputGradient(): void {
    const layers = this.layers;
    if (layers.length > 2) {
      const first = layers[1];
      const kept = first.params.map((p) => p.dw.slice());
      first.backward(true);
      first.params.forEach((p, i) => p.dw.set(kept[i]));
    }
    layers[0].backward(true);
  }

  /** Index of the largest output of the last forward pass (the predicted class). */
  getPrediction(): number {
    const out = this.lossLayer.outAct.w;
    let best = 0;
    for (let i = 1; i < out.length; i++) if (out[i] > out[best]) best = i;
    return best;
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }
}

/** Guards the invariants layers rely on; resolveLayers already reports these to users. */
function checkChain(specs: readonly ResolvedLayer[]): void {
  if (specs.length < 2) throw new Error('Net: needs an input layer and a loss layer');
  if (specs[0].type !== 'input') throw new Error(`Net: the first layer is '${specs[0].type}', not 'input'`);
  for (let i = 1; i < specs.length; i++) {
    const prev = specs[i - 1].out;
    const cur = specs[i].in;
    if (prev.sx !== cur.sx || prev.sy !== cur.sy || prev.depth !== cur.depth) {
      throw new Error(
        `Net: layer ${i} (${specs[i].type}) expects ${cur.sx}x${cur.sy}x${cur.depth} ` +
          `but layer ${i - 1} (${specs[i - 1].type}) gives ${prev.sx}x${prev.sy}x${prev.depth}`,
      );
    }
  }
}
