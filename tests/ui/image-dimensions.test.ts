import { describe, expect, it } from 'vitest';
import {
  MAX_IMAGE_BYTES,
  readImageHeader,
  sizeProblem,
} from '../../src/ui/image-test/image-dimensions';
import { gifHeader, jpegHeader, pngHeader, riff, webpExtended, webpLossless, webpLossy } from './image-headers';

describe('reading image dimensions from header bytes', () => {
  it.each([
    ['PNG', pngHeader(640, 480)],
    ['GIF', gifHeader(640, 480)],
    ['JPEG', jpegHeader(640, 480)],
    ['WebP', webpLossy(640, 480)],
    ['WebP', webpLossless(640, 480)],
    ['WebP', webpExtended(640, 480)],
  ])('reads a %s header', (format, bytes) => {
    expect(readImageHeader(bytes)).toEqual({ ok: true, format, width: 640, height: 480 });
  });

  it('reads the sizes a decompression bomb claims, up to each format\'s maximum', () => {
    expect(readImageHeader(pngHeader(20_000, 20_000))).toMatchObject({ width: 20_000, height: 20_000 });
    expect(readImageHeader(pngHeader(2 ** 31 - 1, 1))).toMatchObject({ width: 2 ** 31 - 1, height: 1 });
    expect(readImageHeader(jpegHeader(65_535, 65_535))).toMatchObject({ width: 65_535, height: 65_535 });
    expect(readImageHeader(webpLossless(16_384, 16_384))).toMatchObject({ width: 16_384, height: 16_384 });
    expect(readImageHeader(webpExtended(2 ** 24, 3))).toMatchObject({ width: 2 ** 24, height: 3 });
  });

  it('finds a JPEG frame header behind a big EXIF block and in progressive files', () => {
    expect(readImageHeader(jpegHeader(300, 200, { appBytes: 60_000 }))).toMatchObject({ width: 300, height: 200 });
    expect(readImageHeader(jpegHeader(300, 200, { sof: 0xc2 }))).toMatchObject({ width: 300, height: 200 });
  });

  it('refuses other files and damaged headers with a phrase saying which', () => {
    const text = new TextEncoder().encode('hello, this is not a picture');
    expect(readImageHeader(text)).toEqual({ ok: false, error: expect.stringMatching(/is not an image this page can read/) });
    expect(readImageHeader(new Uint8Array(0))).toMatchObject({ ok: false });
    expect(readImageHeader(pngHeader(10, 10).slice(0, 20))).toEqual({
      ok: false,
      error: 'looks like a PNG but its header is damaged or cut short',
    });
    // A JPEG whose scan starts before any frame header, or that ends early.
    const noFrame = Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 2, 3]);
    expect(readImageHeader(noFrame)).toMatchObject({ ok: false, error: expect.stringMatching(/JPEG/) });
    expect(readImageHeader(jpegHeader(30, 30).slice(0, 40))).toMatchObject({ ok: false });
    // Garbage where the next marker should be.
    const garbled = jpegHeader(30, 30);
    garbled[2 + 2 + 32] = 0x00;
    expect(readImageHeader(garbled)).toMatchObject({ ok: false });
    expect(readImageHeader(riff('VP8 ', [0, 0, 0, 1, 2, 3, 4, 5, 6, 7]))).toMatchObject({ ok: false });
    expect(readImageHeader(pngHeader(0, 10))).toEqual({ ok: false, error: 'is a PNG whose header says it is 0x10 pixels' });
  });

  it('on any cut-short header: a refusal, or the right size once the size bytes are in, never a throw', () => {
    for (const full of [pngHeader(9, 7), gifHeader(9, 7), jpegHeader(9, 7), webpLossy(9, 7), webpExtended(9, 7)]) {
      let refused = 0;
      for (let n = 0; n < full.length; n++) {
        const header = readImageHeader(full.slice(0, n));
        if (header.ok) expect([header.width, header.height]).toEqual([9, 7]);
        else refused++;
      }
      expect(refused).toBeGreaterThanOrEqual(10);
    }
  });
});

describe('the size caps', () => {
  it('lets ordinary photos through', () => {
    expect(sizeProblem(3_000_000, 4000, 3000)).toBeNull();
    expect(sizeProblem(1000, 4096, 4096)).toBeNull();
    expect(sizeProblem(MAX_IMAGE_BYTES)).toBeNull();
  });

  it('refuses a tiny file with huge dimensions, saying how big it is and what the limit is', () => {
    expect(sizeProblem(1000, 20_000, 20_000)).toBe(
      'is 20000x20000 pixels (400 megapixels); images up to 4096x4096 pixels (16.8 megapixels) can be tested, so shrink it first',
    );
    expect(sizeProblem(1000, 4097, 4096)).toMatch(/^is 4097x4096 pixels/);
    expect(sizeProblem(1000, 20_000, 10)).toMatch(/^is 20000x10 pixels/);
  });

  it('refuses files over 10 MB before reading them', () => {
    expect(sizeProblem(12 * 1024 * 1024)).toBe('is 12 MB; images up to 10 MB can be tested');
  });
});
