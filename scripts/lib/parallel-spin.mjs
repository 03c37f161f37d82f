// A fixed amount of pure integer work, the same on every thread (see parallel-spin-worker.mjs).
export function spin(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + i * 7) % 1000003;
  return x;
}
