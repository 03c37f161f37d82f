/**
 * The image decoder datasetFromImageFolder takes in Node (the CLI): PNG with pngjs and
 * JPEG with jpeg-js, both pure JavaScript, giving the same RGBA pixels the browser's
 * decoder gives the page (the folder loader then converts and resizes them the same way).
 * WebP, GIF and BMP, which the page decodes, have no decoder here: the CLI refuses them
 * by name before decoding (see `undecodableInNode`), rather than skipping them.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_DECODED_PIXELS, type DecodedImage, type ImageDecoder } from './image-folder';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

/**
 * Pictures past the folder loader's pixel limit are refused before decoding: a small,
 * highly compressed file can claim tens of thousands of pixels a side, and pngjs would
 * allocate all of them (the browser's decoder is the page's concern).
 */
const MAX_MEGAPIXELS = MAX_DECODED_PIXELS / 1e6;

/** A PNG's size from its IHDR chunk, which the format puts first: width and height at bytes 16 and 20, big-endian. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 24) return { width: 0, height: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

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
    const { width, height } = pngSize(bytes);
    if (width * height > MAX_DECODED_PIXELS) throw new Error(`${path}: a PNG of ${width}x${height} is past ${MAX_MEGAPIXELS.toFixed(0)} megapixels`);
    const png = PNG.sync.read(asBuffer(bytes));
    return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (format === 'jpeg') {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
    return { width: image.width, height: image.height, rgba: image.data };
  }
  throw new Error(`${path}: ${format ?? 'this format'} cannot be decoded in Node; only PNG and JPEG can`);
};
