/**
 * The one place where a block of numbers becomes a grayscale picture. Every panel that
 * shows activations, gradients, weights, test digits or the user's image goes through
 * here, so scaling and layout rules are the same everywhere.
 *
 * Layout: values are HWC as in ConvNetJS volumes, value(x, y, d) at
 * offset + ((width * y) + x) * depth + d. One tile is one channel `d`.
 *
 * A canvas holds a mosaic: one or more tiles placed at pixel positions. A layer's
 * channels share one canvas, because hundreds of small canvases cost the browser far
 * more in layout and paint than the pixels themselves.
 */

export interface ValueRange {
  min: number;
  max: number;
}

export interface GrayscaleImage {
  values: ArrayLike<number>;
  width: number;
  height: number;
  /** Channels interleaved in `values` (HWC); defaults to 1. */
  depth?: number;
  /** Which channel to draw; defaults to 0. */
  channel?: number;
  /** Where this image starts in `values` (e.g. filter f of a conv layer); defaults to 0. */
  offset?: number;
}

export interface GrayscaleOptions {
  /** Each value becomes a scale x scale block of pixels (nearest neighbour, crisp). */
  scale: number;
  /**
   * The value range mapped to black..white. Omit it to auto-scale to this channel's own
   * min..max; pass a layer-wide range so all channels of a layer are comparable.
   */
  range?: ValueRange;
}

/** RGBA pixels to paint into: an ImageData, or anything shaped like one. */
export interface PixelTarget {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Where one tile sits in a mosaic, and which values it shows; the values arrive per draw. */
export interface MosaicTile extends Omit<GrayscaleImage, 'values'> {
  /** Top-left corner in canvas pixels. */
  left: number;
  top: number;
  /**
   * Auto-scale this tile to values[start..end) (e.g. a whole filter over all its input
   * channels). Tiles meant to share a range share the same object. Omitted: the tile's
   * own channel. Ignored when the draw passes a range for the whole mosaic.
   */
  rangeOf?: { start: number; end: number };
}

/** A rectangle in canvas pixels. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * A canvas-sized arrangement of tiles, all drawn at one scale. Backdrops are filled with
 * `backdropGray` before the tiles, so a tile sits in a visible frame (a white map stays
 * distinct from the page); every other pixel stays transparent.
 */
export interface Mosaic {
  width: number;
  height: number;
  scale: number;
  tiles: readonly MosaicTile[];
  backdrops?: readonly PixelRect[];
  /** 0..255; defaults to BACKDROP_GRAY. */
  backdropGray?: number;
}

/** Light enough to read as a frame, dark enough that a white tile does not merge with the page. */
export const BACKDROP_GRAY = 200;

/** Min and max of values[start..end), ignoring non-finite values; {0, 0} when there are none. */
export function valueRange(values: ArrayLike<number>, start = 0, end = values.length): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

/** Min and max of one channel, ignoring non-finite values (a NaN must not blank the picture). */
export function channelRange(image: GrayscaleImage): ValueRange {
  const { values, width, height, depth = 1, channel = 0, offset = 0 } = image;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0, n = width * height; i < n; i++) {
    const v = values[offset + i * depth + channel]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

function wholeScale(scale: number): number {
  return Math.max(1, Math.floor(scale));
}

/**
 * Opaque gray pixels as 32-bit words in the platform's byte order, so painting writes one
 * word per pixel instead of four bytes: OPAQUE_GRAY[g] has the bytes g, g, g, 255.
 */
const OPAQUE_GRAY = (() => {
  const table = new Uint32Array(256);
  new Uint8Array(table.buffer).set(Array.from({ length: 256 * 4 }, (_, i) => (i % 4 === 3 ? 255 : i >> 2)));
  return table;
})();

/** Each pixel array's 32-bit view, made once per array (ImageData buffers are reused across draws). */
const wordViews = new WeakMap<Uint8ClampedArray, Uint32Array>();

function wordsOf(target: PixelTarget): Uint32Array {
  let words = wordViews.get(target.data);
  if (!words) {
    words = new Uint32Array(target.data.buffer, target.data.byteOffset, target.data.length >> 2);
    wordViews.set(target.data, words);
  }
  return words;
}

/**
 * Paints one channel, scaled, into `target` with its top-left corner at (left, top).
 * A flat channel (max == min) is drawn mid-gray rather than dividing by zero; NaN draws
 * black. The tile must fit inside the target.
 */
export function paintGrayscale(target: PixelTarget, left: number, top: number, image: GrayscaleImage, options: GrayscaleOptions): void {
  paintTile(target, wordsOf(target), left, top, image.values, image, wholeScale(options.scale), options.range ?? channelRange(image));
}

/** paintGrayscale with the values apart from the placement, so a mosaic draw builds no objects per tile. */
function paintTile(
  target: PixelTarget,
  words: Uint32Array,
  left: number,
  top: number,
  values: ArrayLike<number>,
  image: Omit<GrayscaleImage, 'values'>,
  scale: number,
  range: ValueRange,
): void {
  const { width, height, depth = 1, channel = 0, offset = 0 } = image;
  if (left < 0 || top < 0 || left + width * scale > target.width || top + height * scale > target.height) {
    throw new RangeError(`a ${width}x${height} tile at ${scale}x does not fit at (${left}, ${top}) in ${target.width}x${target.height}`);
  }
  const { min, max } = range;
  const span = max - min;
  const factor = span > 0 ? 255 / span : 0;
  const rowPixels = target.width;
  const scaledWidth = width * scale;
  for (let y = 0; y < height; y++) {
    // The first pixel row of this value row, then copies of it for the other scale-1 rows.
    const rowStart = (top + y * scale) * rowPixels + left;
    let p = rowStart;
    let i = offset + width * y * depth + channel;
    for (let x = 0; x < width; x++, i += depth) {
      const level = span > 0 ? (values[i]! - min) * factor : 127;
      // Rounded and clamped to 0..255; NaN and +-Infinity draw black.
      const gray = level > 0 ? (level < 255 ? (level + 0.5) | 0 : level === Infinity ? 0 : 255) : 0;
      const pixel = OPAQUE_GRAY[gray]!;
      for (let dx = 0; dx < scale; dx++) words[p++] = pixel;
    }
    for (let dy = 1; dy < scale; dy++) words.copyWithin(rowStart + dy * rowPixels, rowStart, rowStart + scaledWidth);
  }
}

/** RGBA bytes of the scaled picture, (width*scale) x (height*scale). */
export function grayscaleRGBA(image: GrayscaleImage, options: GrayscaleOptions): Uint8ClampedArray {
  const scale = wholeScale(options.scale);
  const width = image.width * scale;
  const height = image.height * scale;
  const target = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  paintGrayscale(target, 0, 0, image, options);
  return target.data;
}

/**
 * Paints the backdrops, then every tile of the mosaic, into `target` (sized to the mosaic). `range`, when given,
 * scales all tiles alike; otherwise each tile uses its `rangeOf` span or its own channel.
 * Backdrops do not change with the values: a target that already has them can skip them.
 */
export function paintMosaic(
  target: PixelTarget,
  mosaic: Mosaic,
  values: ArrayLike<number>,
  range?: ValueRange,
  { backdrops = true }: { backdrops?: boolean } = {},
): void {
  const words = wordsOf(target);
  if (backdrops) {
    const backdrop = OPAQUE_GRAY[Math.max(0, Math.min(255, Math.round(mosaic.backdropGray ?? BACKDROP_GRAY)))]!;
    for (const rect of mosaic.backdrops ?? []) fillRect(target, words, rect, backdrop);
  }
  let lastSpan: MosaicTile['rangeOf'];
  let lastSpanRange: ValueRange | undefined;
  for (const tile of mosaic.tiles) {
    let tileRange = range;
    if (!tileRange && tile.rangeOf) {
      // Tiles of one filter come one after another: compute its range once.
      if (tile.rangeOf !== lastSpan) {
        lastSpan = tile.rangeOf;
        lastSpanRange = valueRange(values, tile.rangeOf.start, tile.rangeOf.end);
      }
      tileRange = lastSpanRange;
    }
    tileRange ??= channelRange({ ...tile, values });
    paintTile(target, words, tile.left, tile.top, values, tile, wholeScale(mosaic.scale), tileRange);
  }
}

function fillRect(target: PixelTarget, words: Uint32Array, rect: PixelRect, pixel: number): void {
  const { left, top, width, height } = rect;
  if (left < 0 || top < 0 || left + width > target.width || top + height > target.height) {
    throw new RangeError(`a ${width}x${height} backdrop does not fit at (${left}, ${top}) in ${target.width}x${target.height}`);
  }
  for (let y = top; y < top + height; y++) {
    const start = y * target.width + left;
    words.fill(pixel, start, start + width);
  }
}

/** What a canvas keeps between draws, so a refresh allocates nothing. */
interface CanvasPixels {
  context: CanvasRenderingContext2D;
  pixels: ImageData;
  /** The layout last painted; another one first clears what the old tiles left. */
  mosaic: Mosaic;
}

const pixelsByCanvas = new WeakMap<HTMLCanvasElement, CanvasPixels>();

/**
 * Sizes the canvas to the mosaic and paints it; null values paint the backdrops alone
 * (an empty layout, as a placeholder). The ImageData is kept per canvas and reused while
 * the size stays the same; only a new size allocates. Does nothing without a 2D context (jsdom).
 */
export function drawMosaic(canvas: HTMLCanvasElement, mosaic: Mosaic, values: ArrayLike<number> | null, range?: ValueRange): void {
  if (canvas.width !== mosaic.width) canvas.width = mosaic.width;
  if (canvas.height !== mosaic.height) canvas.height = mosaic.height;
  let kept = pixelsByCanvas.get(canvas);
  let fresh = true;
  if (!kept || kept.pixels.width !== mosaic.width || kept.pixels.height !== mosaic.height) {
    // A CPU-backed canvas: the pictures are redrawn from the CPU a few times a second,
    // and a GPU-backed one would make each its own compositing layer.
    const context = kept?.context ?? canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    // A fresh ImageData is all transparent, which is what the gaps between tiles show.
    kept = { context, pixels: context.createImageData(mosaic.width, mosaic.height), mosaic };
    pixelsByCanvas.set(canvas, kept);
  } else if (kept.mosaic !== mosaic || values === null) {
    kept.pixels.data.fill(0);
    kept.mosaic = mosaic;
  } else {
    // Same layout as last time: the backdrops are still there, only the tiles change.
    fresh = false;
  }
  if (values === null) paintMosaic(kept.pixels, { ...mosaic, tiles: [] }, [], undefined, { backdrops: true });
  else paintMosaic(kept.pixels, mosaic, values, range, { backdrops: fresh });
  kept.context.putImageData(kept.pixels, 0, 0);
}

/** A mosaic of one tile: a single channel filling the canvas. */
export function singleTileMosaic(image: Omit<GrayscaleImage, 'values'>, scale: number): Mosaic {
  const s = wholeScale(scale);
  const { width, height, depth, channel, offset } = image;
  return { width: width * s, height: height * s, scale: s, tiles: [{ left: 0, top: 0, width, height, depth, channel, offset }] };
}

