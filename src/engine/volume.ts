/**
 * A 3-D block of numbers with its gradient: the unit that flows between layers.
 *
 * Layout is ConvNetJS's HWC order: the value at column x, row y, channel d sits at
 * index ((sx * y) + x) * depth + d. Snapshots and cross-checks rely on this order.
 */
/** Makes the storage of a new volume: a fresh array unless a builder says otherwise. */
export type Allocate = (length: number) => Float32Array;

const freshArray: Allocate = (length) => new Float32Array(length);
let allocateStorage: Allocate = freshArray;

/**
 * Runs `build` with every Volume created meanwhile taking its w and dw from
 * `allocate`. Net uses it so that all activations of a net land in the memory its
 * kernels work on (one WASM memory per net), without each layer having to know.
 */
export function withVolumeStorage<T>(allocate: Allocate, build: () => T): T {
  const previous = allocateStorage;
  allocateStorage = allocate;
  try {
    return build();
  } finally {
    allocateStorage = previous;
  }
}

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
    this.w = w ?? allocateStorage(n);
    this.dw = allocateStorage(n);
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
