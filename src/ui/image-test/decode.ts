/**
 * Decodes an image file into RGBA pixels in the page, defensively: the file size and the
 * dimensions its header states are checked before any decoder runs (a tiny PNG can claim
 * 20,000x20,000 pixels), then createImageBitmap decodes it off the main thread and
 * shrinks it while decoding (the digit ends up 20 pixels tall anyway), so the pixel work
 * that follows stays well under a frame or two and a damaged file is an error message,
 * never a frozen tab.
 */
import type { PictureSubject } from '../../training/mnist-style-image';
import { readImageHeader, sizeProblem } from './image-dimensions';

/** Longest side kept after decoding. */
const MAX_SIDE = 400;
/** A decode that has not finished by then is abandoned with a message. */
const DECODE_TIMEOUT_MS = 10_000;

export interface DecodedImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The file cannot be classified; the message says why and what to try (a digit for MNIST, any image else). */
export class NotAnImageError extends Error {
  constructor(fileName: string, problem = 'is not an image this browser can read', subject: PictureSubject = 'digit') {
    super(`${fileName} ${problem}; try a PNG or JPEG ${subject === 'digit' ? 'of a digit' : 'image'}.`);
    this.name = 'NotAnImageError';
  }
}

/** The image is too big to decode safely; the message states the limit. */
export class ImageTooLargeError extends Error {
  constructor(fileName: string, problem: string) {
    super(`${fileName} ${problem}.`);
    this.name = 'ImageTooLargeError';
  }
}

export async function decodeImageFile(file: Blob & { name?: string }, subject: PictureSubject = 'digit'): Promise<DecodedImage> {
  const name = file.name ?? 'The file';
  const tooBig = sizeProblem(file.size);
  if (tooBig) throw new ImageTooLargeError(name, tooBig);
  const header = readImageHeader(new Uint8Array(await file.arrayBuffer()));
  if (!header.ok) throw new NotAnImageError(name, header.error, subject);
  const tooLarge = sizeProblem(file.size, header.width, header.height);
  if (tooLarge) throw new ImageTooLargeError(name, tooLarge);

  const shrink = Math.min(1, MAX_SIDE / Math.max(header.width, header.height));
  const width = Math.max(1, Math.round(header.width * shrink));
  const height = Math.max(1, Math.round(header.height * shrink));
  let bitmap: ImageBitmap;
  try {
    bitmap = await withTimeout(
      createImageBitmap(file, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' }),
      DECODE_TIMEOUT_MS,
    );
  } catch (error) {
    if (error instanceof DecodeTimeoutError) throw new NotAnImageError(name, 'took too long to decode', subject);
    throw new NotAnImageError(name, `could not be decoded (the ${header.format} data looks damaged)`, subject);
  }
  try {
    // The bitmap is already at the requested size; drawing at (width, height) keeps
    // the copy bounded even if a decoder ignored the resize options.
    const ctx = drawingContext(width, height);
    ctx.drawImage(bitmap, 0, 0, width, height);
    return { rgba: ctx.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

class DecodeTimeoutError extends Error {}

function withTimeout<T extends { close(): void }>(decoding: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new DecodeTimeoutError());
    }, ms);
    decoding.then(
      (value) => {
        clearTimeout(timer);
        // A decode that finishes after the give-up still holds memory: free it.
        if (timedOut) value.close();
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function drawingContext(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  const ctx =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })
      : Object.assign(document.createElement('canvas'), { width, height }).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('This browser cannot draw images into a canvas.');
  return ctx;
}
