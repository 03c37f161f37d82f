import { describe, expect, it } from 'vitest';
import { resizeImage, rgbaToChannels } from '../../../src/data/resize';

describe('rgbaToChannels', () => {
  it('keeps opaque colour, composites transparency over white, and weighs gray by luma', () => {
    const rgba = Uint8Array.of(255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128);
    expect(Array.from(rgbaToChannels(rgba, 3, 3))).toEqual([255, 0, 0, 255, 255, 255, 127, 127, 127]);
    expect(Array.from(rgbaToChannels(rgba, 3, 1))).toEqual([76, 255, 127]);
  });
});

describe('resizeImage', () => {
  it('returns the same image when the size does not change', () => {
    const image = Uint8Array.of(1, 2, 3, 4);
    expect(resizeImage(image, 2, 2, 1, 2, 2)).toBe(image);
  });

  it('shrinks by averaging the covered pixels (box filter), channel by channel', () => {
    // 4x2 RGB: left half red 200 / blue 0, right half red 0 / blue 100.
    const source = new Uint8Array(4 * 2 * 3);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 4; x++) source.set(x < 2 ? [200, 10, 0] : [0, 10, 100], (y * 4 + x) * 3);
    }
    expect(Array.from(resizeImage(source, 4, 2, 3, 2, 1))).toEqual([200, 10, 0, 0, 10, 100]);
    expect(Array.from(resizeImage(source, 4, 2, 3, 1, 1))).toEqual([100, 10, 50]);
  });

  it('weighs partly covered pixels by their share when the ratio is not whole', () => {
    // 3 pixels to 2: each output covers 1.5 source pixels.
    expect(Array.from(resizeImage(Uint8Array.of(0, 90, 180), 3, 1, 1, 2, 1))).toEqual([30, 150]);
  });

  it('enlarges by linear interpolation between pixel centres', () => {
    expect(Array.from(resizeImage(Uint8Array.of(0, 100), 2, 1, 1, 4, 1))).toEqual([0, 25, 75, 100]);
    const flat = resizeImage(new Uint8Array(9).fill(77), 3, 3, 1, 7, 5);
    expect(flat.length).toBe(35);
    expect(flat.every((v) => v === 77)).toBe(true);
  });
});
