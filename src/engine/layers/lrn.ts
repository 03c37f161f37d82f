import { floatField, intField } from '../fields';
import { Volume } from '../volume';
import { APPENDED_LAYER_FIELDS, layerDescriptor, num, type LayerJSONBase, type ResolvedBase } from './descriptor';
import { LayerBase } from './layer';

export interface LrnLayerSpec extends ResolvedBase {
  type: 'lrn';
  k: number;
  n: number;
  alpha: number;
  beta: number;
}
export interface LrnLayerJSON extends LayerJSONBase {
  layer_type: 'lrn';
  k: number;
  n: number;
  alpha: number;
  beta: number;
}

/**
 * Local response normalization across channels (ConvNetJS's 'lrn'): at each (x, y),
 *   out_i = a_i / S_i^beta,  S_i = k + (alpha / n) * sum of a_j^2 over the n channels
 * centred on i (clipped at the first and last channel).
 *
 * Backward is the exact derivative, d out_i / d a_j = [i = j] S_i^-beta
 * - (2 alpha beta / n) a_i a_j S_i^(-beta-1). ConvNetJS 0.3.0 writes a_j a_j for
 * a_i a_j (its source calls its gradient check "funky"); the two agree only when
 * n = 1, so gradients here differ from ConvNetJS's when n > 1, and are the right ones.
 */
export class LrnLayer extends LayerBase<LrnLayerSpec> {
  /** S_i from the last forward pass. */
  private readonly sums: Float64Array;
  /** S_i^-beta from the last forward pass. */
  private readonly scales: Float64Array;

  constructor(spec: LrnLayerSpec) {
    super(spec);
    this.sums = new Float64Array(this.outAct.size);
    this.scales = new Float64Array(this.outAct.size);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    const a = input.w;
    const out = this.outAct.w;
    const { k, n, alpha, beta } = this.spec;
    const half = Math.floor(n / 2);
    const depth = this.spec.in.depth;
    const cells = this.spec.in.sx * this.spec.in.sy;
    const norm = alpha / n;
    for (let c = 0; c < cells; c++) {
      const base = c * depth;
      for (let i = 0; i < depth; i++) {
        const j0 = Math.max(0, i - half);
        const j1 = Math.min(depth - 1, i + half);
        let sq = 0;
        for (let j = j0; j <= j1; j++) {
          const v = a[base + j];
          sq += v * v;
        }
        const s = k + norm * sq;
        const scale = Math.pow(s, -beta);
        this.sums[base + i] = s;
        this.scales[base + i] = scale;
        out[base + i] = a[base + i] * scale;
      }
    }
    return this.outAct;
  }

  backward(): void {
    const input = this.lastInput();
    const a = input.w;
    const dx = input.dw;
    const dy = this.outAct.dw;
    const { n, alpha, beta } = this.spec;
    const half = Math.floor(n / 2);
    const depth = this.spec.in.depth;
    const cells = this.spec.in.sx * this.spec.in.sy;
    const cross = (-2 * alpha * beta) / n;
    dx.fill(0);
    for (let c = 0; c < cells; c++) {
      const base = c * depth;
      for (let i = 0; i < depth; i++) {
        const g = dy[base + i];
        if (g === 0) continue;
        const scale = this.scales[base + i];
        dx[base + i] += g * scale;
        const coef = (cross * a[base + i] * g * scale) / this.sums[base + i];
        const j0 = Math.max(0, i - half);
        const j1 = Math.min(depth - 1, i + half);
        for (let j = j0; j <= j1; j++) dx[base + j] += coef * a[base + j];
      }
    }
  }
}

export const lrnLayer = layerDescriptor<LrnLayerSpec, LrnLayerJSON>({
  types: ['lrn'],
  fields: {
    lrn: [
      floatField('k', 'additive constant of the normaliser', { min: 0, minInclusive: false }, true),
      intField('n', 1, 'channels in the normalisation window (odd)', true),
      floatField('alpha', 'scale of the sum of squares', { min: 0 }, true),
      floatField('beta', 'exponent of the normaliser', {}, true),
      ...APPENDED_LAYER_FIELDS,
    ],
  },
  checkValues(def, problems) {
    const n = def.values.n;
    if (typeof n !== 'number' || n % 2 !== 0) return true;
    problems.report('n', `n ${n} must be odd so the window is centred on each channel; use ${n - 1} or ${n + 1}`);
    return false;
  },
  expand(def, input) {
    const [k, n, alpha, beta] = [num(def, 'k', 0), num(def, 'n', 0), num(def, 'alpha', 0), num(def, 'beta', 0)];
    return [{ type: 'lrn', sourceIndex: def.index, in: input, out: input, k, n, alpha, beta }];
  },
  create: (spec) => new LrnLayer(spec),
  toJSON: (spec) => ({
    k: spec.k,
    n: spec.n,
    alpha: spec.alpha,
    beta: spec.beta,
    out_sx: spec.out.sx,
    out_sy: spec.out.sy,
    out_depth: spec.out.depth,
    layer_type: 'lrn',
  }),
  fromJSON(reader, prev, base) {
    reader.expectSameShape(prev);
    const k = reader.atLeast('k', 0, true);
    const n = reader.integer('n', 1);
    if (n % 2 === 0) reader.fail('n', `${n} must be odd so the window is centred on each channel`);
    const alpha = reader.atLeast('alpha', 0);
    const beta = reader.atLeast('beta', 0);
    return { ...base, type: 'lrn', in: prev, out: prev, k, n, alpha, beta };
  },
  definitionLine: (spec) => ({
    fields: [
      ['k', spec.k],
      ['n', spec.n],
      ['alpha', spec.alpha],
      ['beta', spec.beta],
    ],
  }),
});
