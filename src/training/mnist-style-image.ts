/**
 * Turns any decoded picture of a digit into a 28x28 image the way MNIST was made:
 * light digit on a dark background, the digit scaled (aspect kept) to fit a 20x20 box
 * and placed so its centre of mass sits at the centre of the 28x28 frame.
 *
 * Pure arithmetic on RGBA bytes: the page decodes the file (canvas) and hands the
 * pixels here, so this runs and is tested in Node.
 */

export const MNIST_SIZE = 28;
/** MNIST digits were size-normalised to a 20x20 box inside the 28x28 frame. */
const DIGIT_BOX = 20;

export type MnistStyleResult = { ok: true; pixels: Uint8Array } | { ok: false; error: string };

/**
 * rgba: width*height*4 bytes, row-major, as ImageData.data.
 * Returns 784 bytes 0..255 (0 = background), or a reason when there is no digit to find.
 */
export function toMnistStyle(rgba: ArrayLike<number>, width: number, height: number): MnistStyleResult {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    return { ok: false, error: `The image has no pixels (${width}x${height}).` };
  }
  if (rgba.length !== width * height * 4) {
    return { ok: false, error: `Expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}.` };
  }
  const ink = inkMap(rgba, width, height);
  const box = inkBoundingBox(ink, width, height);
  if (!box) {
    return { ok: false, error: 'The image looks blank: no digit stands out from the background.' };
  }
  const scale = DIGIT_BOX / Math.max(box.w, box.h);
  const outW = Math.max(1, Math.round(box.w * scale));
  const outH = Math.max(1, Math.round(box.h * scale));
  const digit = resampleArea(ink, width, box, outW, outH);
  return { ok: true, pixels: placeByCentreOfMass(digit, outW, outH) };
}

/**
 * Ink intensity per pixel in [0, 1], 1 = digit. The background is whatever the border
 * mostly is: transparent borders mean ink = opacity; a light border means a dark digit
 * on paper, so intensities are inverted. The background level maps to 0 and the
 * strongest ink to 1, which undoes grey paper and faint pens.
 */
function inkMap(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const n = width * height;
  const gray = new Float32Array(n);
  const alpha = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i];
    const g = rgba[4 * i + 1];
    const b = rgba[4 * i + 2];
    alpha[i] = rgba[4 * i + 3] / 255;
    gray[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  }
  const border = borderIndices(width, height);
  const borderAlpha = mean(border.map((i) => alpha[i]));
  const ink = new Float32Array(n);
  if (borderAlpha < 0.5) {
    for (let i = 0; i < n; i++) ink[i] = alpha[i];
  } else {
    // Composite over the border's own colour so semi-transparent edges fade into it.
    const borderGray = median(border.map((i) => gray[i]));
    const invert = borderGray > 0.5;
    for (let i = 0; i < n; i++) {
      const g = alpha[i] * gray[i] + (1 - alpha[i]) * borderGray;
      ink[i] = invert ? 1 - g : g;
    }
  }
  const background = median(border.map((i) => ink[i]));
  let max = 0;
  for (let i = 0; i < n; i++) {
    ink[i] = Math.max(0, ink[i] - background);
    if (ink[i] > max) max = ink[i];
  }
  // A nearly flat picture has no digit; leave it all zero so the bounding box is empty.
  if (max < 0.1) return new Float32Array(n);
  for (let i = 0; i < n; i++) ink[i] /= max;
  return ink;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The smallest rectangle holding every pixel with noticeable ink; null when there is none. */
function inkBoundingBox(ink: Float32Array, width: number, height: number): Box | null {
  const threshold = 0.2;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/**
 * Area-weighted resampling of `box` to outW x outH: each output pixel is the mean of
 * the source area it covers (fractional overlaps weighted), which anti-aliases when
 * shrinking the way MNIST's size normalisation did.
 */
function resampleArea(src: Float32Array, srcWidth: number, box: Box, outW: number, outH: number): Float32Array {
  const out = new Float32Array(outW * outH);
  const sx = box.w / outW;
  const sy = box.h / outH;
  for (let oy = 0; oy < outH; oy++) {
    const fy0 = oy * sy;
    const fy1 = fy0 + sy;
    for (let ox = 0; ox < outW; ox++) {
      const fx0 = ox * sx;
      const fx1 = fx0 + sx;
      let sum = 0;
      for (let y = Math.floor(fy0); y < Math.ceil(fy1); y++) {
        const wy = Math.min(fy1, y + 1) - Math.max(fy0, y);
        if (wy <= 0) continue;
        const row = (box.y + y) * srcWidth + box.x;
        for (let x = Math.floor(fx0); x < Math.ceil(fx1); x++) {
          const wx = Math.min(fx1, x + 1) - Math.max(fx0, x);
          if (wx > 0) sum += wx * wy * src[row + x];
        }
      }
      out[oy * outW + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/** Pastes the digit into a 28x28 frame with its centre of mass on pixel (14, 14), staying in frame. */
function placeByCentreOfMass(digit: Float32Array, w: number, h: number): Uint8Array {
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = digit[y * w + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  cx = mass > 0 ? cx / mass : w / 2;
  cy = mass > 0 ? cy / mass : h / 2;
  // MNIST puts the mass centre on pixel (14, 14), whose middle is at 14.5 in these coordinates.
  const centre = MNIST_SIZE / 2 + 0.5;
  const left = clamp(Math.round(centre - cx), 0, MNIST_SIZE - w);
  const top = clamp(Math.round(centre - cy), 0, MNIST_SIZE - h);
  const out = new Uint8Array(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      out[(top + y) * MNIST_SIZE + left + x] = Math.round(255 * clamp(digit[y * w + x], 0, 1));
    }
  }
  return out;
}

function borderIndices(width: number, height: number): number[] {
  const out: number[] = [];
  for (let x = 0; x < width; x++) {
    out.push(x);
    if (height > 1) out.push((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    out.push(y * width);
    if (width > 1) out.push(y * width + width - 1);
  }
  return out;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
