/**
 * Relaxed SIMD in Node 20, where V8 keeps it behind --experimental-wasm-relaxed-simd
 * (Chromium and Node 22 have it on by default): for the bench and the tests that
 * measure or check the relaxed-SIMD build of the kernels in this process.
 */
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdAvailable } from '../../src/engine/wasm/module';

/**
 * Runs `make` with relaxed SIMD on. Where the runtime lacks it, the V8 flag is set
 * for the call only and cleared after, so only what `make` compiles (the relaxed
 * module, cached per thread by src/engine/wasm/module.ts) uses it, and worker
 * threads and nets built later keep the default build.
 */
export function withRelaxedSimd<T>(make: () => T): { value: T; enabledHere: boolean } {
  const enabledHere = !relaxedSimdAvailable();
  if (enabledHere) setFlagsFromString('--experimental-wasm-relaxed-simd');
  try {
    return { value: make(), enabledHere };
  } finally {
    if (enabledHere) setFlagsFromString('--no-experimental-wasm-relaxed-simd');
  }
}
