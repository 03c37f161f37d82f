/**
 * Turning a decoded image (RGBA bytes, as canvases and image decoders give them) into a
 * dataset image: gray or colour, at the dataset's size.
 *
 * Layouts: RGBA is 4 bytes per pixel, row-major; the result is `channels` bytes per
 * pixel (HWC), row-major.
 */
import type { Channels } from './dataset';

/**
 * Drops alpha by compositing over white (a transparent background reads as the page
 * behind it) and converts to gray with the Rec. 601 luma weights when `channels` is 1.
 */
export function rgbaToChannels(rgba: Uint8Array | Uint8ClampedArray, pixels: number, channels: Channels): Uint8Array {
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const alpha = rgba[4 * p + 3] / 255;
    const background = 255 * (1 - alpha);
    const r = rgba[4 * p] * alpha + background;
    const g = rgba[4 * p + 1] * alpha + background;
    const b = rgba[4 * p + 2] * alpha + background;
    if (channels === 1) {
      out[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      out[3 * p] = Math.round(r);
      out[3 * p + 1] = Math.round(g);
      out[3 * p + 2] = Math.round(b);
    }
  }
  return out;
}

/** For each output position along one axis, the source positions it reads and their weights (summing to 1). */
interface AxisWeights {
  start: Int32Array;
  length: Int32Array;
  weights: Float32Array[];
}

/**
 * Shrinking averages the source cells an output cell covers (a box filter, with the
 * partly covered ones weighted by their share), so no source pixel is skipped;
 * enlarging interpolates linearly between the two nearest source centres.
 */
function axisWeights(sourceSize: number, targetSize: number): AxisWeights {
  const scale = sourceSize / targetSize;
  const start = new Int32Array(targetSize);
  const length = new Int32Array(targetSize);
  const weights: Float32Array[] = [];
  for (let o = 0; o < targetSize; o++) {
    if (scale >= 1) {
      const from = o * scale;
      const to = from + scale;
      const first = Math.floor(from);
      const last = Math.min(sourceSize - 1, Math.ceil(to) - 1);
      const w = new Float32Array(last - first + 1);
      for (let s = first; s <= last; s++) w[s - first] = (Math.min(to, s + 1) - Math.max(from, s)) / scale;
      start[o] = first;
      length[o] = w.length;
      weights.push(w);
    } else {
      const centre = Math.min(sourceSize - 1, Math.max(0, (o + 0.5) * scale - 0.5));
      const left = Math.floor(centre);
      const right = Math.min(sourceSize - 1, left + 1);
      const t = centre - left;
      start[o] = left;
      length[o] = right === left ? 1 : 2;
      weights.push(right === left ? Float32Array.of(1) : Float32Array.of(1 - t, t));
    }
  }
  return { start, length, weights };
}

/**
 * Resizes an image of `channels` bytes per pixel from sourceWidth x sourceHeight to
 * targetWidth x targetHeight: horizontally first, then vertically.
 */
export function resizeImage(
  source: Uint8Array,
  sourceWidth: number,
  sourceHeight: number,
  channels: number,
  targetWidth: number,
  targetHeight: number,
): Uint8Array {
  if (sourceWidth === targetWidth && sourceHeight === targetHeight) return source;
  const across = axisWeights(sourceWidth, targetWidth);
  const down = axisWeights(sourceHeight, targetHeight);
  const rows = new Float32Array(sourceHeight * targetWidth * channels);
  for (let y = 0; y < sourceHeight; y++) {
    for (let x = 0; x < targetWidth; x++) {
      const w = across.weights[x];
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < across.length[x]; k++) sum += w[k] * source[(y * sourceWidth + across.start[x] + k) * channels + c];
        rows[(y * targetWidth + x) * channels + c] = sum;
      }
    }
  }
  const out = new Uint8Array(targetWidth * targetHeight * channels);
  for (let y = 0; y < targetHeight; y++) {
    const w = down.weights[y];
    for (let x = 0; x < targetWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < down.length[y]; k++) sum += w[k] * rows[((down.start[y] + k) * targetWidth + x) * channels + c];
        out[(y * targetWidth + x) * channels + c] = Math.min(255, Math.max(0, Math.round(sum)));
      }
    }
  }
  return out;
}
