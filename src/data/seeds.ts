/**
 * One user seed feeds several independent random streams (weight init, validation
 * split, epoch order, crops, test-time crops). Each stream gets its own seed derived
 * from the user seed and a stream name, so that, for example, evaluating with 4 crops
 * instead of the center crop never changes what was trained, and the CLI and the
 * dashboard pick the same validation split for the same seed.
 */

/** Names of the streams in use; a new consumer adds its own name here. */
export type SeedStream =
  | 'init'
  | 'validation-split'
  | 'epoch-order'
  | 'train-crops'
  | 'eval-crops'
  | 'replica-dropout'
  | 'test-holdout';

/** A 32-bit seed for `stream`, a deterministic function of (seed, stream). */
export function deriveSeed(seed: number, stream: SeedStream): number {
  // FNV-1a over the stream name, mixed with the seed through a murmur3-style finalizer;
  // Rng then runs its own splitmix on top, so streams of nearby seeds are unrelated.
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= seed >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
