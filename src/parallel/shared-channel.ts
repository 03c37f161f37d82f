/**
 * The fast path for training jobs where memory can be shared (Node; browsers when
 * cross-origin isolated): one SharedArrayBuffer per replica holding the job (examples,
 * weights) and the result (gradient sum, losses, predictions), and Atomics to hand it
 * back and forth. A train job then costs two futex wake-ups and no copying beyond the
 * weights, instead of two structured-clone messages.
 *
 * Protocol. The replica, in a worker, blocks in Atomics.wait on WAKE, which the
 * coordinator bumps (and notifies) after every request, so no wake-up is lost.
 * - Train (at most one outstanding): the coordinator writes the job, EPOCH = LEAVE,
 *   SEQ + 1; the replica runs it, writes the result and STATUS, sets DONE = SEQ and
 *   notifies DONE.
 * - Leave: before posting any message (init, data, evaluation, close) the coordinator
 *   bumps LEAVE, sending the replica back to its message loop; the replica sets LEFT =
 *   LEAVE on its way out. The next train job brings it back with an 'enter-shared'
 *   message, queued behind those messages.
 * A train job runs only in the epoch it was issued in (EPOCH === LEFT): one issued
 * before a leave runs before the replica leaves, one issued after waits until the
 * replica has handled the messages posted in between (say, a new network).
 * - Probes (PROBE_COUNT > 0): images to classify with the job's weights once its result
 *   is handed back. The replica copies them out before setting DONE (the coordinator may
 *   write the next job meanwhile), classifies them, writes the counts to result region
 *   SEQ & 1 and sets PROBED = SEQ. Two regions, because the coordinator reads job k's
 *   counts after job k+1 is DONE, when the replica may already be writing job k+1's.
 */
import { WINDOW_STRIDE } from './evaluation-plan';
import { EXAMPLE_STRIDE } from './example-stream';

/** Int32 slots of the control block. */
export const Slot = {
  WAKE: 0,
  SEQ: 1,
  DONE: 2,
  LEAVE: 3,
  LEFT: 4,
  /** LEAVE when the pending train job was issued. */
  EPOCH: 5,
  COUNT: 6,
  /** 1 when the params region holds new weights for this job. */
  FRESH_PARAMS: 7,
  /** 0 the job succeeded; 1 it failed and ERROR_LENGTH bytes of UTF-8 text say why. */
  STATUS: 8,
  ERROR_LENGTH: 9,
  /** Images and passes per image of the job's probes (0 images: none). */
  PROBE_COUNT: 10,
  PROBE_PASSES: 11,
  /** SEQ of the last job whose probe counts are written. */
  PROBED: 12,
  /** Per result region r (0, 1): images classified right, and how many wrong (listed in probeWrong), or -1 if probing failed. */
  PROBE_CORRECT: [13, 14],
  PROBE_WRONG: [15, 16],
} as const;
const CONTROL_SLOTS = 18;
const ERROR_BYTES = 2048;
/** Most windows per probe image (MNIST's 4 crops, CIFAR-10's 1 + 6 shifts); plans with more take the message path. */
export const MAX_PROBE_PASSES = 7;

/** The buffers of one channel; plain data, posted to the replica once per 'enter-shared'. */
export interface SharedChannelBuffers {
  buffer: SharedArrayBuffer;
  params: number;
  /** Most examples one job can carry; bigger jobs take the message path. */
  capacity: number;
}

/** Typed views of a channel, the same layout on both sides. */
export class SharedChannel {
  readonly control: Int32Array;
  readonly examples: Int32Array;
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly losses: Float64Array;
  readonly predictions: Uint8Array;
  readonly error: Uint8Array;
  /** The job's probes: image indices and, per image and pass, its window (x, y, flip). */
  readonly probeImages: Int32Array;
  readonly probeOffsets: Int32Array;
  /** Result regions 0 and 1, `capacity` entries each: the indices of the probes classified wrong. */
  readonly probeWrong: Int32Array;
  readonly capacity: number;

  constructor(readonly buffers: SharedChannelBuffers) {
    const { buffer, params: n, capacity } = buffers;
    let offset = 0;
    const take = (bytes: number, align: number) => {
      offset = Math.ceil(offset / align) * align;
      const at = offset;
      offset += bytes;
      return at;
    };
    this.control = new Int32Array(buffer, take(CONTROL_SLOTS * 4, 8), CONTROL_SLOTS);
    this.losses = new Float64Array(buffer, take(capacity * 8, 8), capacity);
    this.examples = new Int32Array(buffer, take(capacity * EXAMPLE_STRIDE * 4, 4), capacity * EXAMPLE_STRIDE);
    this.params = new Float32Array(buffer, take(n * 4, 4), n);
    this.grads = new Float32Array(buffer, take(n * 4, 4), n);
    this.predictions = new Uint8Array(buffer, take(capacity, 1), capacity);
    this.error = new Uint8Array(buffer, take(ERROR_BYTES, 1), ERROR_BYTES);
    this.probeImages = new Int32Array(buffer, take(capacity * 4, 4), capacity);
    this.probeOffsets = new Int32Array(buffer, take(capacity * MAX_PROBE_PASSES * WINDOW_STRIDE * 4, 4), capacity * MAX_PROBE_PASSES * WINDOW_STRIDE);
    this.probeWrong = new Int32Array(buffer, take(2 * capacity * 4, 4), 2 * capacity);
    this.capacity = capacity;
  }

  /** A new channel for a net of `params` parameters and jobs of up to `capacity` examples. */
  static create(params: number, capacity: number): SharedChannel {
    const probeBytes = 4 * capacity * (1 + WINDOW_STRIDE * MAX_PROBE_PASSES + 2);
    const bytes = 8 * CONTROL_SLOTS + 8 * capacity + 4 * EXAMPLE_STRIDE * capacity + 8 * params + capacity + ERROR_BYTES + probeBytes + 16;
    return new SharedChannel({ buffer: new SharedArrayBuffer(bytes), params, capacity });
  }

  writeError(message: string): void {
    const bytes = new TextEncoder().encode(message).subarray(0, this.error.length);
    this.error.set(bytes);
    this.control[Slot.ERROR_LENGTH] = bytes.length;
  }

  /** Bumps WAKE and wakes the replica if it sleeps. */
  wake(): void {
    Atomics.add(this.control, Slot.WAKE, 1);
    Atomics.notify(this.control, Slot.WAKE);
  }

  readError(): string {
    // TextDecoder refuses views of shared memory: copy out first.
    return new TextDecoder().decode(this.error.slice(0, this.control[Slot.ERROR_LENGTH]));
  }
}

/**
 * The longest a thread polls before it sleeps in Atomics.wait, ms. A futex wake-up costs
 * 0.1-0.2 ms here, about a tenth of a two-thread mini-batch of the seed network, and both
 * threads hand over twice per batch; the usual wait between hand-overs is shorter than
 * this, so polling saves those wake-ups. A longer wait (paused, an evaluation) sleeps.
 */
export const SPIN_MS = 1;
/** Below this a poll is not worth starting: the thread sleeps at once. */
export const MIN_SPIN_MS = 0.05;

/** Polls `array[index]` while it equals `value`, for at most `maxMs`; true once it changed. */
export function spinWhileEqual(array: Int32Array, index: number, value: number, maxMs = SPIN_MS): boolean {
  const deadline = performance.now() + maxMs;
  for (let i = 1; ; i++) {
    if (Atomics.load(array, index) !== value) return true;
    // The clock is read every 64 polls: reading it costs more than a poll.
    if ((i & 63) === 0 && performance.now() > deadline) return false;
  }
}

/**
 * How long one waiting thread polls before it sleeps, from what its recent waits were.
 * Polling pays while the thread waited for is running and about to answer (free cores),
 * and costs dearly when it is not: on a busy machine, or with more threads than cores, a
 * poller holds a core the others need (2 workers on a loaded 2-core machine trained at
 * 0.5x one worker with a fixed 1 ms poll, and at 1.1-1.3x sleeping at once; 4 workers
 * 0.3x against 1.2x). So a poll that runs out halves the next one, and a sleep that ended
 * within SPIN_MS (a poll would have caught it) raises it to twice that wait, up to SPIN_MS.
 */
export class SpinBudget {
  private budgetMs = SPIN_MS;

  get ms(): number {
    return this.budgetMs;
  }

  /** Polls `array[index]` while it equals `value`, for at most the budget; true once it changed. */
  poll(array: Int32Array, index: number, value: number): boolean {
    if (this.budgetMs < MIN_SPIN_MS) return Atomics.load(array, index) !== value;
    const changed = spinWhileEqual(array, index, value, this.budgetMs);
    if (!changed) this.budgetMs /= 2;
    return changed;
  }

  /** After a wait that `poll` did not end: `waitedMs` from the start of the wait to its end. */
  slept(waitedMs: number): void {
    // Twice that wait, so the next one like it ends within the poll (doubling the budget
    // would only undo the halving that preceded this sleep, and never catch up).
    if (waitedMs < SPIN_MS) this.budgetMs = Math.min(SPIN_MS, Math.max(this.budgetMs, MIN_SPIN_MS, 2 * waitedMs));
  }
}
