import { beforeAll, describe, expect, it } from 'vitest';
import { imagePixels } from '../../../src/data/mnist';
import { loadMnistSet, MNIST_FILES, mnistDataDirectory } from '../../../src/data/node-loader';
import type { MnistSet } from '../../../src/data/mnist';
import { toMnistStyle } from '../../../src/training/mnist-style-image';

let test: MnistSet;
beforeAll(() => {
  test = loadMnistSet(mnistDataDirectory(), MNIST_FILES.testImages, MNIST_FILES.testLabels);
});

/** RGBA bytes of a grayscale image, optionally scaled up by `zoom` and drawn as dark-on-light. */
function rgbaOf(gray: Uint8Array, side: number, opts: { zoom?: number; darkOnLight?: boolean; pad?: number } = {}) {
  const zoom = opts.zoom ?? 1;
  const pad = opts.pad ?? 0;
  const width = side * zoom + 2 * pad;
  const rgba = new Uint8ClampedArray(width * width * 4);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.floor((x - pad) / zoom);
      const sy = Math.floor((y - pad) / zoom);
      const inside = sx >= 0 && sy >= 0 && sx < side && sy < side;
      const v = inside ? gray[sy * side + sx] : 0;
      const shown = opts.darkOnLight ? 255 - v : v;
      const o = (y * width + x) * 4;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = shown;
      rgba[o + 3] = 255;
    }
  }
  return { rgba, width };
}

function centreOfMass(pixels: Uint8Array): { x: number; y: number } {
  let m = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = pixels[y * 28 + x];
      m += v;
      cx += v * x;
      cy += v * y;
    }
  }
  return { x: cx / m, y: cy / m };
}

function correlation(a: Uint8Array, b: Uint8Array): number {
  const mean = (v: Uint8Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

describe('toMnistStyle', () => {
  it('leaves an MNIST digit almost as it was', () => {
    for (const index of [0, 1, 2, 3, 4]) {
      const original = imagePixels(test, index);
      const { rgba, width } = rgbaOf(original, 28);
      const result = toMnistStyle(rgba, width, width);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(result.pixels).toHaveLength(784);
      expect(correlation(result.pixels, original)).toBeGreaterThan(0.9);
    }
  });

  it('turns a large dark-on-light drawing into a light digit, 20 px tall, centred by mass', () => {
    const original = imagePixels(test, 7);
    const { rgba, width } = rgbaOf(original, 28, { zoom: 5, darkOnLight: true, pad: 30 });
    const result = toMnistStyle(rgba, width, width);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const com = centreOfMass(result.pixels);
    expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(1);
    // The background is dark: the frame border is empty.
    for (let i = 0; i < 28; i++) {
      expect(result.pixels[i]).toBe(0);
      expect(result.pixels[27 * 28 + i]).toBe(0);
    }
    let rows = 0;
    for (let y = 0; y < 28; y++) if (result.pixels.subarray(y * 28, y * 28 + 28).some((v) => v > 50)) rows++;
    expect(rows).toBeGreaterThanOrEqual(18);
    expect(rows).toBeLessThanOrEqual(21);
    expect(correlation(result.pixels, original)).toBeGreaterThan(0.8);
  });

  it('reads a digit drawn on a transparent background by its opacity', () => {
    const original = imagePixels(test, 9);
    const { rgba, width } = rgbaOf(original, 28, { zoom: 2 });
    for (let i = 0; i < rgba.length; i += 4) {
      rgba[i + 3] = rgba[i]; // opacity follows the ink
      rgba[i] = rgba[i + 1] = rgba[i + 2] = 0; // black ink
    }
    const result = toMnistStyle(rgba, width, width);
    expect(result.ok).toBe(true);
    if (result.ok) expect(correlation(result.pixels, original)).toBeGreaterThan(0.8);
  });

  it('says so when there is no digit, or the pixels do not match the size', () => {
    const blank = new Uint8ClampedArray(50 * 50 * 4).fill(255);
    const r1 = toMnistStyle(blank, 50, 50);
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.error).toMatch(/blank/);
    const r2 = toMnistStyle(new Uint8ClampedArray(10), 5, 5);
    expect(r2.ok).toBe(false);
    const r3 = toMnistStyle(new Uint8ClampedArray(0), 0, 0);
    expect(r3.ok).toBe(false);
  });
});
