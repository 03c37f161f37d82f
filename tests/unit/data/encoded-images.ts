/**
 * Real PNG and JPEG files the tests write (with pngjs and jpeg-js, the encoders beside the
 * CLI's decoders), and folders of them with one sub-folder per class.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** An RGBA picture: `pixel(x, y)` gives [r, g, b, a]. */
export function rgbaPicture(width: number, height: number, pixel: (x: number, y: number) => readonly number[]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgba.set(pixel(x, y), (y * width + x) * 4);
  return rgba;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return new Uint8Array(PNG.sync.write(png));
}

export function encodeJpeg(width: number, height: number, rgba: Uint8Array, quality = 95): Uint8Array {
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, quality).data);
}

/** The first 12 bytes of a WebP file (RIFF....WEBP), enough for every sniffer. */
export function webpHeader(): Uint8Array {
  return Uint8Array.from([...'RIFF'].map((c) => c.charCodeAt(0)).concat([30, 0, 0, 0], [...'WEBPVP8 '].map((c) => c.charCodeAt(0))));
}

/**
 * Three shapes a network tells apart at any size: a bright left half, a bright top half,
 * a bright diagonal band (dark elsewhere), slightly varied by `variant`.
 */
export const SHAPE_CLASSES = ['left', 'top', 'diagonal'] as const;

export function shapePicture(shape: (typeof SHAPE_CLASSES)[number], side: number, variant: number): Uint8Array {
  const shift = variant % 3;
  return rgbaPicture(side, side, (x, y) => {
    const bright = shape === 'left' ? x < side / 2 + shift - 1 : shape === 'top' ? y < side / 2 + shift - 1 : Math.abs(x - y) <= 2 + shift;
    const level = bright ? 230 - 10 * shift : 20 + 5 * shift;
    return [level, shape === 'diagonal' ? level / 2 : level, level, 255];
  });
}

/** Writes `files` (path inside the folder -> bytes) under `dir`, making the class folders. */
export function writeFolder(dir: string, files: Record<string, Uint8Array | string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A folder of the three shape classes, `perClass` images each, alternating PNG and JPEG, `side` pixels a side. */
export function shapeFolderFiles(perClass: number, side: number): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const shape of SHAPE_CLASSES) {
    for (let i = 0; i < perClass; i++) {
      const rgba = shapePicture(shape, side, i);
      files[i % 2 === 0 ? `${shape}/${i}.png` : `${shape}/${i}.jpg`] = i % 2 === 0 ? encodePng(side, side, rgba) : encodeJpeg(side, side, rgba);
    }
  }
  return files;
}
