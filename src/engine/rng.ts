/**
 * The one seeded pseudo-random generator. Every random draw in the project
 * (weight init, dropout masks, crops, sampling, splits) goes through an Rng so
 * that one seed reproduces a whole run.
 *
 * Algorithm: xoshiro128** (32-bit state words, fast in JS integer math),
 * seeded through splitmix32 so that nearby seeds give unrelated streams.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second value of the last polar-method pair, returned by the next gaussian(). */
  private spareGaussian: number | null = null;

  constructor(seed: number) {
    this.reseed(seed);
  }

  reseed(seed: number): void {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareGaussian = null;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /** Uniform integer in [a, b) (b exclusive, as ConvNetJS's randi). */
  int(a: number, b: number): number {
    return a + Math.floor(this.random() * (b - a));
  }

  /** Standard normal draw scaled to mean mu and standard deviation std (Marsaglia polar method). */
  gaussian(mu = 0, std = 1): number {
    if (this.spareGaussian !== null) {
      const v = this.spareGaussian;
      this.spareGaussian = null;
      return mu + v * std;
    }
    let u = 0;
    let v = 0;
    let r = 0;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      r = u * u + v * v;
    } while (r === 0 || r >= 1);
    const c = Math.sqrt((-2 * Math.log(r)) / r);
    this.spareGaussian = v * c;
    return mu + u * c * std;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
  }

  /** Full generator state, for checkpoints that must resume the same stream. */
  getState(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(state: readonly [number, number, number, number]): void {
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0) as [number, number, number, number];
    this.spareGaussian = null;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
