// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { channelRange, grayscaleRGBA, paintMosaic, valueRange, type Mosaic } from '../../src/ui/common/grayscale';
import { filterMosaic, gridLayout, mosaicLabel, volumeMosaic } from '../../src/ui/network-view/layer-maps';
import { networkSummary } from './dashboard-harness';

/** Gray level of each scaled pixel, row by row. */
function grays(rgba: Uint8ClampedArray): number[] {
  return Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]!);
}

describe('the shared grayscale drawing helper', () => {
  it('auto-scales one channel of an HWC volume from black to white', () => {
    // 2x1 picture with 2 channels: channel 0 = [1, 3], channel 1 = [-5, 5].
    const values = new Float32Array([1, -5, 3, 5]);
    expect(grays(grayscaleRGBA({ values, width: 2, height: 1, depth: 2, channel: 0 }, { scale: 1 }))).toEqual([0, 255]);
    expect(grays(grayscaleRGBA({ values, width: 2, height: 1, depth: 2, channel: 1 }, { scale: 1 }))).toEqual([0, 255]);
    expect(channelRange({ values, width: 2, height: 1, depth: 2, channel: 1 })).toEqual({ min: -5, max: 5 });
  });

  it('uses a given range so channels of a layer compare, and repeats pixels to scale', () => {
    const values = new Float32Array([0, 0.5, 1, 2]); // 2x2
    const rgba = grayscaleRGBA({ values, width: 2, height: 2 }, { scale: 2, range: { min: 0, max: 2 } });
    expect(rgba).toHaveLength(4 * 4 * 4);
    expect(grays(rgba)).toEqual([
      0, 0, 64, 64,
      0, 0, 64, 64,
      128, 128, 255, 255,
      128, 128, 255, 255,
    ]);
    expect(rgba[3]).toBe(255);
  });

  it('draws a flat channel mid-gray and NaN black instead of failing', () => {
    expect(grays(grayscaleRGBA({ values: [4, 4, 4], width: 3, height: 1 }, { scale: 1 }))).toEqual([127, 127, 127]);
    expect(grays(grayscaleRGBA({ values: [0, Number.NaN, 1], width: 3, height: 1 }, { scale: 1 }))).toEqual([0, 0, 255]);
    expect(valueRange([Number.NaN, 2, -1, Infinity])).toEqual({ min: -1, max: 2 });
  });

  it('reads from an offset, as a filter inside the flat weight array', () => {
    const values = new Float32Array([9, 9, 0, 1]);
    expect(grays(grayscaleRGBA({ values, width: 2, height: 1, offset: 2 }, { scale: 1 }))).toEqual([0, 255]);
  });
});

describe('mosaics: many tiles on one canvas', () => {
  /** Gray level (or -1 for a transparent gap) of each pixel of a painted mosaic, row by row. */
  function paint(mosaic: Mosaic, values: ArrayLike<number>, range?: { min: number; max: number }): number[][] {
    const target = { width: mosaic.width, height: mosaic.height, data: new Uint8ClampedArray(mosaic.width * mosaic.height * 4) };
    paintMosaic(target, mosaic, values, range);
    return Array.from({ length: mosaic.height }, (_, y) =>
      Array.from({ length: mosaic.width }, (_, x) => {
        const p = (y * mosaic.width + x) * 4;
        return target.data[p + 3] === 0 ? -1 : target.data[p]!;
      }),
    );
  }

  it('places each channel in its own region, leaves the gaps transparent, and uses a shared range', () => {
    // 1x1 picture with 2 channels [0, 2], tiles side by side at 2x with a 1 px gap.
    const mosaic: Mosaic = {
      width: 5,
      height: 2,
      scale: 2,
      tiles: [
        { left: 0, top: 0, width: 1, height: 1, depth: 2, channel: 0 },
        { left: 3, top: 0, width: 1, height: 1, depth: 2, channel: 1 },
      ],
    };
    expect(paint(mosaic, [0, 2], { min: 0, max: 2 })).toEqual([
      [0, 0, -1, 255, 255],
      [0, 0, -1, 255, 255],
    ]);
    // Without a shared range each tile is its own channel's range: both flat, both mid-gray.
    expect(paint(mosaic, [0, 2])[0]).toEqual([127, 127, -1, 127, 127]);
  });

  it('scales tiles that share a rangeOf span together, and other spans apart', () => {
    // Two "filters" of 2 values each (1x1x2): [0, 2] and [10, 30].
    const first = { start: 0, end: 2 };
    const second = { start: 2, end: 4 };
    const tile = (left: number, channel: number, offset: number, rangeOf: { start: number; end: number }) => ({
      left,
      top: 0,
      width: 1,
      height: 1,
      depth: 2,
      channel,
      offset,
      rangeOf,
    });
    const mosaic: Mosaic = {
      width: 4,
      height: 1,
      scale: 1,
      tiles: [tile(0, 0, 0, first), tile(1, 1, 0, first), tile(2, 0, 2, second), tile(3, 1, 2, second)],
    };
    expect(paint(mosaic, [0, 2, 10, 30])).toEqual([[0, 255, 0, 255]]);
    // A range for the whole mosaic wins over the spans.
    expect(paint(mosaic, [0, 2, 10, 30], { min: 0, max: 30 })).toEqual([[0, 17, 85, 255]]);
  });

  it('fills backdrops before the tiles, so each tile sits in a frame', () => {
    const mosaic: Mosaic = {
      width: 4,
      height: 3,
      scale: 1,
      backdropGray: 200,
      backdrops: [{ left: 0, top: 0, width: 3, height: 3 }],
      tiles: [{ left: 1, top: 1, width: 1, height: 1 }],
    };
    expect(paint(mosaic, [5], { min: 0, max: 5 })).toEqual([
      [200, 200, 200, -1],
      [200, 255, 200, -1],
      [200, 200, 200, -1],
    ]);
    // A redraw over pixels that already hold the backdrops may skip them.
    const target = { width: 4, height: 3, data: new Uint8ClampedArray(4 * 3 * 4) };
    paintMosaic(target, mosaic, [5], { min: 0, max: 5 }, { backdrops: false });
    expect(Array.from({ length: 12 }, (_, i) => target.data[i * 4 + 3])).toEqual([0, 0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a tile that does not fit instead of writing into a neighbour row', () => {
    const mosaic: Mosaic = { width: 3, height: 1, scale: 2, tiles: [{ left: 0, top: 0, width: 2, height: 1 }] };
    expect(() => paint(mosaic, [0, 1])).toThrow(RangeError);
  });

  it('lays boxes out in as few rows as fit, spread evenly', () => {
    const grid = gridLayout(16, 24, 24, 4, 416);
    // 15 boxes fit in 416 px, so 16 need two rows of 8.
    expect([grid.columns, grid.rows, grid.width, grid.height]).toEqual([8, 2, 8 * 24 + 7 * 4, 2 * 24 + 4]);
    expect(grid.at(9)).toEqual({ left: 28, top: 28 });
    expect(gridLayout(3, 500, 10, 4, 416)).toMatchObject({ columns: 1, rows: 3, width: 500, height: 38 });
  });
});

describe('how layer volumes become mosaics', () => {
  const network = networkSummary();

  it('puts a spatial layer on one canvas with a 2x tile per channel', () => {
    const conv = network.layers[1]!;
    const mosaic = volumeMosaic(conv);
    expect(mosaic.scale).toBe(2);
    expect(mosaic.tiles.map((t) => [t.channel, t.depth, t.width, t.height])).toEqual(
      Array.from({ length: 8 }, (_, d) => [d, 8, 24, 24]),
    );
    // 8 tiles of 48 px, each in a 1 px frame, in one row 2 px apart: every tile keeps its square shape.
    expect([mosaic.width, mosaic.height]).toEqual([8 * 50 + 7 * 2, 50]);
    expect(mosaic.tiles[7]).toMatchObject({ left: 7 * 52 + 1, top: 1 });
    expect(mosaic.backdrops![7]).toEqual({ left: 7 * 52, top: 0, width: 50, height: 50 });
    expect(mosaicLabel(conv, 'activations')).toBe('conv (24x24x8) activations, 8 channels');
    expect(mosaicLabel(network.layers[0]!, 'activation gradients')).toBe('input (24x24x1) activation gradients, 1 channel');
  });

  it('draws 1x1xN layers as 10x cells in rows that wrap every 40 values', () => {
    const fc = { ...network.layers[7]!, out: { sx: 1, sy: 1, depth: 100 } };
    const mosaic = volumeMosaic(fc);
    expect(mosaic.tiles.map((t) => [t.offset, t.width, t.height, t.left, t.top])).toEqual([
      [0, 40, 1, 1, 1],
      [40, 40, 1, 1, 11],
      [80, 20, 1, 1, 21],
    ]);
    expect([mosaic.width, mosaic.height, mosaic.scale]).toEqual([402, 32, 10]);
    expect(mosaicLabel(network.layers[8]!, 'activation gradients')).toBe('softmax (1x1x10) activation gradients, 10 values');
  });

  it('finds filter f, input channel d at f*sx*sy*inDepth, channel d, and scales per filter', () => {
    const conv2 = network.layers[4]!;
    const mosaic = filterMosaic(conv2);
    expect(mosaic.tiles).toHaveLength(128);
    expect(mosaic.scale).toBe(4);
    const ofFilter3 = mosaic.tiles.filter((t) => t.offset === 3 * 200);
    expect(ofFilter3.map((t) => t.channel)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(ofFilter3.map((t) => t.rangeOf)).size).toBe(1);
    expect(ofFilter3[0]!.rangeOf).toEqual({ start: 600, end: 800 });
    // A filter's input channels sit side by side, 1 px apart.
    expect(ofFilter3[1]!.left - ofFilter3[0]!.left).toBe(21);
    expect(ofFilter3[1]!.top).toBe(ofFilter3[0]!.top);
    // Every tile lies inside the canvas and no two overlap; each filter has one framed backdrop.
    expect(mosaic.backdrops).toHaveLength(16);
    const boxes = mosaic.tiles.map((t) => [t.left, t.top, t.left + 20, t.top + 20] as const);
    for (const [x0, y0, x1, y1] of boxes) expect(x0 >= 0 && y0 >= 0 && x1 <= mosaic.width && y1 <= mosaic.height).toBe(true);
    const overlapping = boxes.filter((a, i) => boxes.some((b, j) => j !== i && a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]));
    expect(overlapping).toEqual([]);
    expect(mosaicLabel(conv2, 'weight gradients')).toBe('conv (12x12x16) weight gradients, 16 filters of 5x5x8');
  });
});
