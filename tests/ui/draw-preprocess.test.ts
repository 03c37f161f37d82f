import { describe, expect, it } from 'vitest';
import { drawingToMnist, PAD_SIZE, rasterizeStrokes, type Stroke } from '../../src/ui/draw/strokes';

/** Centre of mass (in pixel indices) and ink bounding box of a 28x28 image. */
function describeImage(pixels: Uint8Array) {
  let mass = 0;
  let cx = 0;
  let cy = 0;
  let x0 = 28;
  let x1 = -1;
  let y0 = 28;
  let y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = pixels[y * 28 + x];
      mass += v;
      cx += v * x;
      cy += v * y;
      if (v > 64) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { cx: cx / mass, cy: cy / mass, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function line(x0: number, y0: number, x1: number, y1: number, steps = 20): Stroke {
  return Array.from({ length: steps + 1 }, (_, k) => ({ x: x0 + ((x1 - x0) * k) / steps, y: y0 + ((y1 - y0) * k) / steps }));
}

describe('a drawn digit, preprocessed the MNIST way', () => {
  it('a vertical "1" drawn off-centre lands centred: centre of mass at (14, 14), 20 pixels tall', () => {
    const result = drawingToMnist([line(60, 30, 62, 190)]);
    if (!result.ok) throw new Error(result.error);
    const d = describeImage(result.pixels);
    expect(Math.abs(d.cx - 14)).toBeLessThanOrEqual(0.6);
    expect(Math.abs(d.cy - 14)).toBeLessThanOrEqual(0.6);
    expect(d.height).toBeGreaterThanOrEqual(19);
    expect(d.height).toBeLessThanOrEqual(20);
    // A thin stroke: a few pixels wide, as MNIST's ones.
    expect(d.width).toBeLessThanOrEqual(5);
    // Light digit on black, the border empty.
    expect(Math.max(...result.pixels)).toBeGreaterThan(240);
    expect(result.pixels[0]).toBe(0);
  });

  it('a "7" is centred by its centre of mass, not its box', () => {
    const seven = [line(70, 50, 210, 50), line(210, 50, 120, 230)];
    const result = drawingToMnist(seven);
    if (!result.ok) throw new Error(result.error);
    const d = describeImage(result.pixels);
    expect(Math.abs(d.cx - 14)).toBeLessThanOrEqual(0.6);
    expect(Math.abs(d.cy - 14)).toBeLessThanOrEqual(0.6);
    // Taller than wide, so the height is the one scaled to 20.
    expect(d.height).toBeGreaterThanOrEqual(19);
    expect(d.height).toBeLessThanOrEqual(20);
  });

  it('rasterizes strokes as white ink whose alpha is the pen coverage', () => {
    const rgba = rasterizeStrokes([[{ x: 100, y: 100 }]], PAD_SIZE, 10);
    const alpha = (x: number, y: number) => rgba[(y * PAD_SIZE + x) * 4 + 3];
    expect(alpha(100, 100)).toBe(255);
    expect(alpha(103, 100)).toBe(255);
    expect(alpha(110, 100)).toBe(0);
    expect(alpha(0, 0)).toBe(0);
    expect(rgba[(100 * PAD_SIZE + 100) * 4]).toBe(255);
  });

  it('says so when nothing is drawn', () => {
    expect(drawingToMnist([])).toEqual({ ok: false, error: 'Nothing is drawn yet.' });
  });
});
