/**
 * What the coordinator of a data-parallel run and its replicas say to each other.
 *
 * `ReplicaLink` is the coordinator's view of one replica, whatever carries the messages:
 * `MessageReplicaLink` (postMessage with transferred buffers; Node worker_threads, Web
 * Workers with or without cross-origin isolation) implements it over any endpoint that
 * can post a message. The request and reply types are the wire format of that transport;
 * they hold only plain data and typed arrays, so they survive structured cloning.
 */
import type { ImageGeometry, ImageSet } from '../data/dataset';
import type { ResolvedLayer } from '../engine/spec';
import type { EvaluationPlan } from './evaluation-plan';
import type { SharedChannelBuffers } from './shared-channel';

export type SetName = 'train' | 'test';

/** The images a replica reads. SharedArrayBuffer-backed sets are shared, others copied. */
export interface ReplicaSets {
  train: ImageSet;
  test: ImageSet;
  /** The images' size and channels; MNIST's 28x28x1 when absent. */
  geometry?: ImageGeometry;
}

/** What a replica hands back for its shard of a batch. */
export interface ShardResult {
  /** The sum over the shard of each parameter's gradient. Valid until this link's next train call. */
  grads: Float32Array;
  /** Per example of the shard, in order: its data loss, and the class its training forward pass predicted. */
  losses: Float64Array;
  predictions: Uint8Array;
  /**
   * What the probes sent with this link's previous train job found (see ReplicaLink.train),
   * or null when that job had none or their results were dropped (the replica was rebuilt).
   */
  probes: EvaluationCount | null;
}

/** What a replica found evaluating part of a plan. */
export interface EvaluationCount {
  correct: number;
  /** Image indices it got wrong, in plan order. */
  misclassified: Int32Array;
}

/** The coordinator's handle on one replica (one worker). */
export interface ReplicaLink {
  /**
   * Builds (or rebuilds) the replica's network from resolved specs. Its initial weights do
   * not matter: the next job brings the coordinator's. `dropoutSeed` seeds its dropout masks.
   */
  init(specs: readonly ResolvedLayer[], dropoutSeed: number): void;
  /** Gives the replica the images; again whenever they change (a browser's data grows). */
  setData(sets: ReplicaSets): void;
  /**
   * Forward and backward of `count` examples ((index, offsetX, offsetY, flip) quadruples
   * of the training set). `params` are the coordinator's weights when they changed since this
   * link last received them, else null (the replica keeps what it has).
   *
   * `probes`: images of the training set to classify with the same weights, AFTER the
   * shard's result is handed back. The replica does them while the coordinator sums and
   * updates (time it would otherwise wait through); their counts come back with the
   * result of this link's next train job, as `probes`.
   */
  train(params: Float32Array | null, examples: Int32Array, count: number, probes?: EvaluationPlan | null): PromiseLike<ShardResult>;
  /** Which images of the plan (from `set`) the replica's net classifies right and wrong. */
  evaluate(params: Float32Array | null, set: SetName, plan: EvaluationPlan): Promise<EvaluationCount>;
  /**
   * Every image's averaged outputs (the net's outputs, image after image) for the plan's
   * images of `set`, with `params` (given every time: say, a frozen copy of the weights
   * while training goes on with others).
   */
  outputs(params: Float32Array, set: SetName, plan: EvaluationPlan): Promise<Float32Array>;
  /** Ends the replica; pending jobs reject. */
  close(): Promise<void>;
}

export type ReplicaRequest =
  | { type: 'init'; specs: readonly ResolvedLayer[]; dropoutSeed: number }
  | { type: 'data'; sets: ReplicaSets }
  | {
      type: 'train';
      id: number;
      params: Float32Array | null;
      examples: Int32Array;
      count: number;
      /** The gradient buffer of an earlier reply, handed back to be reused (or null). */
      spareGrads: Float32Array | null;
      /** Training images to classify after the reply is posted (see ReplicaLink.train). */
      probes: EvaluationPlan | null;
    }
  | { type: 'evaluate'; id: number; params: Float32Array | null; set: SetName; plan: EvaluationPlan }
  | { type: 'outputs'; id: number; params: Float32Array; set: SetName; plan: EvaluationPlan }
  /** Serve train jobs through this shared channel until told to leave (see shared-channel.ts). */
  | { type: 'enter-shared'; channel: SharedChannelBuffers }
  | { type: 'close' };

export type ReplicaReply =
  | { type: 'trained'; id: number; grads: Float32Array; losses: Float64Array; predictions: Uint8Array }
  | { type: 'evaluated'; id: number; correct: number; misclassified: Int32Array }
  | { type: 'outputs'; id: number; outputs: Float32Array }
  /** The probes of train job `id`, posted after its 'trained' reply. */
  | { type: 'probed'; id: number; correct: number; misclassified: Int32Array }
  /** id -1: a failure outside any job (init, data); every later job fails with it too. */
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed' };

/** Anything that posts messages with a transfer list: a Worker, a MessagePort, a worker's parent port. */
export interface MessageEndpoint<Message> {
  postMessage(message: Message, transfer: ArrayBuffer[]): void;
}

/**
 * The buffers of `arrays` that can move instead of being copied: ArrayBuffers only
 * (a SharedArrayBuffer is shared by cloning anyway, and cannot be transferred), each once.
 */
export function transferables(...arrays: Array<ArrayBufferView | null>): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const a of arrays) {
    if (a && a.buffer instanceof ArrayBuffer && !list.includes(a.buffer)) list.push(a.buffer);
  }
  return list;
}
