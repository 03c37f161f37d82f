import { describe, expect, it } from 'vitest';
import { createFakeBackend } from '../../../src/state/fake-backend';
import { TRAINING_EVENTS, TRAINING_METHODS, type TrainingEvents } from '../../../src/training/protocol';

describe('the training contract, as the UI tests see it', () => {
  it('lists every operation once, and the fake backend answers each under its own name', async () => {
    expect(new Set(TRAINING_METHODS).size).toBe(TRAINING_METHODS.length);
    expect(TRAINING_METHODS).toContain('layerViews');
    const backend = createFakeBackend();
    const seen: string[] = [];
    const events = Object.fromEntries(TRAINING_EVENTS.map((name) => [name, () => seen.push(name)])) as unknown as TrainingEvents;
    backend.connect(events);
    backend.answers.saveSnapshot = () => '{"layers":[1]}';
    expect(await backend.saveSnapshot()).toBe('{"layers":[1]}');
    expect(await backend.layerViews([2, 0])).toEqual([]);
    expect(backend.callsTo('layerViews')).toEqual([[[2, 0]]]);
    // pause and resume report the new state through an update, as the worker does.
    await backend.pause();
    expect(seen).toEqual(['update']);
    const skipped = new Set(['evaluateTestSet', 'exportCheckpoint']);
    for (const method of TRAINING_METHODS.filter((m) => !skipped.has(m))) {
      await (backend[method] as (...args: unknown[]) => Promise<unknown>)([]);
    }
    expect(new Set(backend.calls.map((c) => c.method))).toEqual(new Set(TRAINING_METHODS.filter((m) => !skipped.has(m))));
  });
});
