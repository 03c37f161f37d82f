/**
 * The compiled kernels module: decoded and compiled once per thread, synchronously
 * (the bytes are in a generated module, see scripts/build-wasm.mjs), so a Net can
 * be built with WASM kernels without awaiting anything.
 */
import { KERNELS_WASM_BASE64 } from './generated/kernels-wasm';

/** The functions assembly/index.ts exports; every pointer is a byte offset into `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  convForward(plan: number, x: number, w: number, b: number, out: number): void;
  convPrepare(plan: number, w: number, b: number): void;
  convForwardPrepared(plan: number, x: number, out: number): void;
  winogradPrepare(plan: number, w: number, b: number): void;
  winogradForward(plan: number, x: number, out: number): void;
  convBackward(plan: number, w: number, dOut: number, dx: number, dw: number, db: number): void;
  fcForward(n: number, m: number, x: number, w: number, b: number, out: number): void;
  fcBackward(n: number, m: number, x: number, w: number, dOut: number, dx: number, dw: number, db: number): void;
  poolForward(plan: number, x: number, out: number, switches: number): void;
  poolForwardValues(plan: number, x: number, out: number): void;
  poolBackward(dOut: number, switches: number, outSize: number, dx: number, inSize: number): void;
  reluForward(x: number, y: number, n: number): void;
  reluBackward(y: number, dy: number, dx: number, n: number): void;
  paramUpdate(rule: number, p: number, g: number, gsum: number, xsum: number, ranges: number, rangeCount: number, hyper: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/**
 * The kernels module, or null where it cannot be compiled: no WebAssembly, no SIMD
 * (the module uses v128 throughout), or a page's main thread that forbids
 * synchronous compiles of this size.
 */
export function kernelsModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64)) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A fresh instance with its own memory (initially empty: the caller grows it once). */
export function instantiateKernels(module: WebAssembly.Module): KernelExports {
  return new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
}
