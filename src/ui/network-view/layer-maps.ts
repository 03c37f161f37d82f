/**
 * How a layer's volumes are laid out as pictures for its panel: each group (activations,
 * activation gradients, weights, weight gradients) is one mosaic on one canvas, with a
 * tile per channel for spatial layers, rows of cells for 1x1xN layers, and a block per
 * filter (its input channels side by side) for conv weights. Pure, so the rules are
 * testable without a canvas.
 */
import type { Mosaic, MosaicTile, PixelRect } from '../common/grayscale';
import type { LayerSummary } from '../../training/protocol';
import { formatShape } from '../common/format';

/** The original demo drew spatial maps at 2x and single-number maps (fc, softmax) at 10x. */
export const SPATIAL_SCALE = 2;
export const VECTOR_SCALE = 10;
export const FILTER_SCALE = 4;
/** A 1x1xN volume is drawn as rows of at most this many cells, so wide layers wrap. */
export const STRIP_LENGTH = 40;
/**
 * Mosaics wrap onto more rows past this width: two groups then sit side by side in the
 * panel of a 1280 px wide page. Narrower screens shrink the canvas (aspect kept) in CSS.
 */
export const MOSAIC_MAX_WIDTH = 416;
/** In canvas pixels: the frame around each map (or filter), and the gaps between maps, between filters, between a filter's input channels. */
export const FRAME = 1;
export const MAP_GAP = 2;
export const FILTER_GAP = 6;
export const FILTER_CHANNEL_GAP = 1;

export type MapGroupKind = 'activations' | 'activation gradients' | 'weights' | 'weight gradients';

/** `conv (24x24x8)`, as the original demo titles its panels. */
export function layerTitle(layer: LayerSummary): string {
  return `${layer.type} (${formatShape(layer.out)})`;
}

export function isSpatial(shape: { sx: number; sy: number }): boolean {
  return shape.sx > 1 || shape.sy > 1;
}

/** `count` equal boxes in rows, with as few rows as fit in `maxWidth` and the boxes spread evenly over them. */
export interface Grid {
  columns: number;
  rows: number;
  width: number;
  height: number;
  /** Top-left corner of box i. */
  at(i: number): { left: number; top: number };
}

export function gridLayout(count: number, boxWidth: number, boxHeight: number, gap: number, maxWidth: number): Grid {
  if (count <= 0) return { columns: 0, rows: 0, width: 0, height: 0, at: () => ({ left: 0, top: 0 }) };
  const fit = Math.max(1, Math.floor((maxWidth + gap) / (boxWidth + gap)));
  const rows = Math.ceil(count / Math.min(fit, count));
  const columns = Math.ceil(count / rows);
  return {
    columns,
    rows,
    width: columns * boxWidth + (columns - 1) * gap,
    height: rows * boxHeight + (rows - 1) * gap,
    at: (i) => ({ left: (i % columns) * (boxWidth + gap), top: Math.floor(i / columns) * (boxHeight + gap) }),
  };
}

/** The mosaic of an activation (or activation-gradient) volume of the layer's output shape. */
export function volumeMosaic(layer: LayerSummary): Mosaic {
  const { sx, sy, depth } = layer.out;
  if (isSpatial(layer.out)) {
    const scale = SPATIAL_SCALE;
    // Each channel in its own frame, the frames MAP_GAP apart.
    const grid = gridLayout(depth, sx * scale + 2 * FRAME, sy * scale + 2 * FRAME, MAP_GAP, MOSAIC_MAX_WIDTH);
    const tiles: MosaicTile[] = [];
    const backdrops: PixelRect[] = [];
    for (let d = 0; d < depth; d++) {
      const { left, top } = grid.at(d);
      backdrops.push({ left, top, width: sx * scale + 2 * FRAME, height: sy * scale + 2 * FRAME });
      tiles.push({ left: left + FRAME, top: top + FRAME, width: sx, height: sy, depth, channel: d });
    }
    return { width: grid.width, height: grid.height, scale, tiles, backdrops };
  }
  // 1x1xN: the N values are contiguous, so each row of cells is a 1-high picture at an
  // offset; the rows touch, inside one frame.
  const scale = VECTOR_SCALE;
  const tiles: MosaicTile[] = [];
  for (let start = 0; start < depth; start += STRIP_LENGTH) {
    const top = FRAME + (start / STRIP_LENGTH) * scale;
    tiles.push({ left: FRAME, top, width: Math.min(STRIP_LENGTH, depth - start), height: 1, offset: start });
  }
  const width = Math.min(depth, STRIP_LENGTH) * scale + 2 * FRAME;
  const height = tiles.length * scale + 2 * FRAME;
  return { width, height, scale, tiles, backdrops: [{ left: 0, top: 0, width, height }] };
}

/** Conv filters big enough to look at; 3x3 and smaller read as noise at this size. */
export function showsWeights(layer: LayerSummary): boolean {
  return layer.type === 'conv' && layer.window !== null && (layer.window.sx > 3 || layer.window.sy > 3);
}

/**
 * The mosaic of a conv layer's filters (or their gradients): one block per filter holding
 * its input channels. Filter f's weights start at f*sx*sy*inDepth, HWC inside, so input
 * channel d is channel d of a sx x sy x inDepth picture. Each filter is scaled to its own
 * range over all its input channels, as ConvNetJS drew them.
 */
export function filterMosaic(layer: LayerSummary): Mosaic {
  const scale = FILTER_SCALE;
  if (layer.window === null || layer.filters === null) return { width: 0, height: 0, scale, tiles: [] };
  const { sx, sy } = layer.window;
  const inDepth = layer.in.depth;
  const size = sx * sy * inDepth;
  // A filter's input channels FILTER_CHANNEL_GAP apart on one backdrop, framed; filters FILTER_GAP apart.
  const block = gridLayout(inDepth, sx * scale, sy * scale, FILTER_CHANNEL_GAP, MOSAIC_MAX_WIDTH);
  const framedWidth = block.width + 2 * FRAME;
  const framedHeight = block.height + 2 * FRAME;
  const grid = gridLayout(layer.filters, framedWidth, framedHeight, FILTER_GAP, MOSAIC_MAX_WIDTH);
  const tiles: MosaicTile[] = [];
  const backdrops: PixelRect[] = [];
  for (let f = 0; f < layer.filters; f++) {
    const corner = grid.at(f);
    backdrops.push({ ...corner, width: framedWidth, height: framedHeight });
    const rangeOf = { start: f * size, end: (f + 1) * size };
    for (let d = 0; d < inDepth; d++) {
      const inBlock = block.at(d);
      tiles.push({
        left: corner.left + FRAME + inBlock.left,
        top: corner.top + FRAME + inBlock.top,
        width: sx,
        height: sy,
        depth: inDepth,
        channel: d,
        offset: f * size,
        rangeOf,
      });
    }
  }
  return { width: grid.width, height: grid.height, scale, tiles, backdrops };
}

/**
 * The accessible name of a group's canvas: `conv (24x24x8) activations, 8 channels`,
 * `fc (1x1x10) activations, 10 values`, `conv (12x12x16) weights, 16 filters of 5x5x8`.
 */
export function mosaicLabel(layer: LayerSummary, kind: MapGroupKind): string {
  const title = layerTitle(layer);
  if (kind === 'weights' || kind === 'weight gradients') {
    const w = layer.window;
    const filterShape = w ? ` of ${w.sx}x${w.sy}x${layer.in.depth}` : '';
    return `${title} ${kind}, ${count(layer.filters ?? 0, 'filter')}${filterShape}`;
  }
  return `${title} ${kind}, ${count(layer.out.depth, isSpatial(layer.out) ? 'channel' : 'value')}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
