import { jsKernels, type Kernels } from '../../../src/engine/layers/kernels';
import { wasmKernels } from '../../../src/engine/wasm';

/** Both kernel sets, for checks that must hold on each: [name, kernels]. */
export const KERNEL_SETS: readonly (readonly [string, Kernels])[] = [
  ['js', jsKernels],
  ['wasm', wasmKernels],
];
