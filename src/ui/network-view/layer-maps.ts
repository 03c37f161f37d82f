/**
 * How a layer's volumes are cut into pictures for its panel: one picture per channel for
 * spatial layers, strips for 1x1xN layers, one picture per filter and input channel for
 * conv weights. Pure, so the rules are testable without a canvas.
 */
import type { GrayscaleImage } from '../common/grayscale';
import type { LayerSummary } from '../../training/protocol';

/** The original demo drew spatial maps at 2x and single-number maps (fc, softmax) at 10x. */
export const SPATIAL_SCALE = 2;
export const VECTOR_SCALE = 10;
export const FILTER_SCALE = 4;
/** A 1x1xN volume is drawn as strips of at most this many cells, so wide layers wrap. */
export const STRIP_LENGTH = 40;

export interface LayerMap extends GrayscaleImage {
  key: string;
  scale: number;
}

export function isSpatial(shape: { sx: number; sy: number }): boolean {
  return shape.sx > 1 || shape.sy > 1;
}

/** Pictures of an activation (or activation-gradient) volume of the layer's output shape. */
export function volumeMaps(layer: LayerSummary, values: Float32Array): LayerMap[] {
  const { sx, sy, depth } = layer.out;
  if (isSpatial(layer.out)) {
    return Array.from({ length: depth }, (_, d) => ({
      key: `c${d}`,
      values,
      width: sx,
      height: sy,
      depth,
      channel: d,
      scale: SPATIAL_SCALE,
    }));
  }
  // 1x1xN: the N values are contiguous, so each strip is a 1-row picture at an offset.
  const strips: LayerMap[] = [];
  for (let start = 0; start < depth; start += STRIP_LENGTH) {
    strips.push({
      key: `s${start}`,
      values,
      width: Math.min(STRIP_LENGTH, depth - start),
      height: 1,
      offset: start,
      scale: VECTOR_SCALE,
    });
  }
  return strips;
}

/** Conv filters big enough to look at; 3x3 and smaller read as noise at this size. */
export function showsWeights(layer: LayerSummary): boolean {
  return layer.type === 'conv' && layer.window !== null && (layer.window.sx > 3 || layer.window.sy > 3);
}

/**
 * One picture per (filter, input channel). Filter f's weights start at f*sx*sy*inDepth,
 * HWC inside, so input channel d is channel d of a sx x sy x inDepth picture.
 */
export function filterMaps(layer: LayerSummary, weights: Float32Array): Array<LayerMap & { filter: number }> {
  if (layer.window === null || layer.filters === null) return [];
  const { sx, sy } = layer.window;
  const inDepth = layer.in.depth;
  const size = sx * sy * inDepth;
  const maps: Array<LayerMap & { filter: number }> = [];
  for (let f = 0; f < layer.filters; f++) {
    for (let d = 0; d < inDepth; d++) {
      maps.push({
        key: `f${f}d${d}`,
        filter: f,
        values: weights,
        width: sx,
        height: sy,
        depth: inDepth,
        channel: d,
        offset: f * size,
        scale: FILTER_SCALE,
      });
    }
  }
  return maps;
}
