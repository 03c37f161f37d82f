/**
 * Which tab holds which run: a tab writes a run's autosave record only while it holds that
 * run, so two tabs never write the same record, and a tab asked to open a run another tab
 * holds can say so instead of forking it silently.
 *
 * With Web Locks (every current browser) a run is an exclusive lock named after it, taken
 * with `ifAvailable` (never waited for) and held until released or the tab goes away; the
 * browser frees the locks of a closed or crashed tab. Without them, tabs ask each other
 * over a BroadcastChannel who holds what; that cannot settle two tabs claiming the same
 * run in the same instant, which only a duplicated tab could do, within ~0.2 s of it.
 */

export interface RunClaim {
  release(): void;
}

export interface RunLocks {
  /**
   * Holds run `id` for this tab, or null when another tab (or this one already) holds it.
   * With `waitMs`, waits that long for a holder to let go (a reload: the page being
   * replaced may not have released its run yet).
   */
  claim(id: string, waitMs?: number): Promise<RunClaim | null>;
  /** The runs other tabs hold now. */
  heldElsewhere(): Promise<Set<string>>;
}

const LOCK_PREFIX = 'mnist-cnn-dashboard run ';

/** Runs as Web Locks (navigator.locks). */
export function webRunLocks(locks: LockManager): RunLocks {
  const mine = new Set<string>();
  return {
    claim(id, waitMs = 0) {
      return new Promise<RunClaim | null>((resolve, reject) => {
        const options: LockOptions = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
        locks
          .request(LOCK_PREFIX + id, options, (lock) => {
            if (!lock) {
              resolve(null);
              return undefined;
            }
            mine.add(id);
            // The lock is held until this promise settles: until release().
            return new Promise<void>((release) => {
              resolve({
                release() {
                  mine.delete(id);
                  release();
                },
              });
            });
          })
          .catch((error: unknown) => {
            // The wait ran out: someone else still holds the run.
            if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) resolve(null);
            else reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    },
    async heldElsewhere() {
      const snapshot = await locks.query();
      const held = (snapshot.held ?? []).map((lock) => lock.name ?? '').filter((name) => name.startsWith(LOCK_PREFIX));
      return new Set(held.map((name) => name.slice(LOCK_PREFIX.length)).filter((id) => !mine.has(id)));
    },
  };
}

type RunMessage = { type: 'who-holds'; asker: string } | { type: 'held'; asker: string; ids: string[] };

/** Runs announced over a BroadcastChannel: each tab answers "who holds what" for its own runs. */
export function broadcastRunLocks(channelName = 'mnist-cnn-dashboard runs', answerWithinMs = 200): RunLocks & { close(): void } {
  const channel = new BroadcastChannel(channelName);
  const mine = new Set<string>();
  const me = Math.random().toString(36).slice(2);
  const listeners = new Set<(ids: string[]) => void>();
  channel.onmessage = (event: MessageEvent<RunMessage>) => {
    const message = event.data;
    if (message.type === 'who-holds') channel.postMessage({ type: 'held', asker: message.asker, ids: [...mine] } satisfies RunMessage);
    else if (message.type === 'held' && message.asker === me) for (const listener of listeners) listener(message.ids);
  };
  async function heldElsewhere(): Promise<Set<string>> {
    const held = new Set<string>();
    const listener = (ids: string[]) => ids.forEach((id) => held.add(id));
    listeners.add(listener);
    channel.postMessage({ type: 'who-holds', asker: me } satisfies RunMessage);
    await new Promise((resolve) => setTimeout(resolve, answerWithinMs));
    listeners.delete(listener);
    return held;
  }
  return {
    async claim(id, waitMs = 0) {
      if (mine.has(id)) return null;
      if ((await heldElsewhere()).has(id)) {
        if (waitMs <= 0) return null;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        if (mine.has(id) || (await heldElsewhere()).has(id)) return null;
      }
      mine.add(id);
      return { release: () => void mine.delete(id) };
    },
    heldElsewhere,
    close: () => channel.close(),
  };
}

/** No way to tell tabs apart (very old browsers): every claim succeeds. */
export const UNCOORDINATED_RUN_LOCKS: RunLocks = {
  claim: () => Promise.resolve({ release: () => undefined }),
  heldElsewhere: () => Promise.resolve(new Set()),
};

/** The best the browser offers. */
export function browserRunLocks(): RunLocks {
  if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) return webRunLocks(navigator.locks);
  if (typeof BroadcastChannel !== 'undefined') return broadcastRunLocks();
  return UNCOORDINATED_RUN_LOCKS;
}
