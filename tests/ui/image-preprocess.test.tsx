// @vitest-environment jsdom
/**
 * The pixel math behind "Test an image from your computer": whatever the picture, the
 * network must get an MNIST-style 28x28 digit (light on dark, fitted to 20x20, centred by
 * centre of mass). toMnistStyle is pure, so these checks need no canvas.
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
  it('inverts a dark digit on light paper and centres it in 28x28, fitted to 20x20', () => {
    const pixels = digit(picture(100, 100, disk(50, 50, 30, 0, 255)), 100, 100);
    const m = measure(pixels);
    expect(corners(pixels)).toEqual([0, 0, 0, 0]);
    expect(m.max).toBe(255);
    expect(pixels[14 * 28 + 14]).toBe(255);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(0.5);
    expect(m.width).toBeGreaterThanOrEqual(19);
    expect(m.width).toBeLessThanOrEqual(20);
    expect(m.height).toBe(m.width);
  });

  it('moves an off-centre digit to the centre', () => {
    const centred = digit(picture(120, 90, disk(60, 45, 15, 20, 230)), 120, 90);
    const offCentre = digit(picture(120, 90, disk(22, 70, 15, 20, 230)), 120, 90);
    const a = measure(centred);
    const b = measure(offCentre);
    expect(Math.abs(b.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(b.cy - 14)).toBeLessThanOrEqual(0.5);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
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
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(0.5);
  });

  it('treats transparent pixels as background (ink drawn on a transparent canvas)', () => {
    const pixels = digit(
      picture(50, 50, (x, y) => ((x - 25) ** 2 + (y - 25) ** 2 <= 100 ? [0, 255] : [0, 0])),
      50,
      50,
    );
    expect(corners(pixels)).toEqual([0, 0, 0, 0]);
    expect(pixels[14 * 28 + 14]).toBe(255);
  });

  it('says so when there is no digit to find', () => {
    const result = toMnistStyle(picture(40, 40, () => [200]), 40, 40);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/blank/);
  });
});
