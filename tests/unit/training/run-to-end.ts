/** Driving a session's evaluation by hand in tests: its queued slices run until it settles. */
import { expect } from 'vitest';
import type { EvaluationOutcome } from '../../../src/training/evaluation';

/** Runs the queued slices (tasks) until `promise` settles; fails the test when it never does. */
export async function runToEnd(promise: Promise<EvaluationOutcome>, runQueued: () => void, tasks: unknown[]) {
  let settled: EvaluationOutcome | null = null;
  void promise.then((o) => (settled = o));
  for (let guard = 0; guard < 10_000 && tasks.length > 0; guard++) {
    runQueued();
    await Promise.resolve();
  }
  await Promise.resolve();
  expect(settled).not.toBeNull();
  return settled!;
}
