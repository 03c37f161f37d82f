/**
 * Reads an image's width and height from its header bytes, without decoding it. A PNG of
 * a few kilobytes can claim 20,000x20,000 pixels (1.6 GB once decoded), so the size is
 * checked here, before any decoder sees the file. Pure byte arithmetic: no DOM.
 */

export type ImageFormat = 'PNG' | 'JPEG' | 'GIF' | 'WebP';

export type ImageHeader =
  | { ok: true; format: ImageFormat; width: number; height: number }
  | { ok: false; error: string };

/** Files larger than this are refused before they are read. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Pixels an upload may have (4096x4096): 64 MB once decoded to RGBA. */
export const MAX_IMAGE_PIXELS = 4096 * 4096;
/** The pixel cap as people picture it. */
export const MAX_IMAGE_PIXELS_TEXT = '4096x4096 pixels';
/** Longest side accepted, whatever the pixel count (browsers' canvas limit is near this). */
export const MAX_IMAGE_SIDE = 16384;


/** The format and dimensions the header states, or why they cannot be read. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return readPng(bytes);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return readJpeg(bytes);
  if (startsWithText(bytes, 0, 'GIF87a') || startsWithText(bytes, 0, 'GIF89a')) return readGif(bytes);
  if (startsWithText(bytes, 0, 'RIFF') && startsWithText(bytes, 8, 'WEBP')) return readWebp(bytes);
  return { ok: false, error: 'is not an image this page can read (PNG, JPEG, GIF or WebP)' };
}

/**
 * Null when an image of this many bytes and these dimensions may be decoded, otherwise
 * the reason (a phrase that follows the file name).
 */
export function sizeProblem(byteLength: number, width?: number, height?: number): string | null {
  if (byteLength > MAX_IMAGE_BYTES) {
    return `is ${megabytes(byteLength)} MB; images up to ${megabytes(MAX_IMAGE_BYTES)} MB can be tested`;
  }
  if (width === undefined || height === undefined) return null;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    return (
      `is ${width}x${height} pixels (${megapixels(width * height)} megapixels); images up to ` +
      `${MAX_IMAGE_PIXELS_TEXT} (${megapixels(MAX_IMAGE_PIXELS)} megapixels) can be tested, so shrink it first`
    );
  }
  return null;
}

function megapixels(pixels: number): number {
  return Math.round(pixels / 1e5) / 10;
}

function megabytes(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}

function readPng(bytes: Uint8Array): ImageHeader {
  // The first chunk must be IHDR: length (4), "IHDR", width (4, big-endian), height (4).
  if (bytes.length < 24 || !startsWithText(bytes, 12, 'IHDR')) return damaged('PNG');
  return dimensions('PNG', readU32BE(bytes, 16), readU32BE(bytes, 20));
}

function readGif(bytes: Uint8Array): ImageHeader {
  // Logical screen width and height (little-endian) follow the 6-byte signature.
  if (bytes.length < 10) return damaged('GIF');
  return dimensions('GIF', readU16LE(bytes, 6), readU16LE(bytes, 8));
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic...) carry the size. */
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function readJpeg(bytes: Uint8Array): ImageHeader {
  // Segments follow the SOI marker: 0xFF, a marker byte, a big-endian length that counts
  // itself. The frame header (SOF) comes before the first scan (SOS); EXIF thumbnails
  // live inside APP segments, whose lengths are skipped whole.
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return damaged('JPEG');
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image or start of scan: no frame header
    const length = readU16BE(bytes, at + 2);
    if (length < 2) return damaged('JPEG');
    if (JPEG_SOF.has(marker)) {
      if (at + 9 > bytes.length) return damaged('JPEG');
      // length (2), precision (1), height (2), width (2)
      return dimensions('JPEG', readU16BE(bytes, at + 7), readU16BE(bytes, at + 5));
    }
    at += 2 + length;
  }
  return damaged('JPEG');
}

function readWebp(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 30) return damaged('WebP');
  const data = 20; // "RIFF", size, "WEBP", chunk tag, chunk size
  if (startsWithText(bytes, 12, 'VP8X')) {
    // Extended format: 24-bit canvas width - 1 and height - 1 after 4 bytes of flags.
    return dimensions('WebP', 1 + readU24LE(bytes, data + 4), 1 + readU24LE(bytes, data + 7));
  }
  if (startsWithText(bytes, 12, 'VP8L')) {
    // Lossless: signature 0x2F, then 14 bits of width - 1 and 14 bits of height - 1.
    if (bytes[data] !== 0x2f) return damaged('WebP');
    const bits = readU32LE(bytes, data + 1);
    return dimensions('WebP', 1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff));
  }
  if (startsWithText(bytes, 12, 'VP8 ')) {
    // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
    if (!startsWith(bytes, [0x9d, 0x01, 0x2a], data + 3)) return damaged('WebP');
    return dimensions('WebP', readU16LE(bytes, data + 6) & 0x3fff, readU16LE(bytes, data + 8) & 0x3fff);
  }
  return damaged('WebP');
}

function dimensions(format: ImageFormat, width: number, height: number): ImageHeader {
  if (width === 0 || height === 0) return { ok: false, error: `is a ${format} whose header says it is ${width}x${height} pixels` };
  return { ok: true, format, width, height };
}

function damaged(format: ImageFormat): ImageHeader {
  return { ok: false, error: `looks like a ${format} but its header is damaged or cut short` };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

function startsWithText(bytes: Uint8Array, at: number, text: string): boolean {
  return startsWith(
    bytes,
    [...text].map((c) => c.charCodeAt(0)),
    at,
  );
}

function readU16BE(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function readU16LE(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function readU24LE(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
}

function readU32BE(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

function readU32LE(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
