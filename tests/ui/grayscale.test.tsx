// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { channelRange, grayscaleRGBA, valueRange } from '../../src/ui/common/grayscale';
import { filterMaps, volumeMaps } from '../../src/ui/network-view/layer-maps';
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

describe('how layer volumes become pictures', () => {
  const network = networkSummary();

  it('cuts a spatial layer into one 2x picture per channel', () => {
    const conv = network.layers[1]!;
    const maps = volumeMaps(conv, new Float32Array(24 * 24 * 8));
    expect(maps.map((m) => [m.channel, m.depth, m.width, m.height, m.scale])).toEqual(
      Array.from({ length: 8 }, (_, d) => [d, 8, 24, 24, 2]),
    );
  });

  it('draws 1x1xN layers as 10x strips that wrap every 40 values', () => {
    const fc = { ...network.layers[7]!, out: { sx: 1, sy: 1, depth: 100 } };
    const maps = volumeMaps(fc, new Float32Array(100));
    expect(maps.map((m) => [m.offset, m.width, m.height, m.scale])).toEqual([
      [0, 40, 1, 10],
      [40, 40, 1, 10],
      [80, 20, 1, 10],
    ]);
  });

  it('finds filter f, input channel d at f*sx*sy*inDepth, channel d', () => {
    const conv2 = network.layers[4]!;
    const maps = filterMaps(conv2, new Float32Array(16 * 5 * 5 * 8));
    expect(maps).toHaveLength(128);
    const m = maps.find((x) => x.filter === 3 && x.channel === 5)!;
    expect([m.offset, m.width, m.height, m.depth]).toEqual([3 * 200, 5, 5, 8]);
  });
});
