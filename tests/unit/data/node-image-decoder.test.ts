import { describe, expect, it } from 'vitest';
import { datasetFromImageFolder } from '../../../src/data/image-folder';
import { decodeWithNode, imageFormatOf, undecodableInNode } from '../../../src/data/node-image-decoder';
import { rgbaToChannels, resizeImage } from '../../../src/data/resize';
import { encodeJpeg, encodePng, rgbaPicture, shapeFolderFiles, webpHeader } from './encoded-images';

const picture = rgbaPicture(5, 3, (x, y) => [x * 50, y * 100, (x + y) * 20, x === 4 ? 128 : 255]);

describe('decodeWithNode', () => {
  it('gives a PNG its exact RGBA pixels, alpha kept', async () => {
    const image = await decodeWithNode(encodePng(5, 3, picture), 'a/x.png');
    expect({ width: image.width, height: image.height }).toEqual({ width: 5, height: 3 });
    expect(Array.from(image.rgba)).toEqual(Array.from(picture));
  });

  it('gives a JPEG its RGBA pixels within the loss of the encoding, alpha opaque', async () => {
    const flat = rgbaPicture(16, 16, () => [200, 40, 90, 255]);
    const image = await decodeWithNode(encodeJpeg(16, 16, flat, 100), 'a/x.jpg');
    expect({ width: image.width, height: image.height }).toEqual({ width: 16, height: 16 });
    for (let p = 0; p < 256; p++) {
      expect(Math.abs(image.rgba[4 * p] - 200)).toBeLessThanOrEqual(3);
      expect(Math.abs(image.rgba[4 * p + 1] - 40)).toBeLessThanOrEqual(3);
      expect(Math.abs(image.rgba[4 * p + 2] - 90)).toBeLessThanOrEqual(3);
      expect(image.rgba[4 * p + 3]).toBe(255);
    }
  });

  it('rejects a PNG or JPEG whose body is broken, and the formats it has no decoder for', async () => {
    const png = encodePng(5, 3, picture);
    await expect(decodeWithNode(png.slice(0, 40), 'a/cut.png')).rejects.toThrow();
    await expect(decodeWithNode(Uint8Array.of(0xff, 0xd8, 0xff, 0, 1, 2, 3), 'a/cut.jpg')).rejects.toThrow();
    await expect(decodeWithNode(webpHeader(), 'a/x.webp')).rejects.toThrow('a/x.webp: webp cannot be decoded in Node; only PNG and JPEG can');
  });

  it('refuses a PNG that claims more pixels than the folder loader keeps before decoding it', async () => {
    const png = encodePng(5, 3, picture);
    const header = new DataView(png.buffer, png.byteOffset, png.byteLength);
    header.setUint32(16, 30_000);
    header.setUint32(20, 30_000);
    await expect(decodeWithNode(png, 'a/huge.png')).rejects.toThrow('a/huge.png: a PNG of 30000x30000 is past 67 megapixels');
  });

  it('tells the formats by their first bytes and knows which the page decodes but Node does not', () => {
    expect(imageFormatOf(encodePng(5, 3, picture))).toBe('png');
    expect(imageFormatOf(encodeJpeg(5, 3, picture))).toBe('jpeg');
    expect(imageFormatOf(webpHeader())).toBe('webp');
    expect(imageFormatOf(Uint8Array.from([...'GIF89a'].map((c) => c.charCodeAt(0))))).toBe('gif');
    expect(imageFormatOf(Uint8Array.of(1, 2, 3))).toBeNull();
    expect(['png', 'jpeg', 'webp', 'gif', 'bmp', null].map((f) => undecodableInNode(f as never))).toEqual([false, false, true, true, true, false]);
  });

  it('feeds the folder loader the pixels the page gets: composited over white, then resized to the chosen size', async () => {
    const files = Object.entries(shapeFolderFiles(4, 12)).map(([name, bytes]) => ({ name, bytes }));
    const withAlpha = rgbaPicture(12, 12, (x) => [0, 0, 0, x * 20]);
    files.push({ name: 'left/alpha.png', bytes: encodePng(12, 12, withAlpha) });
    const { dataset, skipped } = await datasetFromImageFolder(files, { decode: decodeWithNode, size: { width: 6, height: 6 }, channels: 3, seed: 3 });
    expect(skipped).toEqual([]);
    expect(dataset).toMatchObject({ classNames: ['diagonal', 'left', 'top'], width: 6, height: 6, channels: 3 });
    expect(dataset.train.count + dataset.test.count).toBe(13);
    const expected = resizeImage(rgbaToChannels(withAlpha, 144, 3), 12, 12, 3, 6, 6);
    const all = [dataset.train, dataset.test].flatMap((set) => Array.from({ length: set.count }, (_, i) => set.images.subarray(i * 108, (i + 1) * 108)));
    expect(all.some((image) => image.every((v, i) => v === expected[i]))).toBe(true);
  });
});
