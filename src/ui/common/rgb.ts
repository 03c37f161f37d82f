/**
 * Colour pictures: an RGB image (HWC, three values per pixel, as dataset images and a
 * network's 3-channel input are) painted as colour, where grayscale.ts would paint three
 * gray maps. One range maps every channel alike, so colours keep their balance.
 */
import { valueRange, type PixelTarget, type ValueRange } from './grayscale';

/**
 * The network's input holds pixel/255 - 0.5 (data/mnist.ts, PIXEL_TO_INPUT), so this
 * range draws an input volume in the picture's own colours (shifted-in zeros mid-gray).
 */
export const INPUT_COLOUR_RANGE: ValueRange = { min: -0.5, max: 0.5 };

export interface RgbImage {
  /** width * height * 3 values from `offset`: R, G, B of a pixel side by side, rows top to bottom. */
  values: ArrayLike<number>;
  width: number;
  height: number;
  offset?: number;
}

/** 0..255 for a value in `range`; NaN and a flat range give mid-gray. */
function level(value: number, min: number, factor: number): number {
  const scaled = (value - min) * factor;
  if (!(scaled > 0)) return Number.isNaN(scaled) || factor === 0 ? 127 : 0;
  return scaled < 255 ? Math.round(scaled) : 255;
}

/** Paints the image, each value a scale x scale block, into `target` at (0, 0); the target must be the scaled size. */
export function paintRgb(target: PixelTarget, image: RgbImage, scale: number, range?: ValueRange): void {
  const { values, width, height, offset = 0 } = image;
  const s = Math.max(1, Math.floor(scale));
  if (target.width !== width * s || target.height !== height * s) {
    throw new RangeError(`a ${width}x${height} colour image at ${s}x does not fill ${target.width}x${target.height}`);
  }
  const { min, max } = range ?? valueRange(values, offset, offset + width * height * 3);
  const factor = max > min ? 255 / (max - min) : 0;
  const data = target.data;
  for (let y = 0; y < target.height; y++) {
    const row = Math.floor(y / s) * width;
    for (let x = 0; x < target.width; x++) {
      const source = offset + (row + Math.floor(x / s)) * 3;
      const p = (y * target.width + x) * 4;
      data[p] = level(values[source]!, min, factor);
      data[p + 1] = level(values[source + 1]!, min, factor);
      data[p + 2] = level(values[source + 2]!, min, factor);
      data[p + 3] = 255;
    }
  }
}
