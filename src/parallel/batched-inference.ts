/**
 * The test-time averages of an evaluation plan's images through Net.forwardBatch: the
 * windows of several images are filled side by side and run in one batch with the same
 * weights (set up once per batch; Winograd on the layers that take it), then each image's
 * passes are averaged with predictAveraged's arithmetic (summed in pass order, then scaled
 * by 1/passes, in float32).
 *
 * A window's outputs do not depend on which batch it is in, so any split of a plan over
 * replicas and jobs gives the same numbers, bit for bit. Against the per-input forward
 * they differ by rounding only (within 1e-4 relative, see tests/unit/engine/forward-batch).
 */
import type { ImageGeometry, ImageSet } from '../data/dataset';
import { fillPlaced, type Placement } from '../data/dataset-inputs';
import type { Net } from '../engine/net';
import { Volume } from '../engine/volume';
import { WINDOW_STRIDE, type EvaluationPlan } from './evaluation-plan';

/**
 * Windows per forwardBatch call: enough that setting the weights up per batch is noise,
 * few enough that the inputs (32 x 576 floats for the seed net) stay in cache.
 */
export const INFERENCE_BATCH_WINDOWS = 32;

export class BatchedInference {
  /** The windows of one batch, end to end, and a Volume viewing each (fillPlaced writes into them). */
  private readonly inputs: Float32Array;
  private readonly windows: Volume[];
  private readonly outputs: Float32Array;
  /** Output values per window. */
  readonly outputSize: number;
  /** The window being filled, reused: no allocation per pass. */
  private readonly placement: Placement = { offsetX: 0, offsetY: 0, flip: false };

  constructor(
    readonly net: Net,
    private readonly batchWindows = INFERENCE_BATCH_WINDOWS,
  ) {
    const { sx, sy, depth } = net.inputShape;
    const inputSize = sx * sy * depth;
    this.outputSize = net.outputShape.sx * net.outputShape.sy * net.outputShape.depth;
    this.inputs = new Float32Array(batchWindows * inputSize);
    this.windows = Array.from({ length: batchWindows }, (_, k) => new Volume(sx, sy, depth, this.inputs.subarray(k * inputSize, (k + 1) * inputSize)));
    this.outputs = new Float32Array(batchWindows * this.outputSize);
  }

  /**
   * Images [from, to) of the plan: each image's averaged outputs, image after image
   * (outputSize floats each), into `out` from its start.
   */
  averageInto(set: ImageSet, geometry: ImageGeometry, plan: EvaluationPlan, from: number, to: number, out: Float32Array): Float32Array {
    const size = this.outputSize;
    if (out.length < (to - from) * size) {
      throw new RangeError(`${to - from} images of ${size} outputs do not fit ${out.length} floats`);
    }
    const { passes } = plan;
    const imagesPerBatch = Math.max(1, Math.floor(this.batchWindows / passes));
    for (let first = from; first < to; first += imagesPerBatch) {
      const last = Math.min(to, first + imagesPerBatch);
      this.forwardImages(set, geometry, plan, first, last, out.subarray((first - from) * size));
    }
    return out;
  }

  /** At most batchWindows windows: fill them, one forwardBatch, average per image. */
  private forwardImages(set: ImageSet, geometry: ImageGeometry, plan: EvaluationPlan, first: number, last: number, out: Float32Array): void {
    const { images, passes, offsets } = plan;
    const size = this.outputSize;
    const placement = this.placement;
    const windows = (last - first) * passes;
    // A plan with more passes than a batch holds runs its windows a batch at a time.
    for (let start = 0; start < windows; start += this.batchWindows) {
      const end = Math.min(windows, start + this.batchWindows);
      for (let w = start; w < end; w++) {
        const k = WINDOW_STRIDE * (first * passes + w);
        placement.offsetX = offsets[k];
        placement.offsetY = offsets[k + 1];
        placement.flip = offsets[k + 2] !== 0;
        fillPlaced(this.windows[w - start], geometry, set, images[first + Math.floor(w / passes)], placement);
      }
      this.net.forwardBatch(this.inputs, end - start, this.outputs);
      for (let w = start; w < end; w++) {
        const y = (w - start) * size;
        const at = Math.floor(w / passes) * size;
        // The first pass of an image starts its sum (predictAveraged starts from zeros: 0 + y is y).
        if (w % passes === 0) for (let c = 0; c < size; c++) out[at + c] = 0;
        for (let c = 0; c < size; c++) out[at + c] += this.outputs[y + c];
      }
    }
    const scale = 1 / passes;
    const count = (last - first) * size;
    for (let c = 0; c < count; c++) out[c] *= scale;
  }
}
