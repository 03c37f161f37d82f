/**
 * Where the kernels used to live. Kept so that imports outside the engine still resolve
 * until they go through src/engine/index.ts; the contract is kernels/contract.ts.
 */
export * from '../kernels/contract';
export { convBackward, convForward, ConvPlan, fcBackward, fcForward, jsKernels } from '../kernels/js-blocked';
