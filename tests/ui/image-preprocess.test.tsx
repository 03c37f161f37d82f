// @vitest-environment jsdom
/**
 * The pixel math behind "Test an image from your computer": whatever the picture, the
 * network must get an MNIST-style 28x28 digit (light on dark, fitted to 20x20, centred by
 * centre of mass). toMnistStyle is pure, so these checks need no canvas. Inversion of
 * dark-on-light drawings, transparency and blank images are covered in
 * tests/unit/training/mnist-style-image.test.ts; these add what the upload relies on too.
 */
import { describe, expect, it } from 'vitest';
import { toMnistStyle } from '../../src/training/mnist-style-image';

type Paint = (x: number, y: number) => [gray: number, alpha?: number];

function picture(width: number, height: number, paint: Paint): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [gray, alpha = 255] = paint(x + 0.5, y + 0.5);
      rgba.set([gray, gray, gray, alpha], (y * width + x) * 4);
    }
  }
  return rgba;
}

const disk = (cx: number, cy: number, r: number, ink: number, paper: number): Paint => (x, y) =>
  [(x - cx) ** 2 + (y - cy) ** 2 <= r * r ? ink : paper];

function digit(rgba: Uint8ClampedArray, width: number, height: number): Uint8Array {
  const result = toMnistStyle(rgba, width, height);
  if (!result.ok) throw new Error(result.error);
  expect(result.pixels).toHaveLength(784);
  return result.pixels;
}

/** Centre of mass in continuous coordinates (pixel centres at i + 0.5) and the ink's bounding box. */
function measure(pixels: Uint8Array) {
  let mass = 0;
  let cx = 0;
  let cy = 0;
  let x0 = 28;
  let x1 = -1;
  let y0 = 28;
  let y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = pixels[y * 28 + x]!;
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
      if (v > 64) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { cx: cx / mass, cy: cy / mass, width: x1 - x0 + 1, height: y1 - y0 + 1, max: Math.max(...pixels) };
}

const corners = (p: Uint8Array) => [p[0], p[27], p[27 * 28], p[783]];

describe('MNIST-style preprocessing of a user image', () => {
  it('moves an off-centre digit to the centre', () => {
    const centred = digit(picture(120, 90, disk(60, 45, 15, 20, 230)), 120, 90);
    const offCentre = digit(picture(120, 90, disk(22, 70, 15, 20, 230)), 120, 90);
    const b = measure(offCentre);
    expect(corners(offCentre)).toEqual([0, 0, 0, 0]);
    expect(Math.abs(b.cx - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.cy - 14)).toBeLessThanOrEqual(1);
    // Where the disk was drawn makes no difference to what the network sees.
    expect(Array.from(offCentre)).toEqual(Array.from(centred));
    expect([b.width, b.height]).toEqual([20, 20]);
  });

  it('keeps a light digit on a dark background as it is', () => {
    const pixels = digit(picture(60, 60, disk(30, 30, 12, 250, 5)), 60, 60);
    expect(corners(pixels)).toEqual([0, 0, 0, 0]);
    expect(pixels[14 * 28 + 14]).toBe(255);
  });

  it('keeps the aspect ratio: a tall bar is 20 high and narrow', () => {
    const bar: Paint = (x, y) => [x > 45 && x < 55 && y > 20 && y < 80 ? 0 : 255];
    const m = measure(digit(picture(100, 100, bar), 100, 100));
    expect(m.height).toBe(20);
    expect(m.width).toBeGreaterThanOrEqual(3);
    expect(m.width).toBeLessThanOrEqual(4);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(1);
  });
});
