/**
 * The engine's WebAssembly kernels (see src/engine/wasm/ for the TypeScript side).
 * Every argument is a byte offset into this module's memory; the module allocates
 * nothing itself, so the host hands out all buffers above heapBase().
 */
export { convForward, convForwardPrepared, convPrepare } from './conv';
export { convBackward } from './conv-backward';
export { winogradForward, winogradPrepare } from './winograd';
export { winogradRowsForward, winogradRowsPrepare } from './winograd-rows';
export { sparseForward, sparseLayout, sparsePrepare } from './conv-sparse';
export { fcForward, fcForwardPrepared, fcBackward } from './fc';
export { poolForward, poolForwardValues, poolBackward } from './pool';
export { reluForward, reluBackward } from './relu';

/** First byte the host may use: everything below belongs to the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
export { paramUpdate } from './update';
export { addInto } from './sum';
export { sameWords } from './compare';
