import type { Kernels } from '../../../src/engine/kernels/contract';
import { jsKernels } from '../../../src/engine/kernels/js-blocked';
import { wasmKernels } from '../../../src/engine/wasm';

/** Both kernel sets, for checks that must hold on each: [name, kernels]. */
export const KERNEL_SETS: readonly (readonly [string, Kernels])[] = [
  ['js', jsKernels],
  ['wasm', wasmKernels],
];
