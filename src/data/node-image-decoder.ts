/**
 * The image decoder datasetFromImageFolder takes in Node (the CLI): PNG with pngjs and
 * JPEG with jpeg-js, both pure JavaScript, giving the same RGBA pixels the browser's
 * decoder gives the page (the folder loader then converts and resizes them the same way).
 * WebP, GIF and BMP, which the page decodes, have no decoder here: the CLI refuses them
 * by name before decoding (see `undecodableInNode`), rather than skipping them.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { DecodedImage, ImageDecoder } from './image-folder';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

/** Past this many megapixels jpeg-js refuses to decode (about the folder loader's 64 Mi pixel limit). */
const MAX_JPEG_MEGAPIXELS = 67;

/** The format the bytes start like (as the browser sniffs it, whatever the file's name says); null when none. */
export function imageFormatOf(bytes: Uint8Array): ImageFormat | null {
  const starts = (at: number, ...signature: number[]): boolean => signature.every((b, i) => bytes[at + i] === b);
  const ascii = (at: number, text: string): boolean => [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'GIF8')) return 'gif';
  if (ascii(0, 'BM')) return 'bmp';
  return null;
}

/** The formats the page decodes but Node cannot here. */
export function undecodableInNode(format: ImageFormat | null): boolean {
  return format === 'webp' || format === 'gif' || format === 'bmp';
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a PNG (any bit depth, palette, gray or colour; 16-bit is scaled to 8) or a baseline/progressive JPEG to RGBA. */
export const decodeWithNode: ImageDecoder = async (bytes: Uint8Array, path: string): Promise<DecodedImage> => {
  const format = imageFormatOf(bytes);
  if (format === 'png') {
    const png = PNG.sync.read(asBuffer(bytes));
    return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (format === 'jpeg') {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_JPEG_MEGAPIXELS });
    return { width: image.width, height: image.height, rgba: image.data };
  }
  throw new Error(`${path}: ${format ?? 'this format'} cannot be decoded in Node; only PNG and JPEG can`);
};
