/**
 * Fuzzing the CLI's image decoder as the dataset loaders are fuzzed: damaged or cut PNGs
 * and JPEGs decode to a consistent picture (RGBA for every pixel, within the size limit)
 * or are rejected, and no case hangs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DECODED_PIXELS, type DecodedImage } from '../../../src/data/image-folder';
import { decodeWithNode } from '../../../src/data/node-image-decoder';
import { CASE_TIME_LIMIT_MS, fuzzParams, runsFor, timeoutFor } from '../fuzz/fuzz-support';
import { encodeJpeg, encodePng, shapePicture } from './encoded-images';

const RUNS = runsFor(60);
const SIDE = 12;
const FILES = { png: encodePng(SIDE, SIDE, shapePicture('diagonal', SIDE, 1)), jpeg: encodeJpeg(SIDE, SIDE, shapePicture('top', SIDE, 2)) };

async function decodeOutcome(bytes: Uint8Array): Promise<{ image: DecodedImage | null; ms: number }> {
  const start = performance.now();
  try {
    const image = await decodeWithNode(bytes, 'class/fuzzed');
    return { image, ms: performance.now() - start };
  } catch {
    return { image: null, ms: performance.now() - start };
  }
}

describe('decodeWithNode, fuzzed', () => {
  it(
    'a damaged or cut PNG or JPEG decodes to a whole RGBA picture or is rejected',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<'png' | 'jpeg'>('png', 'jpeg'),
          fc.array(fc.record({ at: fc.nat({ max: 4000 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 6 }),
          fc.option(fc.nat({ max: 4000 }), { nil: undefined }),
          async (format, flips, keep) => {
            const original = FILES[format];
            const bytes = original.slice(0, keep === undefined ? original.length : Math.min(original.length, 8 + keep));
            // The signature stays, so the decoder of the format is the one tried.
            for (const { at, value } of flips) if (at >= 8 && at < bytes.length) bytes[at] = value;
            const { image, ms } = await decodeOutcome(bytes);
            expect(ms).toBeLessThan(CASE_TIME_LIMIT_MS);
            if (image === null) return;
            expect(image.width * image.height).toBeLessThanOrEqual(MAX_DECODED_PIXELS);
            expect(image.rgba.length).toBe(image.width * image.height * 4);
          },
        ),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});
