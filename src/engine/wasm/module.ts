/**
 * The compiled kernels module: decoded and compiled once per thread, synchronously
 * (the bytes are in a generated module, see scripts/build-wasm.mjs), so a Net can
 * be built with WASM kernels without awaiting anything. Two builds exist; the
 * relaxed-SIMD one is chosen where the runtime validates a tiny relaxed module.
 */
import { KERNELS_WASM_BASE64, RELAXED_KERNELS_WASM_BASE64 } from './generated/kernels-wasm';

/** The functions assembly/index.ts exports; every pointer is a byte offset into `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  convForward(plan: number, x: number, w: number, b: number, out: number): void;
  convPrepare(plan: number, w: number, b: number): void;
  convForwardPrepared(plan: number, x: number, out: number, relu: number): void;
  winogradPrepare(plan: number, w: number, b: number): void;
  winogradForward(plan: number, x: number, out: number, relu: number): void;
  winogradRowsPrepare(plan: number, w: number, b: number): void;
  winogradRowsForward(plan: number, x: number, out: number, relu: number): void;
  /** The sparse route's shape-only tables, once per layer. */
  sparseLayout(plan: number): void;
  sparsePrepare(plan: number, w: number, b: number): void;
  /** 1 where it wrote the outputs; 0 (nothing written) where the input is too far off its background for the route (see assembly/conv-sparse.ts). */
  sparseForward(plan: number, x: number, out: number, relu: number): number;
  convBackward(plan: number, w: number, dOut: number, dx: number, dw: number, db: number, withDx: boolean): void;
  fcForward(n: number, m: number, x: number, w: number, b: number, out: number): void;
  fcForwardPrepared(n: number, m: number, x: number, w: number, b: number, out: number, relu: number): void;
  fcBackward(n: number, m: number, x: number, w: number, dOut: number, dx: number, dw: number, db: number, withDx: boolean): void;
  poolForward(plan: number, x: number, out: number, switches: number): void;
  poolForwardValues(plan: number, x: number, out: number): void;
  poolBackward(dOut: number, switches: number, outSize: number, dx: number, inSize: number): void;
  reluForward(x: number, y: number, n: number): void;
  reluBackward(y: number, dy: number, dx: number, n: number): void;
  paramUpdate(rule: number, p: number, g: number, gsum: number, xsum: number, ranges: number, rangeCount: number, hyper: number): void;
  /** 1 where the n 32-bit words at a and at b have the same bits, else 0. */
  sameWords(a: number, b: number, n: number): number;
  /** target += source over n floats (the data-parallel gradient sum). */
  addInto(target: number, source: number, n: number): void;
}

/**
 * The two builds of the same kernels (scripts/build-wasm.mjs): 'exact' with plain
 * SIMD, 'relaxed' with relaxed SIMD, whose inference routes use fused multiply-adds
 * (assembly/madd.ts). Training kernels are the exact ones in both.
 */
export type KernelBuild = 'exact' | 'relaxed';

const compiled: Partial<Record<KernelBuild, WebAssembly.Module | null>> = {};
let preferred: KernelBuild | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/**
 * The smallest module that uses relaxed SIMD: one function returning
 * f32x4.relaxed_madd of three zero vectors. A runtime that validates it runs the
 * relaxed build (Chromium and Node 22 do by default; Node 20 needs
 * --experimental-wasm-relaxed-simd).
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: () -> v128
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // code section: one body of 59 bytes, no locals
  0x0a, 0x3d, 0x01, 0x3b, 0x00,
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), // v128.const 0, three times
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x0b,
]);

/** True where this runtime accepts relaxed SIMD (asked afresh: a V8 flag may have been set since). */
export function relaxedSimdAvailable(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** The build nets get by default: relaxed where the runtime has it, decided once per thread. */
export function preferredKernelBuild(): KernelBuild {
  preferred ??= relaxedSimdAvailable() && kernelsModule('relaxed') ? 'relaxed' : 'exact';
  return preferred;
}

/**
 * A build of the kernels module (the preferred one when not named), or null where
 * it cannot be compiled: no WebAssembly, no SIMD (the module uses v128 throughout),
 * no relaxed SIMD for the relaxed build, or a page's main thread that forbids
 * synchronous compiles of this size.
 */
export function kernelsModule(build: KernelBuild = preferredKernelBuild()): WebAssembly.Module | null {
  if (compiled[build] === undefined) {
    const base64 = build === 'relaxed' ? RELAXED_KERNELS_WASM_BASE64 : KERNELS_WASM_BASE64;
    try {
      compiled[build] = typeof WebAssembly === 'object' ? new WebAssembly.Module(decodeBase64(base64)) : null;
    } catch {
      compiled[build] = null;
    }
  }
  return compiled[build];
}

/** A fresh instance with its own memory (initially empty: the caller grows it once). */
export function instantiateKernels(module: WebAssembly.Module): KernelExports {
  return new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
}
