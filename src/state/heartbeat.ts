/**
 * Tells a dead training worker from a busy one. A worker that is terminated or killed
 * (out of memory, closed) fires no 'error' event and its pending calls never settle, so
 * the page would wait forever. Instead it pings the worker every `periodMs`; a ping still
 * unanswered `deadAfterMs` after it was sent means the worker is gone.
 *
 * Only an unanswered ping counts, never mere silence: a paused worker pushes nothing, and
 * a hidden tab may run this timer once a minute, yet the ping sent at such a tick is
 * answered within milliseconds by a live worker. Training slices last ~15 ms, so a live
 * worker answers long before the limit; the limit is generous for the rare long call
 * (building a large network).
 */

export const HEARTBEAT_PERIOD_MS = 1000;
export const HEARTBEAT_DEAD_AFTER_MS = 5000;

export interface HeartbeatOptions {
  /** Asks the worker something it answers at once. */
  ping(): Promise<unknown>;
  /** Called once, when a ping went unanswered for deadAfterMs; the heartbeat stops. */
  onDead(silentMs: number): void;
  periodMs?: number;
  deadAfterMs?: number;
  now?: () => number;
}

/** Starts pinging; returns the function that stops it (call it before terminating the worker on purpose). */
export function startHeartbeat(options: HeartbeatOptions): () => void {
  const periodMs = options.periodMs ?? HEARTBEAT_PERIOD_MS;
  const deadAfterMs = options.deadAfterMs ?? HEARTBEAT_DEAD_AFTER_MS;
  const now = options.now ?? (() => performance.now());
  /** When the unanswered ping was sent, or null when none is out. */
  let sentAt: number | null = null;
  let stopped = false;

  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    if (sentAt !== null) {
      const silent = now() - sentAt;
      if (silent >= deadAfterMs) {
        stop();
        options.onDead(silent);
      }
      return;
    }
    const mine = now();
    sentAt = mine;
    // A rejected ping (the channel closed) is an answer too: the fault it means arrives
    // through the worker's own error paths, and the next ping will tell.
    const answered = () => {
      if (sentAt === mine) sentAt = null;
    };
    options.ping().then(answered, answered);
  }, periodMs);
  return stop;
}
