/**
 * Which input pixels can influence one output position of a layer: its receptive field,
 * followed back through the chain of layers from their shapes and windows. Pure, so the
 * arithmetic is tested without a page.
 */
import type { LayerSummary } from '../../training/protocol';

/** Inclusive pixel bounds on the network's input (layer 0's output). */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The receptive field of position (x, y) of layer `layerIndex`'s output, on the input.
 * A conv or pool window maps output span [a, b] to input span
 * [a*stride - pad, b*stride - pad + size - 1]; element-wise and channel-wise layers
 * (relu, dropout, lrn, maxout, ...) keep positions; fc and the losses see every input.
 * Each step is clipped to its input, because padding reads zeros, not pixels.
 */
export function receptiveField(layers: readonly LayerSummary[], layerIndex: number, x: number, y: number): PixelBox {
  const layer = layers[layerIndex];
  if (!layer) throw new RangeError(`there is no layer ${layerIndex}`);
  if (x < 0 || y < 0 || x >= layer.out.sx || y >= layer.out.sy) {
    throw new RangeError(`(${x}, ${y}) is outside layer ${layerIndex}'s ${layer.out.sx}x${layer.out.sy} output`);
  }
  let box: PixelBox = { x0: x, y0: y, x1: x, y1: y };
  for (let i = layerIndex; i > 0; i--) {
    const l = layers[i]!;
    const { sx, sy } = l.in;
    if (l.window) {
      const { sx: wx, sy: wy, stride, pad } = l.window;
      box = {
        x0: box.x0 * stride - pad,
        y0: box.y0 * stride - pad,
        x1: box.x1 * stride - pad + wx - 1,
        y1: box.y1 * stride - pad + wy - 1,
      };
    } else if (l.out.sx !== sx || l.out.sy !== sy) {
      // A layer that changes the spatial size without a window (fc, losses) mixes everything.
      box = { x0: 0, y0: 0, x1: sx - 1, y1: sy - 1 };
    }
    box = {
      x0: Math.max(0, box.x0),
      y0: Math.max(0, box.y0),
      x1: Math.min(sx - 1, box.x1),
      y1: Math.min(sy - 1, box.y1),
    };
  }
  return box;
}
