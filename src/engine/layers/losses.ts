import { intField } from '../fields';
import { dims } from '../snapshot-reader';
import { Volume } from '../volume';
import { layerDescriptor, num, outJSON, shapeSize, type LayerJSONBase, type ResolvedBase } from './descriptor';
import type { FcLayerSpec } from './fc';
import { LayerBase, type LossLayer, type LossTarget } from './layer';

export type LossType = 'softmax' | 'svm' | 'regression';

export interface ClassifierLossSpec extends ResolvedBase {
  type: 'softmax' | 'svm';
  numClasses: number;
}
export interface RegressionLossSpec extends ResolvedBase {
  type: 'regression';
  numNeurons: number;
}
export type LossLayerSpec = ClassifierLossSpec | RegressionLossSpec;

export interface LossLayerJSON extends LayerJSONBase {
  layer_type: LossType;
  num_inputs: number;
}

/**
 * The loss layers end a net. Each turns its input (the scores of the fc layer that
 * desugaring puts before it) into an output, and `backwardLoss(target)` writes the
 * gradient of this example's loss into the input's dw and returns the loss.
 * `backward()` instead chains an arbitrary gradient placed in outAct.dw, which
 * lets a loss layer sit under a gradient check like any other layer.
 */
abstract class BaseLossLayer<S extends ClassifierLossSpec | RegressionLossSpec> extends LayerBase<S> implements LossLayer {
  protected readonly size: number;

  constructor(spec: S) {
    // The output is 1x1xn, n the input's size (the loss layer's spec says so).
    super(spec);
    this.size = shapeSize(spec.in);
  }

  abstract backwardLoss(target: LossTarget): number;
}

/** A class index in [0, n), or an error naming the loss layer. */
function classIndex(type: string, target: LossTarget, n: number): number {
  if (typeof target !== 'number' || !Number.isInteger(target) || target < 0 || target >= n) {
    throw new Error(`${type}: target must be a class index from 0 to ${n - 1}, got ${String(target)}`);
  }
  return target;
}

/** A loss on raw scores: its output is its input, and a gradient placed on the output passes through. */
abstract class RawScoreLossLayer<S extends ClassifierLossSpec | RegressionLossSpec> extends BaseLossLayer<S> {
  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.outAct.w.set(input.w);
    return this.outAct;
  }

  backward(): void {
    this.lastInput().dw.set(this.outAct.dw);
  }
}

/**
 * Softmax classifier: out = probabilities exp(x_i) / sum_j exp(x_j); loss is the
 * negative log probability of the target class, gradient p - onehot(target).
 */
export class SoftmaxLayer extends BaseLossLayer<ClassifierLossSpec> {
  /** Probabilities in float64, so -log p stays finite where float32 would round p to 0. */
  private readonly probs: Float64Array;

  constructor(spec: ClassifierLossSpec) {
    super(spec);
    this.probs = new Float64Array(this.size);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    const x = input.w;
    const p = this.probs;
    const n = this.size;
    // Subtracting the max keeps every exp() in (0, 1].
    let max = x[0];
    for (let i = 1; i < n; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(x[i] - max);
      p[i] = e;
      sum += e;
    }
    const out = this.outAct.w;
    for (let i = 0; i < n; i++) {
      p[i] /= sum;
      out[i] = p[i];
    }
    return this.outAct;
  }

  backwardLoss(target: LossTarget): number {
    const dx = this.lastInput().dw;
    const y = classIndex('softmax', target, this.size);
    const p = this.probs;
    for (let i = 0; i < this.size; i++) dx[i] = p[i] - (i === y ? 1 : 0);
    return -Math.log(p[y]);
  }

  /** dx_i = p_i (g_i - sum_j g_j p_j), the softmax Jacobian applied to g. */
  backward(): void {
    const dx = this.lastInput().dw;
    const g = this.outAct.dw;
    const p = this.probs;
    let dot = 0;
    for (let i = 0; i < this.size; i++) dot += g[i] * p[i];
    for (let i = 0; i < this.size; i++) dx[i] = p[i] * (g[i] - dot);
  }
}

/**
 * Multiclass hinge loss on raw scores (out = x): loss = sum over all classes i of
 * max(0, x_i - x_target + 1). As in ConvNetJS the sum includes i = target, which
 * adds a constant 1 to the loss and nothing to the gradient.
 */
export class SvmLayer extends RawScoreLossLayer<ClassifierLossSpec> {
  backwardLoss(target: LossTarget): number {
    const input = this.lastInput();
    const x = input.w;
    const dx = input.dw;
    const y = classIndex('svm', target, this.size);
    const yScore = x[y];
    dx.fill(0);
    let loss = 0;
    for (let i = 0; i < this.size; i++) {
      const margin = x[i] - yScore + 1;
      if (margin > 0) {
        dx[i] += 1;
        dx[y] -= 1;
        loss += margin;
      }
    }
    return loss;
  }
}

/**
 * L2 regression on raw outputs (out = x). The target is a vector of numNeurons
 * values, or a single number that regresses output 0 alone (as later ConvNetJS).
 * loss = 0.5 * sum (x_i - t_i)^2, gradient x_i - t_i.
 *
 * ConvNetJS 0.3.0 returns 2 * sum (x_i - t_i)^2 with the same gradient; its later
 * source uses 0.5, the loss whose gradient this is, and so do we. Weights and
 * updates are therefore identical to 0.3.0's; only the reported loss is a quarter.
 */
export class RegressionLayer extends RawScoreLossLayer<RegressionLossSpec> {
  backwardLoss(target: LossTarget): number {
    const input = this.lastInput();
    const x = input.w;
    const dx = input.dw;
    if (typeof target === 'number') {
      dx.fill(0);
      const diff = x[0] - target;
      dx[0] = diff;
      return 0.5 * diff * diff;
    }
    if (target.length !== this.size) {
      throw new Error(`regression: target must have ${this.size} values, got ${target.length}`);
    }
    let loss = 0;
    for (let i = 0; i < this.size; i++) {
      const diff = x[i] - target[i];
      dx[i] = diff;
      loss += 0.5 * diff * diff;
    }
    return loss;
  }
}

const classesField = intField('num_classes', 1, 'number of classes', true);

/**
 * softmax, svm and regression. ConvNetJS inserts a plain fc layer before each (no bias
 * preference, default decay) so the loss sees exactly one score per class or output.
 */
export const lossLayers = layerDescriptor<LossLayerSpec, LossLayerJSON>({
  types: ['softmax', 'svm', 'regression'],
  fields: { softmax: [classesField], svm: [classesField], regression: [intField('num_neurons', 1, 'number of outputs', true)] },
  isLoss: true,
  expand(def, input) {
    const isRegression = def.type === 'regression';
    const n = num(def, isRegression ? 'num_neurons' : 'num_classes', 0);
    const shape = { sx: 1, sy: 1, depth: n };
    const sourceIndex = def.index;
    const scores: Omit<FcLayerSpec, 'index'> = {
      type: 'fc',
      sourceIndex,
      in: input,
      out: shape,
      numNeurons: n,
      biasPref: 0,
      l1DecayMul: 0,
      l2DecayMul: 1,
    };
    return [
      scores,
      isRegression
        ? { type: 'regression', sourceIndex, in: shape, out: shape, numNeurons: n }
        : { type: def.type as ClassifierLossSpec['type'], sourceIndex, in: shape, out: shape, numClasses: n },
    ];
  },
  create(spec) {
    switch (spec.type) {
      case 'softmax':
        return new SoftmaxLayer(spec);
      case 'svm':
        return new SvmLayer(spec);
      case 'regression':
        return new RegressionLayer(spec);
    }
  },
  toJSON: (spec) => ({ ...outJSON(spec), layer_type: spec.type, num_inputs: shapeSize(spec.in) }),
  fromJSON(reader, prev, base) {
    const numInputs = shapeSize(prev);
    reader.expect('num_inputs', numInputs, `the previous layer's output ${dims(prev)}`);
    reader.expect('out_depth', numInputs, 'num_inputs');
    reader.expect('out_sx', 1, 'a loss layer');
    reader.expect('out_sy', 1, 'a loss layer');
    const out = { sx: 1, sy: 1, depth: numInputs };
    const type = reader.type as LossType;
    return type === 'regression'
      ? { ...base, type, in: prev, out, numNeurons: numInputs }
      : { ...base, type, in: prev, out, numClasses: numInputs };
  },
  definitionLine: (spec) => ({
    fields: [spec.type === 'regression' ? ['num_neurons', spec.numNeurons] : ['num_classes', spec.numClasses]],
  }),
});
