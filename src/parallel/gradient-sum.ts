/**
 * The coordinator's gradient sum, its share of the serial part of every data-parallel
 * batch: target += each source in turn, element by element, in float32.
 *
 * V8 runs the plain loop one element at a time, widening each float to double and back:
 * ~15-20 us for the seed network's 5,994 gradients, about a fifth of what the other
 * threads wait for between two batches (the update is most of the rest). This runs it four
 * lanes at a time in a 110-byte WebAssembly SIMD module instead, ~3-4 us with the copies
 * in and out. The sums are the same bits: f32x4.add rounds each lane once, and a double
 * add of two floats rounded to float32 gives that same value (double carries more than
 * twice float's precision), so the order of the sources is all that decides the result.
 *
 * The module, in text form (built with binaryen's parseText + emitBinary):
 *
 *   (module
 *     (memory (export "memory") 1)
 *     ;; f32 lanes [a, a + bytes) += [b, b + bytes); bytes a multiple of 16
 *     (func (export "add") (param $a i32) (param $b i32) (param $bytes i32)
 *       (local $end i32)
 *       (local.set $end (i32.add (local.get $a) (local.get $bytes)))
 *       (block $done
 *         (loop $next
 *           (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
 *           (v128.store (local.get $a) (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $b))))
 *           (local.set $a (i32.add (local.get $a) (i32.const 16)))
 *           (local.set $b (i32.add (local.get $b) (i32.const 16)))
 *           (br $next)))))
 */

// prettier-ignore
const ADD_MODULE = Uint8Array.of(
  0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 3, 127, 127, 127, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 16, 2, 6, 109, 101, 109, 111,
  114, 121, 2, 0, 3, 97, 100, 100, 0, 0, 10, 64, 1, 62, 1, 1, 127, 32, 0, 32, 2, 106, 33, 3, 2, 64, 3, 64, 32, 0, 32, 3, 79,
  13, 1, 32, 0, 32, 0, 253, 0, 4, 0, 32, 1, 253, 0, 4, 0, 253, 228, 1, 253, 11, 4, 0, 32, 0, 65, 16, 106, 33, 0, 32, 1, 65,
  16, 106, 33, 1, 12, 0, 11, 0, 11, 11,
);

interface AddModule {
  memory: WebAssembly.Memory;
  add(a: number, b: number, bytes: number): void;
}

const PAGE_BYTES = 65536;

/** The compiled module, null where WebAssembly SIMD is missing (the plain loop then), undefined until asked. */
let compiled: WebAssembly.Module | null | undefined;

function addModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(ADD_MODULE) ? new WebAssembly.Module(ADD_MODULE) : null;
    } catch {
      // A page whose Content-Security-Policy forbids compiling: the plain loop does the same sum.
      compiled = null;
    }
  }
  return compiled;
}

/** Sums gradient buffers; one per coordinator, its memory grown to the largest net it summed. */
export class GradientSum {
  private simd: AddModule | null;

  /** `useSimd` false: the plain loop (for tests that compare the two). */
  constructor(useSimd = true) {
    const module = useSimd ? addModule() : null;
    this.simd = module ? (new WebAssembly.Instance(module).exports as unknown as AddModule) : null;
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
    const { memory, add } = this.simd;
    const missing = Math.ceil((2 * regionBytes - memory.buffer.byteLength) / PAGE_BYTES);
    if (missing > 0) memory.grow(missing);
    const sum = new Float32Array(memory.buffer, 0, n);
    const next = new Float32Array(memory.buffer, regionBytes, n);
    sum.set(target);
    for (const source of sources) {
      next.set(source);
      add(0, regionBytes, regionBytes);
    }
    target.set(sum);
  }
}

function addPlain(target: Float32Array, source: Float32Array): void {
  // Length read once: measurably faster in V8 than re-reading it on every step.
  const n = target.length | 0;
  for (let j = 0; j < n; j++) target[j] = target[j] + source[j];
}
