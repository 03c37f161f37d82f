/**
 * Yielding to the event loop between slices of work, decided once for the training
 * session, the training worker, the comparison worker and the replica links.
 *
 * setTimeout(0) is clamped to 4 ms after a few nested calls (a quarter of each 15 ms
 * training slice lost); a MessageChannel message is not. Node has setImmediate, which
 * does the same without keeping a port open.
 */

/** Runs `task` in a later turn of the event loop, after the messages already queued. */
export type Scheduler = (task: () => void) => void;

export interface YieldSchedulerOptions {
  /**
   * Called with what a task threw, instead of letting it escape into the event loop
   * (a worker turns it into a fault the page shows). Without it the error propagates.
   */
  onError?: (error: unknown) => void;
  /** Use a MessageChannel even where setImmediate exists (a browser worker's own loop). */
  messageChannelOnly?: boolean;
}

/**
 * A scheduler that keeps at most one task pending: scheduling again before the last task
 * ran replaces it, which is what a run loop wants (one next slice, never a backlog).
 */
export function createYieldScheduler(options: YieldSchedulerOptions = {}): Scheduler {
  const run = (task: () => void) => {
    if (!options.onError) return task();
    try {
      task();
    } catch (error) {
      options.onError(error);
    }
  };
  const g = globalThis as { setImmediate?: (task: () => void) => void };
  if (!options.messageChannelOnly && typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    let pending: (() => void) | null = null;
    return (task) => {
      const queued = pending !== null;
      pending = task;
      if (queued) return;
      setImmediate(() => {
        const next = pending;
        pending = null;
        if (next) run(next);
      });
    };
  }
  if (typeof MessageChannel !== 'undefined') {
    const channel = new MessageChannel();
    let pending: (() => void) | null = null;
    channel.port1.onmessage = () => {
      const next = pending;
      pending = null;
      if (next) run(next);
    };
    return (task) => {
      pending = task;
      channel.port2.postMessage(null);
    };
  }
  return (task) => setTimeout(() => run(task), 0);
}

/** One turn of the event loop, as a promise (queued replies and calls are served first). */
export function nextTurn(): Promise<void> {
  const g = globalThis as { setImmediate?: (task: () => void) => void };
  if (typeof MessageChannel === 'undefined' && typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return new Promise((resolve) => setImmediate(resolve));
  }
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
