/**
 * A 3-D block of numbers with its gradient: the unit that flows between layers.
 *
 * Layout is ConvNetJS's HWC order: the value at column x, row y, channel d sits at
 * index ((sx * y) + x) * depth + d. Snapshots and cross-checks rely on this order.
 */
export class Volume {
  readonly sx: number;
  readonly sy: number;
  readonly depth: number;
  /** Values. */
  readonly w: Float32Array;
  /** Gradient of the loss with respect to w; written by backward passes. */
  readonly dw: Float32Array;

  constructor(sx: number, sy: number, depth: number, w?: Float32Array) {
    this.sx = sx;
    this.sy = sy;
    this.depth = depth;
    const n = sx * sy * depth;
    if (w && w.length !== n) {
      throw new Error(`Volume ${sx}x${sy}x${depth} needs ${n} values, got ${w.length}`);
    }
    this.w = w ?? new Float32Array(n);
    this.dw = new Float32Array(n);
  }

  get size(): number {
    return this.w.length;
  }

  index(x: number, y: number, d: number): number {
    return (this.sx * y + x) * this.depth + d;
  }

  get(x: number, y: number, d: number): number {
    return this.w[(this.sx * y + x) * this.depth + d];
  }

  set(x: number, y: number, d: number, v: number): void {
    this.w[(this.sx * y + x) * this.depth + d] = v;
  }
}
