/**
 * A ReplicaLink whose train jobs go through a shared channel (shared-channel.ts) and
 * everything else (init, data, evaluation, close) through the messages of a
 * MessageReplicaLink. Needs SharedArrayBuffer (Node; browsers when cross-origin isolated).
 *
 * Collecting a result blocks in Atomics.wait, which is fine and fastest in Node and in
 * workers: the coordinator has nothing else to do until the batch is summed. It blocks
 * only when the result is awaited (after the coordinator's own shard), in slices, with a
 * turn of the event loop between slices so a worker that died is noticed; where blocking
 * is not allowed (a browser's main thread) it waits with Atomics.waitAsync instead.
 */
import type { ResolvedLayer } from '../engine/spec';
import { WINDOW_STRIDE, type EvaluationPlan } from './evaluation-plan';
import { EXAMPLE_STRIDE } from './example-stream';
import { ReplicaError, type MessageReplicaLink } from './message-link';
import type { EvaluationCount, ReplicaLink, ReplicaSets, SetName, ShardResult } from './protocol';
import { Slot, MAX_PROBE_PASSES, SharedChannel, SpinBudget } from './shared-channel';
import { nextTurn } from './yield-scheduler';

/** Atomics.waitAsync (ES2024; in Node 16+ and current browsers), typed here for the ES2022 lib. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeout: number,
    ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
  }
).waitAsync;

/** Longest single block before the event loop gets a turn. */
const BLOCK_SLICE_MS = 50;

export class SharedReplicaLink implements ReplicaLink {
  private channel: SharedChannel | null = null;
  private inSharedLoop = false;
  private seq = 0;
  /** SEQ of the last shared job if it carried probes (their counts come with the next job's result), else 0. */
  private probesOut = 0;
  /** False once Atomics.wait threw here (a browser's main thread): wait asynchronously from then on. */
  private mayBlock = true;
  /** How long collecting a result polls before it sleeps. */
  private readonly spin = new SpinBudget();

  constructor(
    private readonly messages: MessageReplicaLink,
    private readonly name: string,
    /** Lets queued events run between blocking slices. */
    private readonly yieldToEventLoop: () => Promise<void> = nextTurn,
    /** Largest job (examples) that takes the shared path. */
    private readonly capacity = 1024,
  ) {}

  init(specs: readonly ResolvedLayer[], dropoutSeed: number): void {
    this.leave();
    this.messages.init(specs, dropoutSeed);
  }

  setData(sets: ReplicaSets): void {
    this.leave();
    this.messages.setData(sets);
  }

  train(
    params: Float32Array | null,
    examples: Int32Array,
    count: number,
    probes: EvaluationPlan | null = null,
  ): PromiseLike<ShardResult> {
    const probeCount = probes?.images.length ?? 0;
    if (count > this.capacity || probeCount > this.capacity || (probes && probes.passes > MAX_PROBE_PASSES)) {
      this.leave();
      return this.messages.train(params, examples, count, probes);
    }
    if (this.messages.failure) return Promise.reject(this.messages.failure);
    const channel = this.channelFor(params ?? null);
    if (!channel) return Promise.reject(new ReplicaError(`${this.name}: the first train job must bring the weights`));
    if (!this.inSharedLoop) {
      this.messages.post({ type: 'enter-shared', channel: channel.buffers }, []);
      this.inSharedLoop = true;
    }
    const c = channel.control;
    channel.examples.set(examples.subarray(0, count * EXAMPLE_STRIDE));
    if (params) channel.params.set(params);
    c[Slot.FRESH_PARAMS] = params ? 1 : 0;
    c[Slot.COUNT] = count;
    c[Slot.EPOCH] = c[Slot.LEAVE];
    if (probes && probeCount > 0) {
      channel.probeImages.set(probes.images);
      channel.probeOffsets.set(probes.offsets.subarray(0, probeCount * probes.passes * WINDOW_STRIDE));
      c[Slot.PROBE_PASSES] = probes.passes;
    }
    c[Slot.PROBE_COUNT] = probeCount;
    const seq = ++this.seq;
    const earlierProbes = this.probesOut;
    this.probesOut = probeCount > 0 ? seq : 0;
    Atomics.store(c, Slot.SEQ, seq);
    channel.wake();
    // A thenable, not a promise: the wait starts only when the result is awaited.
    return { then: (onResult, onError) => this.collect(channel, seq, count, earlierProbes).then(onResult, onError) };
  }

  evaluate(params: Float32Array | null, set: SetName, plan: EvaluationPlan): Promise<EvaluationCount> {
    this.leave();
    return this.messages.evaluate(params, set, plan);
  }

  outputs(params: Float32Array, set: SetName, plan: EvaluationPlan): Promise<Float32Array> {
    this.leave();
    return this.messages.outputs(params, set, plan);
  }

  close(): Promise<void> {
    this.leave();
    return this.messages.close();
  }

  /** The channel, made when the net's size is first known (from the first weights sent). */
  private channelFor(params: Float32Array | null): SharedChannel | null {
    if (params && this.channel && this.channel.params.length !== params.length) {
      // Another network: the replica leaves the old channel before the new one is posted.
      this.leave();
      this.channel = null;
    }
    if (!this.channel && params) this.channel = SharedChannel.create(params.length, this.capacity);
    return this.channel;
  }

  /** Sends the replica back to its message loop, so messages posted next are handled. */
  private leave(): void {
    // Probe counts still out are dropped: a message job or a new network comes next.
    this.probesOut = 0;
    if (!this.inSharedLoop || !this.channel) return;
    Atomics.add(this.channel.control, Slot.LEAVE, 1);
    this.channel.wake();
    this.inSharedLoop = false;
  }

  private async collect(channel: SharedChannel, seq: number, count: number, earlierProbes: number): Promise<ShardResult> {
    const c = channel.control;
    let blocking = this.mayBlock;
    // Where this thread may block anyway, poll first: the replica is usually about done.
    const before = Atomics.load(c, Slot.DONE);
    const waitStart = performance.now();
    let slept = false;
    if (blocking && before !== seq) slept = !this.spin.poll(c, Slot.DONE, before);
    for (;;) {
      const done = Atomics.load(c, Slot.DONE);
      if (done === seq) {
        if (slept) this.spin.slept(performance.now() - waitStart);
        break;
      }
      if (this.messages.failure) throw this.messages.failure;
      let outcome: string = 'timed-out';
      if (blocking) {
        try {
          outcome = Atomics.wait(c, Slot.DONE, done, BLOCK_SLICE_MS);
        } catch {
          // A browser's main thread may not block (nor, then, poll).
          blocking = false;
          this.mayBlock = false;
        }
      }
      if (!blocking) {
        const waited = waitAsync(c, Slot.DONE, done, BLOCK_SLICE_MS);
        outcome = waited.async ? await waited.value : waited.value;
      }
      if (outcome === 'timed-out') await this.yieldToEventLoop();
    }
    if (c[Slot.STATUS] !== 0) throw new ReplicaError(`${this.name}: ${channel.readError()}`);
    return {
      grads: channel.grads,
      losses: channel.losses.subarray(0, count),
      predictions: channel.predictions.subarray(0, count),
      probes: earlierProbes > 0 ? readProbes(channel, earlierProbes) : null,
    };
  }
}

/**
 * The probe counts of job `seq`. The replica works in order, so with a later job DONE
 * they are written (PROBED is seq, or already seq + 1 when that job's probes are done
 * too); region seq & 1 stays untouched until job seq + 2.
 */
function readProbes(channel: SharedChannel, seq: number): EvaluationCount | null {
  const c = channel.control;
  if (Atomics.load(c, Slot.PROBED) < seq) return null;
  const region = seq & 1;
  const correct = c[Slot.PROBE_CORRECT[region]];
  if (correct < 0) return null;
  const start = region * channel.capacity;
  return { correct, misclassified: channel.probeWrong.slice(start, start + c[Slot.PROBE_WRONG[region]]) };
}
