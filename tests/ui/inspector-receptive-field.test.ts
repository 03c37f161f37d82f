import { describe, expect, it } from 'vitest';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../src/engine/parse';
import { summarizeNetwork } from '../../src/training/summary';
import { receptiveField } from '../../src/ui/inspector/receptive-field';

// Seed net: input 24x24, conv 5x5 pad 2 (1), relu (2), pool 2/2 (3), conv 5x5 pad 2 (4),
// relu (5), pool 3/3 (6), fc (7), softmax (8).
const seed = parseNetwork(SEED_DEFINITION_TEXT);
const layers = summarizeNetwork(seed.layers, seed.trainer, SEED_DEFINITION_TEXT).layers;

describe('receptive field of the seed network', () => {
  it('is the position itself on the input layer', () => {
    expect(receptiveField(layers, 0, 7, 3)).toEqual({ x0: 7, y0: 3, x1: 7, y1: 3 });
  });

  it('is the 5x5 window of conv 1, clipped where the padding lies', () => {
    expect(receptiveField(layers, 1, 10, 12)).toEqual({ x0: 8, y0: 10, x1: 12, y1: 14 });
    expect(receptiveField(layers, 1, 0, 23)).toEqual({ x0: 0, y0: 21, x1: 2, y1: 23 });
    // relu keeps positions.
    expect(receptiveField(layers, 2, 10, 12)).toEqual(receptiveField(layers, 1, 10, 12));
  });

  it('is 6x6 after the first pool', () => {
    // pool (5,5) covers conv1 10..11, which see input 8..13.
    expect(receptiveField(layers, 3, 5, 5)).toEqual({ x0: 8, y0: 8, x1: 13, y1: 13 });
  });

  it('follows conv 2 and pool 2 back to the input', () => {
    // conv2 (5,5): pool1 3..7 -> conv1 6..15 -> input 4..17.
    expect(receptiveField(layers, 4, 5, 5)).toEqual({ x0: 4, y0: 4, x1: 17, y1: 17 });
    // pool2 (1,1): conv2 3..5 -> pool1 1..7 -> conv1 2..15 -> input 0..17.
    expect(receptiveField(layers, 6, 1, 1)).toEqual({ x0: 0, y0: 0, x1: 17, y1: 17 });
    // pool2 (0,0): conv2 0..2 -> pool1 -2..4, clipped 0..4 -> conv1 0..9 -> input -2..11, clipped 0..11.
    expect(receptiveField(layers, 6, 0, 0)).toEqual({ x0: 0, y0: 0, x1: 11, y1: 11 });
    // pool2 (3,2): x: conv2 9..11 -> pool1 7..13 clipped 7..11 -> conv1 14..23 -> input 12..23;
    // y: conv2 6..8 -> pool1 4..10 -> conv1 8..21 -> input 6..23.
    expect(receptiveField(layers, 6, 3, 2)).toEqual({ x0: 12, y0: 6, x1: 23, y1: 23 });
  });

  it('is the whole input for fc and softmax', () => {
    expect(receptiveField(layers, 7, 0, 0)).toEqual({ x0: 0, y0: 0, x1: 23, y1: 23 });
    expect(receptiveField(layers, 8, 0, 0)).toEqual({ x0: 0, y0: 0, x1: 23, y1: 23 });
  });

  it('rejects positions outside the layer', () => {
    expect(() => receptiveField(layers, 6, 4, 0)).toThrow(/outside/);
    expect(() => receptiveField(layers, 9, 0, 0)).toThrow(/no layer/);
  });
});
