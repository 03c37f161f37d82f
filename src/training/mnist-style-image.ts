/**
 * Turns any decoded picture of a digit into a 28x28 image the way MNIST was made:
 * light digit on a dark background, the digit scaled (aspect kept) to fit a 20x20 box
 * and placed so its centre of mass sits at the centre of the 28x28 frame. A glyph for a
 * grayscale set of another size is made the same way, the box scaled with the frame
 * (toGlyphStyle); a picture for any other dataset is resized to its size and channels
 * as it is (toDatasetImage).
 *
 * Pure arithmetic on RGBA bytes: the page decodes the file (canvas) and hands the
 * pixels here, so this runs and is tested in Node.
 */

export const MNIST_SIZE = 28;
/** MNIST digits were size-normalised to a 20x20 box inside the 28x28 frame. */
const DIGIT_BOX = 20;

export type MnistStyleResult = { ok: true; pixels: Uint8Array } | { ok: false; error: string };

/**
 * What a person's picture is called in messages: a digit for MNIST, a shape for any other
 * dataset (whose classes may be clothes, letters or photos, even at MNIST's 28x28).
 */
export type PictureSubject = 'digit' | 'shape';

/**
 * rgba: width*height*4 bytes, row-major, as ImageData.data.
 * Returns 784 bytes 0..255 (0 = background), or a reason when there is no digit to find.
 */
export function toMnistStyle(rgba: ArrayLike<number>, width: number, height: number, subject: PictureSubject = 'digit'): MnistStyleResult {
  return toGlyphStyle(rgba, width, height, { width: MNIST_SIZE, height: MNIST_SIZE }, subject);
}

/** What a picture is turned into: a dataset's image size and channels. */
export interface TargetShape {
  width: number;
  height: number;
  channels?: 1 | 3;
}

function rgbaProblem(rgba: ArrayLike<number>, width: number, height: number): string | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    return `The image has no pixels (${width}x${height}).`;
  }
  if (rgba.length !== width * height * 4) {
    return `Expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}.`;
  }
  return null;
}

/**
 * MNIST's preparation for a grayscale frame of any size: the glyph fits a box of 20/28
 * of the frame's shorter side, its centre of mass at the frame's centre. For 28x28 this
 * is exactly toMnistStyle. Returns frame.width * frame.height bytes.
 */
export function toGlyphStyle(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  frame: TargetShape,
  subject: PictureSubject = 'digit',
): MnistStyleResult {
  const problem = rgbaProblem(rgba, width, height);
  if (problem) return { ok: false, error: problem };
  const ink = inkMap(rgba, width, height);
  const box = inkBoundingBox(ink, width, height);
  if (!box) {
    return { ok: false, error: `The image looks blank: no ${subject} stands out from the background.` };
  }
  const glyphBox = Math.max(1, Math.round((DIGIT_BOX / MNIST_SIZE) * Math.min(frame.width, frame.height)));
  const scale = glyphBox / Math.max(box.w, box.h);
  const outW = Math.max(1, Math.round(box.w * scale));
  const outH = Math.max(1, Math.round(box.h * scale));
  const digit = resampleArea(ink, width, box, outW, outH);
  return { ok: true, pixels: placeByCentreOfMass(digit, outW, outH, frame) };
}

/**
 * A picture for a dataset's network: MNIST's preparation for 28x28 grayscale sets;
 * otherwise the picture as it is, its centre cropped to the dataset's aspect and
 * area-resampled to width x height, gray (luminance) for one channel and colour (HWC)
 * for three. Transparent pixels are taken as white, as a page shows them.
 */
export function toDatasetImage(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  target: Required<TargetShape>,
  subject: PictureSubject = 'digit',
): MnistStyleResult {
  if (target.channels === 1 && target.width === MNIST_SIZE && target.height === MNIST_SIZE) {
    return toMnistStyle(rgba, width, height, subject);
  }
  const problem = rgbaProblem(rgba, width, height);
  if (problem) return { ok: false, error: problem };
  const n = width * height;
  const planes = Array.from({ length: target.channels }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const alpha = rgba[4 * i + 3]! / 255;
    const over = (v: number) => (alpha * v) / 255 + (1 - alpha);
    const r = over(rgba[4 * i]!);
    const g = over(rgba[4 * i + 1]!);
    const b = over(rgba[4 * i + 2]!);
    if (target.channels === 1) planes[0]![i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else [planes[0]![i], planes[1]![i], planes[2]![i]] = [r, g, b];
  }
  const box = centredCrop(width, height, target.width / target.height);
  const resized = planes.map((plane) => resampleArea(plane, width, box, target.width, target.height));
  const pixels = new Uint8Array(target.width * target.height * target.channels);
  for (let i = 0; i < target.width * target.height; i++) {
    for (let c = 0; c < target.channels; c++) pixels[i * target.channels + c] = Math.round(255 * clamp(resized[c]![i]!, 0, 1));
  }
  return { ok: true, pixels };
}

/** The largest centred rectangle of the picture with the given width/height ratio. */
function centredCrop(width: number, height: number, aspect: number): Box {
  if (width / height > aspect) {
    const w = Math.max(1, Math.min(width, Math.round(height * aspect)));
    return { x: Math.floor((width - w) / 2), y: 0, w, h: height };
  }
  const h = Math.max(1, Math.min(height, Math.round(width / aspect)));
  return { x: 0, y: Math.floor((height - h) / 2), w: width, h };
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

/** Pastes the digit into the frame with its centre of mass on the centre pixel (MNIST: (14, 14)), staying in frame. */
function placeByCentreOfMass(digit: Float32Array, w: number, h: number, frame: TargetShape): Uint8Array {
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
  const left = clamp(Math.round(frame.width / 2 + 0.5 - cx), 0, frame.width - w);
  const top = clamp(Math.round(frame.height / 2 + 0.5 - cy), 0, frame.height - h);
  const out = new Uint8Array(frame.width * frame.height);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      out[(top + y) * frame.width + left + x] = Math.round(255 * clamp(digit[y * w + x], 0, 1));
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
