/**
 * Decodes an image file into RGBA pixels in the page. Big photos are shrunk while
 * drawing (the digit ends up 20 pixels tall anyway), which keeps the pixel work that
 * follows well under a frame or two.
 */

/** Longest side kept after decoding. */
const MAX_SIDE = 400;

export interface DecodedImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

export class NotAnImageError extends Error {
  constructor(fileName: string) {
    super(`${fileName} is not an image this browser can read; try a PNG or JPEG of a digit.`);
    this.name = 'NotAnImageError';
  }
}

export async function decodeImageFile(file: Blob & { name?: string }): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new NotAnImageError(file.name ?? 'The file');
  }
  try {
    const shrink = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * shrink));
    const height = Math.max(1, Math.round(bitmap.height * shrink));
    const ctx = drawingContext(width, height);
    ctx.drawImage(bitmap, 0, 0, width, height);
    return { rgba: ctx.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

function drawingContext(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  const ctx =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })
      : Object.assign(document.createElement('canvas'), { width, height }).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('This browser cannot draw images into a canvas.');
  return ctx;
}
