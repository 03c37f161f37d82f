/**
 * "Test an image" and the draw pad for datasets other than MNIST: a picture becomes an
 * image of the dataset's size and channels (colour kept for RGB), a drawing a glyph at
 * the dataset's size; and colour pictures are painted as colour. MNIST's own path is in
 * image-preprocess.test.tsx and tests/unit/training/mnist-style-image.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { toDatasetImage, toGlyphStyle, toMnistStyle } from '../../src/training/mnist-style-image';
import { paintRgb } from '../../src/ui/common/rgb';
import { drawingToGlyph, drawingToMnist } from '../../src/ui/draw/strokes';

/** A width x height RGBA picture: the left half one colour, the right half another. */
function halves(width: number, height: number, left: number[], right: number[]): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set([...(x < width / 2 ? left : right), 255], (y * width + x) * 4);
  }
  return rgba;
}

function ok(result: ReturnType<typeof toDatasetImage>): Uint8Array {
  if (!result.ok) throw new Error(result.error);
  return result.pixels;
}

describe('a picture for a dataset of another shape', () => {
  it('keeps colour for RGB, at the dataset size, HWC', () => {
    const pixels = ok(toDatasetImage(halves(64, 64, [255, 0, 0], [0, 0, 255]), 64, 64, { width: 32, height: 32, channels: 3 }));
    expect(pixels.length).toBe(32 * 32 * 3);
    expect([...pixels.subarray(0, 3)]).toEqual([255, 0, 0]);
    expect([...pixels.subarray(-3)]).toEqual([0, 0, 255]);
  });

  it("crops the picture's centre to the dataset's aspect before resizing", () => {
    // 90x30: the outer thirds (green) fall outside the square centre, which is all red.
    const rgba = new Uint8ClampedArray(90 * 30 * 4);
    for (let i = 0; i < 90 * 30; i++) rgba.set([...((i % 90) >= 30 && i % 90 < 60 ? [255, 0, 0] : [0, 255, 0]), 255], i * 4);
    const pixels = ok(toDatasetImage(rgba, 90, 30, { width: 8, height: 8, channels: 3 }));
    for (let i = 0; i < 64; i++) expect([...pixels.subarray(i * 3, i * 3 + 3)]).toEqual([255, 0, 0]);
  });

  it('turns colour into luminance for a grayscale set, transparency taken as white', () => {
    const rgba = halves(20, 20, [0, 0, 0], [255, 255, 255]);
    for (let i = 0; i < 20 * 20; i++) if (i % 20 >= 10) rgba[i * 4 + 3] = 0;
    const pixels = ok(toDatasetImage(rgba, 20, 20, { width: 10, height: 5, channels: 1 }));
    expect(pixels.length).toBe(50);
    expect(pixels[0]).toBe(0);
    expect(pixels[49]).toBe(255);
  });

  it("is MNIST's preparation, exactly, for 28x28 grayscale", () => {
    const rgba = halves(40, 40, [0, 0, 0], [255, 255, 255]);
    expect(toDatasetImage(rgba, 40, 40, { width: 28, height: 28, channels: 1 })).toEqual(toMnistStyle(rgba, 40, 40));
  });

  it('refuses a picture with no pixels, in a sentence', () => {
    expect(toDatasetImage(new Uint8ClampedArray(0), 0, 3, { width: 32, height: 32, channels: 3 })).toEqual({
      ok: false,
      error: 'The image has no pixels (0x3).',
    });
  });
});

describe('a drawing for a grayscale set of another size', () => {
  const stroke = [Array.from({ length: 20 }, (_, i) => ({ x: 140, y: 60 + i * 8 }))];

  it("is MNIST's drawing for 28x28, and a glyph centred in any other frame", () => {
    expect(drawingToGlyph(stroke, { width: 28, height: 28 })).toEqual(drawingToMnist(stroke));
    const glyph = drawingToGlyph(stroke, { width: 16, height: 16 });
    if (!glyph.ok) throw new Error(glyph.error);
    expect(glyph.pixels.length).toBe(256);
    // A vertical bar fitted to 11 of 16 pixels (20/28 of the side), on the middle columns.
    const inkedRows = Array.from({ length: 16 }, (_, y) => glyph.pixels.subarray(y * 16, y * 16 + 16).some((v) => v > 64)).filter(Boolean);
    expect(inkedRows.length).toBeGreaterThanOrEqual(10);
    expect(inkedRows.length).toBeLessThanOrEqual(12);
    expect(glyph.pixels[8 * 16 + 8]! + glyph.pixels[8 * 16 + 7]!).toBeGreaterThan(200);
    expect(toGlyphStyle(new Uint8ClampedArray(16), 2, 2, { width: 16, height: 16 }).ok).toBe(false);
  });
});

describe('painting a colour picture', () => {
  it('paints each value as a scaled block in its own colour, one range for all channels', () => {
    const values = Float32Array.from([-0.5, 0, 0.5, /* second pixel */ 0.5, 0.5, -0.5]);
    const target = { width: 4, height: 2, data: new Uint8ClampedArray(4 * 2 * 4) };
    paintRgb(target, { values, width: 2, height: 1 }, 2, { min: -0.5, max: 0.5 });
    const pixel = (x: number, y: number) => [...target.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4)];
    expect(pixel(0, 0)).toEqual([0, 128, 255, 255]);
    expect(pixel(1, 1)).toEqual([0, 128, 255, 255]);
    expect(pixel(3, 1)).toEqual([255, 255, 0, 255]);
    expect(() => paintRgb(target, { values, width: 2, height: 1 }, 3)).toThrow(/does not fill 4x2/);
  });
});
