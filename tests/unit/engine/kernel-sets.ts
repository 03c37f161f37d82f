import type { Kernels } from '../../../src/engine/kernels/contract';
import { jsKernels } from '../../../src/engine/kernels/js-blocked';
import { referenceKernels } from '../../../src/engine/kernels/js-reference';
import { wasmKernels } from '../../../src/engine/wasm';

/** Every kernel set, for checks that must hold on each: [name, kernels]. */
export const KERNEL_SETS: readonly (readonly [string, Kernels])[] = [
  ['reference', referenceKernels],
  ['js', jsKernels],
  ['wasm', wasmKernels],
];
