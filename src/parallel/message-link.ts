/**
 * A ReplicaLink over postMessage: every job is one message, every result one reply, the
 * big arrays moved (transferred) rather than copied. Works with any endpoint, so the same
 * class drives a Node worker thread and a browser Web Worker, with or without
 * cross-origin isolation. The host wires the other direction: it calls `receive` with
 * every reply, and `fail` when the worker dies.
 */
import type { ResolvedLayer } from '../engine/spec';
import type { EvaluationPlan } from './evaluation-plan';
import { EXAMPLE_STRIDE } from './example-stream';
import {
  transferables,
  type EvaluationCount,
  type MessageEndpoint,
  type ReplicaLink,
  type ReplicaReply,
  type ReplicaRequest,
  type ReplicaSets,
  type SetName,
  type ShardResult,
} from './protocol';

/** A replica reported a failure, or its worker died. */
export class ReplicaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplicaError';
  }
}

interface Waiting {
  resolve(reply: ReplicaReply): void;
  reject(error: Error): void;
}

export class MessageReplicaLink implements ReplicaLink {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** The gradient buffer of the last result: handed back with the next job, so results allocate nothing. */
  private lastGrads: Float32Array | null = null;
  /** What the probes of the last train job found, once their reply came; taken by the next train result. */
  private probed: EvaluationCount | null = null;
  /** The first job id after the last init: probes of earlier jobs are of an old network. */
  private firstJobOfNetwork = 1;
  private closedWith: Error | null = null;
  private onClosed: (() => void) | null = null;

  constructor(
    private readonly endpoint: MessageEndpoint<ReplicaRequest>,
    /** Names the replica in error messages, e.g. 'worker 1'. */
    private readonly name = 'replica',
  ) {}

  init(specs: readonly ResolvedLayer[], dropoutSeed: number): void {
    // Probes of the old network say nothing about the new one, even those still to come.
    this.probed = null;
    this.firstJobOfNetwork = this.nextId;
    this.post({ type: 'init', specs, dropoutSeed }, []);
  }

  setData(sets: ReplicaSets): void {
    this.post({ type: 'data', sets }, []);
  }

  async train(
    params: Float32Array | null,
    examples: Int32Array,
    count: number,
    probes: EvaluationPlan | null = null,
  ): Promise<ShardResult> {
    // Copies: the coordinator keeps its weights, example list and probes; the copies move.
    const paramsCopy = params ? params.slice() : null;
    const examplesCopy = examples.slice(0, count * EXAMPLE_STRIDE);
    const probesCopy = probes && probes.images.length > 0 ? copyPlan(probes) : null;
    const spareGrads = this.lastGrads;
    this.lastGrads = null;
    const reply = await this.request(
      (id) => ({ type: 'train', id, params: paramsCopy, examples: examplesCopy, count, spareGrads, probes: probesCopy }),
      transferables(paramsCopy, examplesCopy, spareGrads, probesCopy?.images ?? null, probesCopy?.offsets ?? null),
    );
    if (reply.type !== 'trained') throw new ReplicaError(`${this.name} answered a train job with '${reply.type}'`);
    this.lastGrads = reply.grads;
    // Replies come in order: the previous job's probes were answered before this job.
    const earlier = this.probed;
    this.probed = null;
    return { grads: reply.grads, losses: reply.losses, predictions: reply.predictions, probes: earlier };
  }

  async evaluate(params: Float32Array | null, set: SetName, plan: EvaluationPlan): Promise<EvaluationCount> {
    const paramsCopy = params ? params.slice() : null;
    const copy = copyPlan(plan);
    const reply = await this.request(
      (id) => ({ type: 'evaluate', id, params: paramsCopy, set, plan: copy }),
      transferables(paramsCopy, copy.images, copy.offsets),
    );
    if (reply.type !== 'evaluated') throw new ReplicaError(`${this.name} answered an evaluate job with '${reply.type}'`);
    return { correct: reply.correct, misclassified: reply.misclassified };
  }

  async outputs(params: Float32Array, set: SetName, plan: EvaluationPlan): Promise<Float32Array> {
    const paramsCopy = params.slice();
    const copy = copyPlan(plan);
    const reply = await this.request(
      (id) => ({ type: 'outputs', id, params: paramsCopy, set, plan: copy }),
      transferables(paramsCopy, copy.images, copy.offsets),
    );
    if (reply.type !== 'outputs') throw new ReplicaError(`${this.name} answered an outputs job with '${reply.type}'`);
    return reply.outputs;
  }

  close(): Promise<void> {
    if (this.closedWith) return Promise.resolve();
    return new Promise((resolve) => {
      this.onClosed = resolve;
      this.post({ type: 'close' }, []);
    });
  }

  /** The host calls this with every message the replica posts. */
  receive(reply: ReplicaReply): void {
    if (reply.type === 'closed') {
      this.shutDown(new ReplicaError(`${this.name} was closed`));
      return;
    }
    if (reply.type === 'probed') {
      if (reply.id >= this.firstJobOfNetwork) this.probed = { correct: reply.correct, misclassified: reply.misclassified };
      return;
    }
    if (reply.type === 'failed' && reply.id === -1) {
      // Outside any job (init, data): whatever waits now cannot succeed.
      const error = new ReplicaError(`${this.name}: ${reply.message}`);
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
      return;
    }
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (reply.type === 'failed') waiting.reject(new ReplicaError(`${this.name}: ${reply.message}`));
    else waiting.resolve(reply);
  }

  /** The host calls this when the worker fails or exits: every pending and later job rejects. */
  fail(error: Error): void {
    this.shutDown(error instanceof ReplicaError ? error : new ReplicaError(`${this.name} stopped: ${error.message}`));
  }

  private shutDown(error: Error): void {
    this.closedWith ??= error;
    for (const w of this.waiting.values()) w.reject(this.closedWith);
    this.waiting.clear();
    this.onClosed?.();
    this.onClosed = null;
  }

  private request(build: (id: number) => ReplicaRequest, transfer: ArrayBuffer[]): Promise<ReplicaReply> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<ReplicaReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post(build(id), transfer);
    });
  }

  /** Why the link is closed (the replica closed or its worker died), or null while it works. */
  get failure(): Error | null {
    return this.closedWith;
  }

  /** Posts a request that has no reply (init, data, enter-shared); dropped once the link is closed. */
  post(message: ReplicaRequest, transfer: ArrayBuffer[]): void {
    if (this.closedWith) return;
    this.endpoint.postMessage(message, transfer);
  }
}

function copyPlan(plan: EvaluationPlan): EvaluationPlan {
  return { images: plan.images.slice(), passes: plan.passes, offsets: plan.offsets.slice() };
}
