import { Volume } from '../volume';
import type { ResolvedLayer } from './registry';

/**
 * One block of trainable values with its gradient. `w` and `dw` are views into the
 * net's single parameter and gradient buffers (see ParamArena), so a trainer, a
 * snapshot or a worker can treat all parameters as one flat array.
 */
export interface ParamGroup {
  /** What the values are, for views and snapshots: 'filters' (conv/fc weights) or 'biases'. */
  kind: 'filters' | 'biases';
  w: Float32Array;
  dw: Float32Array;
  l1DecayMul: number;
  l2DecayMul: number;
}

/**
 * A layer computes out = f(in) in forward, and in backward turns the gradient in
 * `outAct.dw` into the gradient on its input (`inAct.dw`, overwritten) and on its
 * parameters (accumulated over a batch until the trainer clears them).
 */
export interface Layer {
  readonly spec: ResolvedLayer;
  /** Output of the last forward pass; allocated once, reused every pass. */
  readonly outAct: Volume;
  /** The input of the last forward pass (owned by the previous layer). */
  readonly inAct: Volume | null;
  forward(input: Volume, isTraining: boolean): Volume;
  /**
   * `withInputGradient` false: the gradient on this layer's input is not wanted (the
   * network's input, in training); a layer may then skip it, leaving inAct.dw stale.
   */
  backward(withInputGradient?: boolean): void;
  /** Empty for layers without parameters. */
  readonly params: readonly ParamGroup[];
  /**
   * For a run of inference forwards with unchanged weights (Net.forwardBatch): sets
   * the layer's kernel up once and returns its faster forward, which gives the
   * same outputs as forward(input, false); null (or absent) when the layer has no
   * such route, and forward is used.
   */
  prepareInference?(): InferenceForward | null;
  /**
   * prepareInference's forward followed by a ReLU layer's, in one step, for a layer
   * that a ReLU layer follows (Net.forwardBatch then skips that layer); null (or
   * absent) where the layer cannot.
   */
  prepareInferenceWithRelu?(): InferenceForward | null;
}

/** One layer's inference forward, valid until its weights change (see Layer.prepareInference). */
export type InferenceForward = (input: Volume) => Volume;

/**
 * What every layer class shares: its spec, an output volume of the spec's output shape
 * (allocated once, reused every pass) and the input of the last forward pass.
 * Layers with parameters pass them in; the others have none.
 */
export abstract class LayerBase<S extends ResolvedLayer> implements Layer {
  readonly spec: S;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[];

  constructor(spec: S, params: readonly ParamGroup[] = []) {
    this.spec = spec;
    this.params = params;
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
  }

  abstract forward(input: Volume, isTraining: boolean): Volume;
  abstract backward(withInputGradient?: boolean): void;

  /** The input of the last forward pass, which backward needs. */
  protected lastInput(): Volume {
    if (!this.inAct) throw new Error(`${this.spec.type}: backward before forward`);
    return this.inAct;
  }
}

/** Target of a loss: a class index for softmax/svm, a vector for regression. */
export type LossTarget = number | ArrayLike<number>;

export interface LossLayer extends Layer {
  /** Sets inAct.dw from the target and returns this example's loss. */
  backwardLoss(target: LossTarget): number;
}

/**
 * Hands out consecutive slices of one parameter buffer and one gradient buffer.
 * The net sizes the arena from the specs' paramCount before building layers.
 */
export class ParamArena {
  readonly params: Float32Array;
  readonly grads: Float32Array;
  private offset = 0;

  /** `allocate` places the two buffers (e.g. in a WASM memory); by default they are fresh arrays. */
  constructor(total: number, allocate: (length: number) => Float32Array = (n) => new Float32Array(n)) {
    this.params = allocate(total);
    this.grads = allocate(total);
  }

  take(kind: ParamGroup['kind'], length: number, l1DecayMul: number, l2DecayMul: number): ParamGroup {
    const start = this.offset;
    const end = start + length;
    if (end > this.params.length) {
      throw new Error(`ParamArena overflow: need ${end}, have ${this.params.length}`);
    }
    this.offset = end;
    return {
      kind,
      w: this.params.subarray(start, end),
      dw: this.grads.subarray(start, end),
      l1DecayMul,
      l2DecayMul,
    };
  }

  get used(): number {
    return this.offset;
  }
}
