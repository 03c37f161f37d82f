/**
 * The layer probe: what the network's activations and gradients show, and the one pass
 * that makes them show an example without changing training. The layer views, a pinned
 * ("frozen") example, an inspected image and the layer statistics all look through it.
 */
import type { ImageSet } from '../../data/dataset';
import { centerPlacement, createDatasetInput, fillPlaced } from '../../data/dataset-inputs';
import type { Volume } from '../../engine/volume';
import type { LayerView } from '../protocol';
import type { LayerStatsSampler } from './layer-stats-sampler';
import type { SessionModel } from './model';

export class LayerProbe {
  /** The training-set index of the last example trained on this thread's step input, or -1. */
  private lastTrainIndex = -1;
  /** True while the net's activations are those of the last training example (no other pass since). */
  private showsTrainingExample = false;
  /**
   * True while the input layer's gradient is the shown example's too: training leaves
   * it out (ExampleStep), so the first view of the input layer completes it.
   */
  private showsInputGradient = false;
  /** A training example pinned for the layer views ("freeze example"): its crop and label. */
  private frozenExample: { input: Volume; label: number } | null = null;
  /** A person's image shown in the views instead of training (classifyImage), or null. */
  private inspected: Uint8Array | null = null;
  private viewInput: Volume;

  constructor(
    private readonly model: SessionModel,
    private readonly sampler: LayerStatsSampler,
  ) {
    this.viewInput = createDatasetInput(model.net.inputShape, model.dataset);
  }

  /**
   * A training example went through the step: `index` is in the step's input. `shown` says
   * whether the net's activations are still that example's (false after a shared batch,
   * whose last example this thread may not have computed).
   */
  trained(index: number, shown: boolean): void {
    this.lastTrainIndex = index;
    this.showsTrainingExample = shown;
    this.showsInputGradient = false;
  }

  /** Another forward pass (validation, test predictions, a classified image) ran. */
  otherPass(): void {
    this.showsTrainingExample = false;
  }

  /** The weights were replaced under the last example (a roll-back): nothing to replay. */
  forgetTrainingExample(): void {
    this.lastTrainIndex = -1;
    this.showsTrainingExample = false;
  }

  /** A new network: nothing trained, nothing pinned. */
  reset(): void {
    this.forgetTrainingExample();
    this.frozenExample = null;
    this.viewInput = createDatasetInput(this.model.net.inputShape, this.model.dataset);
  }

  /** Shows the person's image (of the dataset's size and channels) in the views (null: back to training). */
  inspect(image: Uint8Array | null): void {
    this.inspected = image;
  }

  /** Pins the last training example (true) or follows training again; returns whether one is pinned. */
  freeze(frozen: boolean): boolean {
    if (!frozen || this.lastTrainIndex < 0) {
      this.frozenExample = null;
      return false;
    }
    const input = createDatasetInput(this.model.net.inputShape, this.model.dataset);
    input.w.set(this.model.step.input.w);
    this.frozenExample = { input, label: this.model.data.train.labels[this.lastTrainIndex] };
    return true;
  }

  /**
   * Right after an update: a backward pass of the example just trained (alone, with the
   * gradients of the next batch, all zero now, put back afterwards) for the sampler.
   */
  sampleLayerStats(label: number, examples: number): void {
    this.probe(this.model.step.input, label, () => this.sampler.afterUpdate(this.model.net, examples));
  }

  /**
   * Copies of the activations and gradients of the given layers: the inspected image, the
   * pinned example, or the last training example. Unknown indices are skipped.
   */
  layerViews(indices: readonly number[]): LayerView[] {
    const net = this.model.net;
    const wanted = indices.filter((i) => Number.isInteger(i) && i >= 0 && i < net.layers.length);
    if (wanted.length === 0) return [];
    const read = () => wanted.map((i) => this.viewOf(i));
    if (this.inspected) {
      const dataset = this.model.dataset;
      fillPlaced(this.viewInput, dataset, singleImageSet(this.inspected), 0, centerPlacement(this.viewInput, dataset));
      return this.probe(this.viewInput, null, read);
    }
    if (this.frozenExample) return this.probe(this.frozenExample.input, this.frozenExample.label, read);
    if (this.showsTrainingExample && !this.showsInputGradient && wanted.includes(0)) {
      net.completeInputGradient();
      this.showsInputGradient = true;
    }
    if (!this.showsTrainingExample && this.lastTrainIndex >= 0) {
      const label = this.model.data.train.labels[this.lastTrainIndex];
      return this.probe(this.model.step.input, label, read, true);
    }
    return read();
  }

  /**
   * Forward and backward of one example, then `read`. The weight gradients summed for the
   * running mini-batch are saved and put back, so looking never changes training. The
   * pass starts from zero gradients, so it shows the example's own weight gradients;
   * a replay of the last training example (`replay`) adds to the batch sum instead, as
   * the views showed it right after training. Label null: backpropagate the predicted class.
   */
  probe<T>(input: Volume, label: number | null, read: () => T, replay = false): T {
    const net = this.model.net;
    const saved = net.grads.slice();
    try {
      if (!replay) net.zeroGrads();
      net.forward(input, false);
      net.backward(this.model.step.targetFor(label ?? net.getPrediction()));
      return read();
    } finally {
      net.grads.set(saved);
      this.showsTrainingExample = replay;
      this.showsInputGradient = replay;
    }
  }

  private viewOf(index: number): LayerView {
    const layer = this.model.net.layers[index];
    const act = layer.outAct;
    const hasWeights = layer.spec.type === 'conv' || layer.spec.type === 'fc';
    const filters = hasWeights ? layer.params.find((p) => p.kind === 'filters') : undefined;
    return {
      index,
      activations: act.w.slice(),
      activationGrads: act.dw.slice(),
      activationRange: range(act.w),
      gradientRange: range(act.dw),
      weights: filters ? filters.w.slice() : null,
      weightGrads: filters ? filters.dw.slice() : null,
    };
  }
}

/** A set of one image, to crop a person's image as the training images are cropped. */
export function singleImageSet(pixels: Uint8Array): ImageSet {
  return { count: 1, images: pixels, labels: new Uint8Array(1) };
}

function range(values: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length === 0 ? { min: 0, max: 0 } : { min, max };
}
