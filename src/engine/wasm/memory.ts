/**
 * One net's WebAssembly memory: a kernels instance plus a bump allocator over its
 * linear memory. The memory is grown once, to the size the whole net needs, before
 * the first array is handed out, and never again: growing would detach every
 * Float32Array view taken so far (params, activations, workspaces).
 */
import { instantiateKernels, type KernelExports } from './module';

const PAGE_BYTES = 65536;
/** wasm32 addresses 4 GiB; V8 allows that many pages. */
const MAX_PAGES = 65536;
/** Arrays start on a cache line, so a v128 load never straddles two more than it must. */
const ALIGN = 64;

export class WasmMemoryError extends Error {}

export class NetMemory {
  readonly exports: KernelExports;
  readonly buffer: ArrayBuffer;
  private top: number;
  private readonly limit: number;

  /** Throws WasmMemoryError when `bytes` cannot be had (too large for wasm32, or the grow fails). */
  constructor(module: WebAssembly.Module, bytes: number) {
    this.exports = instantiateKernels(module);
    const memory = this.exports.memory;
    const base = alignUp(this.exports.heapBase());
    const needed = base + bytes;
    const pages = Math.ceil(needed / PAGE_BYTES);
    const have = memory.buffer.byteLength / PAGE_BYTES;
    if (pages > MAX_PAGES) throw new WasmMemoryError(`a net needing ${needed} bytes does not fit wasm32 memory`);
    try {
      if (pages > have) memory.grow(pages - have);
    } catch (error) {
      throw new WasmMemoryError(`could not grow WASM memory to ${pages} pages: ${(error as Error).message}`);
    }
    this.buffer = memory.buffer as ArrayBuffer;
    this.top = base;
    this.limit = this.buffer.byteLength;
  }

  /** A zeroed Float32Array in this memory. */
  f32(length: number): Float32Array {
    return new Float32Array(this.buffer, this.take(length * 4), length);
  }

  /** A zeroed Int32Array in this memory. */
  i32(length: number): Int32Array {
    return new Int32Array(this.buffer, this.take(length * 4), length);
  }

  /** A zeroed Float64Array in this memory. */
  f64(length: number): Float64Array {
    return new Float64Array(this.buffer, this.take(length * 8), length);
  }

  /** Byte offset of `array` in this memory; throws for an array that lives elsewhere. */
  at(array: Float32Array | Int32Array): number {
    if (array.buffer !== this.buffer) {
      throw new Error(
        'WASM kernels run on arrays in their own memory: build layers through Net, ' +
          'or take the arrays from the kernels\' allocate()',
      );
    }
    return array.byteOffset;
  }

  get bytesUsed(): number {
    return this.top;
  }

  private take(bytes: number): number {
    const start = this.top;
    const end = alignUp(start + bytes);
    if (end > this.limit) {
      // Reaching here means the size estimate (wasm/kernels.ts) missed an allocation.
      throw new WasmMemoryError(`WASM net memory exhausted: need ${end} bytes of ${this.limit}`);
    }
    this.top = end;
    return start;
  }
}

export function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** Bytes an allocation of `bytes` takes from the arena, alignment included. */
export function footprint(bytes: number): number {
  return alignUp(bytes);
}
