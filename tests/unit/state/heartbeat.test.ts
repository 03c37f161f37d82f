import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHeartbeat } from '../../../src/state/heartbeat';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A worker stand-in: answers pings while alive, never once dead (as a terminated worker). */
function worker() {
  let alive = true;
  let pings = 0;
  return {
    ping: () => {
      pings++;
      return alive ? Promise.resolve(true) : new Promise<never>(() => {});
    },
    kill: () => (alive = false),
    get pings() {
      return pings;
    },
  };
}

describe('the worker heartbeat', () => {
  it('stays quiet while the worker answers, however long it runs', async () => {
    const w = worker();
    const onDead = vi.fn();
    const stop = startHeartbeat({ ping: w.ping, onDead, now: () => Date.now() });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(onDead).not.toHaveBeenCalled();
    expect(w.pings).toBeGreaterThanOrEqual(59);
    stop();
  });

  it('reports a worker that stopped answering once, within period + limit', async () => {
    const w = worker();
    const onDead = vi.fn();
    startHeartbeat({ ping: w.ping, onDead, now: () => Date.now(), periodMs: 1000, deadAfterMs: 5000 });
    await vi.advanceTimersByTimeAsync(3500);
    w.kill();
    await vi.advanceTimersByTimeAsync(5000);
    expect(onDead).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(onDead).toHaveBeenCalledTimes(1);
    expect(onDead.mock.calls[0][0]).toBeGreaterThanOrEqual(5000);
    const pingsThen = w.pings;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(onDead).toHaveBeenCalledTimes(1);
    expect(w.pings).toBe(pingsThen);
  });

  it('counts only unanswered pings: rare ticks (a hidden tab) to a live worker are no alarm', async () => {
    const w = worker();
    const onDead = vi.fn();
    // One tick a minute, as a throttled background tab may run timers.
    startHeartbeat({ ping: w.ping, onDead, now: () => Date.now(), periodMs: 60_000, deadAfterMs: 5000 });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(onDead).not.toHaveBeenCalled();
  });

  it('stops when told (a restart terminates the worker on purpose)', async () => {
    const w = worker();
    const onDead = vi.fn();
    const stop = startHeartbeat({ ping: w.ping, onDead, now: () => Date.now() });
    await vi.advanceTimersByTimeAsync(2000);
    stop();
    w.kill();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(onDead).not.toHaveBeenCalled();
  });
});
