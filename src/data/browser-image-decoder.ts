/**
 * The image decoder datasetFromImageFolder takes, in a browser worker: the browser's own
 * decoders (createImageBitmap: PNG, JPEG, WebP, GIF, BMP) drawn onto an OffscreenCanvas
 * to read the RGBA pixels. The folder loader then converts them to gray or colour and
 * resizes them to the chosen size.
 */
import type { DecodedImage, ImageDecoder } from './image-folder';

export const decodeWithBrowser: ImageDecoder = async (bytes: Uint8Array): Promise<DecodedImage> => {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser gives no 2D canvas in a worker');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: bitmap.width, height: bitmap.height, rgba: data };
  } finally {
    bitmap.close();
  }
};
