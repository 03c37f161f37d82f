import { intField } from '../fields';
import { poolShapeOf, type Kernels, type PoolKernel } from '../kernels/contract';
import { jsKernels } from '../kernels/js-blocked';
import { dims } from '../snapshot-reader';
import { Volume } from '../volume';
import {
  APPENDED_LAYER_FIELDS,
  WINDOW_FIELDS,
  layerDescriptor,
  outJSON,
  readWindow,
  readWindowOutput,
  windowOf,
  windowOutputShape,
  windowSizeFields,
  type DefinitionField,
  type LayerJSONBase,
  type ResolvedBase,
} from './descriptor';
import { LayerBase, type InferenceForward } from './layer';

export { validTaps } from '../kernels/js-pool';

export interface PoolLayerSpec extends ResolvedBase {
  type: 'pool';
  sx: number;
  sy: number;
  stride: number;
  pad: number;
}
export interface PoolLayerJSON extends LayerJSONBase {
  layer_type: 'pool';
  sx: number;
  sy: number;
  stride: number;
  in_depth: number;
  pad: number;
}

/**
 * Max pooling over sx x sy windows at the given stride, channel by channel. Padding
 * is never a candidate: a window's max is over the input cells it covers. Forward
 * records which input cell won (the switch), and backward routes each gradient there.
 * The loops live in a PoolKernel (TypeScript or WASM, see kernels.ts).
 */
export class PoolLayer extends LayerBase<PoolLayerSpec> {
  private readonly kernel: PoolKernel;

  constructor(spec: PoolLayerSpec, kernels: Kernels = jsKernels) {
    super(spec);
    const shape = poolShapeOf(spec);
    this.kernel = kernels.pool ? kernels.pool(shape) : jsKernels.pool(shape);
  }

  /** Flat input index of each output's maximum, -1 for an all-padding window. */
  get switches(): Int32Array {
    return this.kernel.switches;
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    this.kernel.forward(input.w, this.outAct.w);
    return this.outAct;
  }

  backward(): void {
    const input = this.lastInput();
    this.kernel.backward(this.outAct.dw, input.dw);
  }

  /** Inference keeps no switches, where the kernel can skip them. */
  prepareInference(): InferenceForward | null {
    const kernel = this.kernel;
    if (!kernel.forwardValues) return null;
    const forwardValues = kernel.forwardValues.bind(kernel);
    return (input) => {
      this.inAct = input;
      forwardValues(input.w, this.outAct.w);
      return this.outAct;
    };
  }
}

export const poolLayer = layerDescriptor<PoolLayerSpec, PoolLayerJSON>({
  types: ['pool'],
  fields: {
    pool: [...WINDOW_FIELDS, intField('stride', 1, 'step between windows; default 2'), ...APPENDED_LAYER_FIELDS],
  },
  expand(def, input, problems) {
    const window = windowOf(def, 2);
    const { sx, sy, pad, stride } = window;
    if (pad >= Math.min(sx, sy)) {
      // A window lying wholly in the padding has no input to take the max of.
      problems.report(
        'pad',
        `pad ${pad} is not smaller than the window (${sx}x${sy}), so some windows would cover only padding; use pad at most ${Math.min(sx, sy) - 1}`,
      );
      return null;
    }
    const size = windowOutputShape(def, input, window, problems);
    if (size === null) return null;
    const out = { sx: size.sx, sy: size.sy, depth: input.depth };
    return [{ type: 'pool', sourceIndex: def.index, in: input, out, sx, sy, stride, pad }];
  },
  create: (spec, _arena, _rng, kernels) => new PoolLayer(spec, kernels),
  toJSON: (spec) => ({
    sx: spec.sx,
    sy: spec.sy,
    stride: spec.stride,
    in_depth: spec.in.depth,
    ...outJSON(spec),
    layer_type: 'pool',
    pad: spec.pad,
  }),
  fromJSON(reader, prev, base) {
    const window = readWindow(reader, prev);
    reader.expect('out_depth', prev.depth, `an input of ${dims(prev)}`);
    const size = readWindowOutput(reader, prev, window);
    return { ...base, type: 'pool', in: prev, out: { ...size, depth: prev.depth }, ...window };
  },
  definitionLine(spec) {
    const fields: DefinitionField[] = [...windowSizeFields(spec), ['stride', spec.stride]];
    if (spec.pad !== 0) fields.push(['pad', spec.pad]);
    return { fields };
  },
});
