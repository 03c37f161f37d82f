/**
 * The coordinator's gradient sum, its share of the serial part of every data-parallel
 * batch: target += each source in turn, element by element, in float32.
 *
 * V8 runs the plain loop one element at a time, widening each float to double and back:
 * ~15-20 us for the seed network's 5,994 gradients, about a fifth of what the other
 * threads wait for between two batches (the update is most of the rest). The kernels
 * module's addInto (assembly/sum.ts) runs it four lanes at a time instead, ~3-4 us with
 * the copies in and out. The sums are the same bits: f32x4.add rounds each lane once, and
 * a double add of two floats rounded to float32 gives that same value (double carries more
 * than twice float's precision), so the order of the sources is all that decides the result.
 */
import { instantiateKernels, kernelsModule, type KernelExports } from '../engine/wasm/module';

const PAGE_BYTES = 65536;

/** Sums gradient buffers; one per coordinator, its memory grown to the largest net it summed. */
export class GradientSum {
  /** An instance of the exact kernels with its own memory; null where WebAssembly SIMD is missing (the plain loop then). */
  private simd: KernelExports | null;

  /** `useSimd` false: the plain loop (for tests that compare the two). */
  constructor(useSimd = true) {
    const module = useSimd ? kernelsModule('exact') : null;
    this.simd = module ? instantiateKernels(module) : null;
  }

  /** target += sources[0], then += sources[1], ..., element by element in float32. */
  sumInto(target: Float32Array, sources: readonly Float32Array[]): void {
    for (const source of sources) {
      if (source.length !== target.length) {
        throw new Error(`a replica returned ${source.length} gradients for a network of ${target.length} parameters`);
      }
    }
    if (sources.length === 0) return;
    if (!this.simd) {
      for (const source of sources) addPlain(target, source);
      return;
    }
    const n = target.length;
    // Whole vectors: the padding lanes are summed too and never read back.
    const regionBytes = Math.ceil(n / 4) * 16;
    const { memory, addInto } = this.simd;
    const base = this.simd.heapBase();
    const missing = Math.ceil((base + 2 * regionBytes - memory.buffer.byteLength) / PAGE_BYTES);
    if (missing > 0) memory.grow(missing);
    const sum = new Float32Array(memory.buffer, base, n);
    const next = new Float32Array(memory.buffer, base + regionBytes, n);
    sum.set(target);
    for (const source of sources) {
      next.set(source);
      addInto(base, base + regionBytes, n);
    }
    target.set(sum);
  }
}

function addPlain(target: Float32Array, source: Float32Array): void {
  // Length read once: measurably faster in V8 than re-reading it on every step.
  const n = target.length | 0;
  for (let j = 0; j < n; j++) target[j] = target[j] + source[j];
}
