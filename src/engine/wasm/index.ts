/**
 * Which kernels a Net gets when none are named: WebAssembly SIMD where it runs
 * (Node 20, current browsers), the TypeScript kernels otherwise. The choice can be
 * pinned with setDefaultKernels, or in Node with ENGINE_KERNELS=js|wasm.
 */
import type { Kernels } from '../kernels/contract';
import { jsKernels } from '../kernels/js-blocked';
import { createWasmKernels, wasmKernelsAvailable } from './kernels';

export type KernelChoice = 'auto' | 'js' | 'wasm';
export const KERNEL_CHOICES: readonly KernelChoice[] = ['auto', 'js', 'wasm'];

/** The WASM set; each net built with it gets its own memory (see forNet). */
export const wasmKernels: Kernels = createWasmKernels(jsKernels);

let choice: KernelChoice = readEnvironment();

function readEnvironment(): KernelChoice {
  // Node's environment when there is one; a browser has no `process`.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.ENGINE_KERNELS;
  return value === 'js' || value === 'wasm' ? value : 'auto';
}

/** Pins the kernels of nets built from now on; 'wasm' throws where WASM SIMD is missing. */
export function setDefaultKernels(next: KernelChoice): void {
  if (next === 'wasm' && !wasmKernelsAvailable()) {
    throw new Error('WebAssembly SIMD is not available here; use the js kernels');
  }
  choice = next;
}

/** The set a Net uses when it is not given one. */
export function defaultKernels(): Kernels {
  if (choice === 'js') return jsKernels;
  if (choice === 'wasm' || wasmKernelsAvailable()) return wasmKernels;
  return jsKernels;
}

/** A set by name: 'js' or 'wasm' (throws where WASM SIMD is missing), 'auto' = the default. */
export function kernelsNamed(name: KernelChoice): Kernels {
  if (name === 'js') return jsKernels;
  if (name === 'wasm') {
    if (!wasmKernelsAvailable()) throw new Error('WebAssembly SIMD is not available here; use the js kernels');
    return wasmKernels;
  }
  return defaultKernels();
}

export { wasmKernelsAvailable } from './kernels';
