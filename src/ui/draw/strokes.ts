/**
 * A drawn digit as data: strokes of points on a square pad, rasterized without a canvas
 * (so the MNIST preprocessing of a drawing runs and is tested in Node), then turned into
 * a 28x28 MNIST-style image by the same code as an uploaded picture.
 */
import { MNIST_SIZE, toGlyphStyle, type MnistStyleResult, type TargetShape } from '../../training/mnist-style-image';

/** Side of the drawing pad in pad units (the canvas's pixel size). */
export const PAD_SIZE = 280;
/**
 * Pen width in pad units. A digit drawn over about half the pad is scaled by ~20/150, which
 * gives a stroke of 2 to 3 MNIST pixels, as the handwriting in MNIST.
 */
export const PEN_WIDTH = 18;

export interface PadPoint {
  x: number;
  y: number;
}

/** One pen-down to pen-up movement; a single point is a dot. */
export type Stroke = readonly PadPoint[];

/**
 * RGBA bytes of the strokes on a transparent size x size pad: white ink whose alpha is
 * the pen's coverage of each pixel (an anti-aliased edge one pixel wide).
 */
export function rasterizeStrokes(strokes: readonly Stroke[], size = PAD_SIZE, penWidth = PEN_WIDTH): Uint8ClampedArray {
  const coverage = new Float32Array(size * size);
  const radius = penWidth / 2;
  for (const stroke of strokes) {
    if (stroke.length === 1) paintSegment(coverage, size, stroke[0], stroke[0], radius);
    for (let k = 0; k + 1 < stroke.length; k++) paintSegment(coverage, size, stroke[k], stroke[k + 1], radius);
  }
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < coverage.length; i++) {
    rgba[4 * i] = 255;
    rgba[4 * i + 1] = 255;
    rgba[4 * i + 2] = 255;
    rgba[4 * i + 3] = Math.round(255 * coverage[i]);
  }
  return rgba;
}

/** Max-blends the coverage of a round-capped segment a-b into the pad. */
function paintSegment(coverage: Float32Array, size: number, a: PadPoint, b: PadPoint, radius: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - radius - 1));
  const x1 = Math.min(size - 1, Math.ceil(Math.max(a.x, b.x) + radius + 1));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius - 1));
  const y1 = Math.min(size - 1, Math.ceil(Math.max(a.y, b.y) + radius + 1));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      // Distance from the pixel's centre to the closest point of the segment.
      const px = x + 0.5;
      const py = y + 0.5;
      const t = lengthSquared > 0 ? clamp(((px - a.x) * dx + (py - a.y) * dy) / lengthSquared, 0, 1) : 0;
      const distance = Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
      const c = clamp(radius + 0.5 - distance, 0, 1);
      const i = y * size + x;
      if (c > coverage[i]) coverage[i] = c;
    }
  }
}

/** The drawing as the network gets it: 28x28, bounding box scaled to 20x20, centred by centre of mass. */
export function drawingToMnist(strokes: readonly Stroke[], size = PAD_SIZE, penWidth = PEN_WIDTH): MnistStyleResult {
  return drawingToGlyph(strokes, { width: MNIST_SIZE, height: MNIST_SIZE }, size, penWidth);
}

/** The drawing prepared MNIST's way for a grayscale frame of any size (drawingToMnist for 28x28). */
export function drawingToGlyph(strokes: readonly Stroke[], frame: TargetShape, size = PAD_SIZE, penWidth = PEN_WIDTH): MnistStyleResult {
  if (strokes.every((s) => s.length === 0)) return { ok: false, error: 'Nothing is drawn yet.' };
  return toGlyphStyle(rasterizeStrokes(strokes, size, penWidth), size, size, frame);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
