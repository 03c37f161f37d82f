/**
 * The one place where a block of numbers becomes a grayscale picture. Every panel that
 * shows activations, gradients, weights, test digits or the user's image goes through
 * `drawGrayscale`, so scaling and layout rules are the same everywhere.
 *
 * Layout: values are HWC as in ConvNetJS volumes, value(x, y, d) at
 * offset + ((width * y) + x) * depth + d. One call draws one channel `d`.
 */

export interface GrayscaleImage {
  values: ArrayLike<number>;
  width: number;
  height: number;
  /** Channels interleaved in `values` (HWC); defaults to 1. */
  depth?: number;
  /** Which channel to draw; defaults to 0. */
  channel?: number;
  /** Where this image starts in `values` (e.g. filter f of a conv layer); defaults to 0. */
  offset?: number;
}

export interface GrayscaleOptions {
  /** Each value becomes a scale x scale block of pixels (nearest neighbour, crisp). */
  scale: number;
  /**
   * The value range mapped to black..white. Omit it to auto-scale to this channel's own
   * min..max; pass a layer-wide range so all channels of a layer are comparable.
   */
  range?: { min: number; max: number };
}

/** Min and max of values[start..end), ignoring non-finite values; {0, 0} when there are none. */
export function valueRange(values: ArrayLike<number>, start = 0, end = values.length): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

/** Min and max of one channel, ignoring non-finite values (a NaN must not blank the picture). */
export function channelRange(image: GrayscaleImage): { min: number; max: number } {
  const { values, width, height, depth = 1, channel = 0, offset = 0 } = image;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0, n = width * height; i < n; i++) {
    const v = values[offset + i * depth + channel]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

/**
 * RGBA bytes of the scaled picture, (width*scale) x (height*scale). A flat channel
 * (max == min) is drawn mid-gray rather than dividing by zero; NaN draws black.
 */
export function grayscaleRGBA(image: GrayscaleImage, options: GrayscaleOptions): Uint8ClampedArray {
  const { values, width, height, depth = 1, channel = 0, offset = 0 } = image;
  const scale = Math.max(1, Math.floor(options.scale));
  const { min, max } = options.range ?? channelRange(image);
  const span = max - min;
  const outWidth = width * scale;
  const rgba = new Uint8ClampedArray(outWidth * height * scale * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[offset + (width * y + x) * depth + channel]!;
      const level = span > 0 ? ((v - min) / span) * 255 : 127;
      const gray = Number.isFinite(level) ? level : 0;
      for (let dy = 0; dy < scale; dy++) {
        let p = ((y * scale + dy) * outWidth + x * scale) * 4;
        for (let dx = 0; dx < scale; dx++, p += 4) {
          rgba[p] = gray;
          rgba[p + 1] = gray;
          rgba[p + 2] = gray;
          rgba[p + 3] = 255;
        }
      }
    }
  }
  return rgba;
}

/** Resizes the canvas to the scaled picture and paints it. Does nothing without a 2D context. */
export function drawGrayscale(canvas: HTMLCanvasElement, image: GrayscaleImage, options: GrayscaleOptions): void {
  const scale = Math.max(1, Math.floor(options.scale));
  const w = image.width * scale;
  const h = image.height * scale;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  // A CPU-backed canvas: these pictures are small and many, and GPU-backed canvases each
  // become a compositing layer, which made layerizing the page the main-thread bottleneck.
  const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  if (!ctx) return;
  const pixels = ctx.createImageData(w, h);
  pixels.data.set(grayscaleRGBA(image, options));
  ctx.putImageData(pixels, 0, 0);
}
