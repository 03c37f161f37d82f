/**
 * Data-parallel training: one mini-batch split over several replicas of the net, one
 * update, the same arithmetic as a single trainer seeing the whole batch.
 *
 * The coordinator owns the authoritative Net and Trainer and is itself replica 0. For
 * each call to `train` it:
 *   1. splits the examples into contiguous shards (shardRanges), one per replica;
 *   2. sends shards 1.. to the remote replicas, with the weights if they changed since
 *      that replica last got them, and computes shard 0 itself, its gradients adding into
 *      the net's grads (on top of any earlier part of the batch);
 *   3. adds the remote gradient sums into the net's grads in replica order, whichever
 *      replica finished first, so a seed and a worker count give one result (four lanes
 *      at a time in WebAssembly SIMD, the same bits as the plain loop: gradient-sum.ts);
 *   4. lets the trainer count the examples and, when the batch is complete, apply ONE
 *      update: decay added once, divided by batch_size, as ConvNetJS's trainer.
 *
 * Replicas are kept in sync by sending the updated weights with their next job (the
 * updated weights, rather than the summed gradient for every replica to apply): the
 * trainer's state then lives in one place, and changing hyperparameters, restoring a
 * state or rolling back weights touch only the coordinator. For the seed network the
 * weights are 24 KB per batch either way. The price: the update (~40 us for the seed
 * network's adadelta, its divisions and square roots in float64) runs while the replicas
 * wait, ~3% of a two-thread batch (docs/performance.md, sessions 8 and 9); in the page the
 * replica classifies its validation probes meanwhile.
 *
 * With no remote replicas this is exactly the one-thread trainer: the same forward and
 * backward calls in the same order, the same gradient sums, the same update.
 *
 * Evaluation splits the images into small jobs handed to whichever replica is free, the
 * coordinator included, with the crops drawn up front (planEvaluation): any split gives
 * the same figure as the one-thread evaluation.
 */
import { MNIST_SHAPE } from '../data/dataset';
import { deriveSeed } from '../data/seeds';
import type { Net } from '../engine/net';
import type { Trainer } from '../engine/trainer';
import { slicePlan, type EvaluationPlan } from './evaluation-plan';
import { ExampleRunner } from './example-runner';
import { GradientSum } from './gradient-sum';
import { EXAMPLE_STRIDE } from './example-stream';
import type { EvaluationCount, ReplicaLink, ReplicaSets, SetName, ShardResult } from './protocol';
import { shardRanges } from './shards';
import { nextTurn } from './yield-scheduler';

export interface DataParallelOptions {
  net: Net;
  trainer: Trainer;
  sets: ReplicaSets;
  /** The remote replicas (workers); none means one-thread training. */
  links?: readonly ReplicaLink[];
  /** The run's seed; each remote replica's dropout masks come from its own stream of it. */
  seed?: number;
  /**
   * Lets queued messages (replica replies) be handled between the coordinator's own
   * evaluation jobs. Default: one turn of the shared yield scheduler (nextTurn).
   */
  yieldToEventLoop?: () => Promise<void>;
}

/** What one `train` call did. The arrays are reused by the next call. */
export interface BatchResult {
  count: number;
  /** Per example, in the order given: its data loss and the class its training forward pass predicted. */
  losses: Float64Array;
  predictions: Uint8Array;
  /** True when these examples completed a mini-batch and the weights changed. */
  updated: boolean;
  l2DecayLoss: number;
  l1DecayLoss: number;
  /**
   * What earlier probes found (see `train`): the counts that came back with this batch,
   * or null when none did.
   */
  probes: EvaluationCount | null;
  /** Mean forward and backward time per example of this thread's shard (ms), or null when it had none. */
  timing: { forwardMs: number; backwardMs: number } | null;
}

export interface PlanEvaluationOptions {
  /**
   * Stop once more than this many images are misclassified, i.e. once a target accuracy
   * is out of reach; the result is then incomplete.
   */
  maxErrors?: number;
  /** Images per job: small enough to balance the replicas, big enough that messages cost nothing. */
  chunkImages?: number;
  /** Called after every job with the images classified so far. */
  onProgress?: (evaluated: number, total: number) => void;
}

export interface PlanEvaluationResult {
  correct: number;
  /** Images classified; less than the plan's when the evaluation stopped early. */
  evaluated: number;
  complete: boolean;
  /** Indices of the images classified wrong (in no particular order). */
  misclassified: Int32Array;
}

export interface OutputsOptions {
  /** Images per job (see PlanEvaluationOptions). */
  chunkImages?: number;
  /** Called after every job with the images done so far. */
  onProgress?: (evaluated: number, total: number) => void;
  /** Asked before every job: true hands out no more (a cancelled evaluation). */
  stopped?: () => boolean;
}

/** The work of `spread`: images [start, end) on this thread, or on remote replica i. */
interface SpreadJobs {
  more(): boolean;
  local(start: number, end: number): void;
  remote(i: number, start: number, end: number): Promise<void>;
}

/** Evaluation jobs queued per remote replica, so it never waits for the coordinator between jobs. */
const QUEUE_DEPTH = 2;
const DEFAULT_CHUNK_IMAGES = 50;

export class DataParallelTrainer {
  private net: Net;
  private trainer: Trainer;
  private runner: ExampleRunner;
  private sets: ReplicaSets;
  private readonly links: readonly ReplicaLink[];
  private seed: number;
  private readonly yieldToEventLoop: () => Promise<void>;
  /** Bumped whenever the coordinator's weights change; a link gets them when its version lags. */
  private version = 1;
  private readonly linkVersion: number[];
  private losses = new Float64Array(0);
  private predictions = new Uint8Array(0);
  /** Adds the replicas' gradients into the net's, in replica order (see gradient-sum.ts). */
  private readonly gradientSum = new GradientSum();

  constructor(options: DataParallelOptions) {
    this.net = options.net;
    this.trainer = options.trainer;
    this.runner = new ExampleRunner(options.net, options.sets.geometry);
    this.sets = options.sets;
    this.links = options.links ?? [];
    this.seed = options.seed ?? 1;
    this.yieldToEventLoop = options.yieldToEventLoop ?? nextTurn;
    this.linkVersion = this.links.map(() => 0);
    this.links.forEach((link, i) => {
      link.init(this.net.specs, this.dropoutSeed(i + 1));
      link.setData(this.sets);
    });
  }

  /** Replicas doing the work, the coordinator included. */
  get replicas(): number {
    return this.links.length + 1;
  }

  /** Examples the next `train` call may take: the rest of the running mini-batch. */
  get batchRemaining(): number {
    return this.trainer.batchRemaining;
  }

  /**
   * Trains `count` examples of `examples` ((index, offsetX, offsetY, flip) quadruples of the
   * training set), at most `batchRemaining`, split over the replicas. When a replica fails
   * (the promise rejects with a ReplicaError) the gradients of the running batch are
   * incomplete: discard that batch (e.g. restore a saved trainer state) before going on.
   * `coordinatorHandicap`: work the caller will do on this thread while the replicas
   * compute, in training examples (see shardRanges); this thread then takes fewer examples.
   * Negative when the replicas do extra work (probes) outside their shards.
   *
   * `probes`: training images to classify with the weights this batch sees (before its
   * update), say a dashboard's validation samples. The last replica does them after
   * handing back its shard, while this thread sums and updates, and their counts come
   * back with a later batch's result (the next one, as a rule; dropped when the model
   * changes). With no replicas this thread classifies them and they come back at once.
   */
  async train(
    examples: Int32Array,
    count: number,
    coordinatorHandicap = 0,
    probes: EvaluationPlan | null = null,
  ): Promise<BatchResult> {
    if (!(Number.isInteger(count) && count >= 1 && count <= this.trainer.batchRemaining)) {
      throw new RangeError(`train: ${count} examples do not fit the ${this.trainer.batchRemaining} left in the batch`);
    }
    if (examples.length < count * EXAMPLE_STRIDE) {
      throw new RangeError(`train: an example list of ${examples.length} values cannot hold ${count} examples`);
    }
    if (this.losses.length < count) {
      this.losses = new Float64Array(count);
      this.predictions = new Uint8Array(count);
    }
    const { losses, predictions } = this;
    const ranges = shardRanges(count, this.replicas, coordinatorHandicap);
    const prober = this.links.length - 1;
    const remote: Array<PromiseLike<ShardResult> | null> = this.links.map((link, i) => {
      const { start, end } = ranges[i + 1];
      // The prober always gets a job when there are probes, even one of no examples.
      if (end === start && !(i === prober && probes)) return null;
      const shard = examples.subarray(start * EXAMPLE_STRIDE, end * EXAMPLE_STRIDE);
      return link.train(this.paramsFor(i), shard, end - start, i === prober ? probes : null);
    });
    const own = ranges[0];
    this.runner.train(this.sets.train, examples, own.start, own.end, losses, predictions, own.start);
    const timing = this.runner.lastTiming;
    let found: EvaluationCount | null = null;
    if (probes && prober < 0) found = this.classify(probes);
    const results = await Promise.all(remote);
    const summed: Float32Array[] = [];
    results.forEach((result, i) => {
      if (!result) return;
      const { start, end } = ranges[i + 1];
      summed.push(result.grads);
      losses.set(result.losses.subarray(0, end - start), start);
      predictions.set(result.predictions.subarray(0, end - start), start);
      if (result.probes) found = result.probes;
    });
    this.gradientSum.sumInto(this.net.grads, summed);
    const step = this.trainer.addSummedExamples(count);
    if (step.updated) this.version++;
    return { count, losses: losses.subarray(0, count), predictions: predictions.subarray(0, count), ...step, probes: found, timing };
  }

  /** Probes classified on this thread (no replicas). */
  private classify(probes: EvaluationPlan): EvaluationCount {
    const misclassified: number[] = [];
    const correct = this.runner.countCorrect(this.sets.train, probes, misclassified);
    return { correct, misclassified: Int32Array.from(misclassified) };
  }

  /**
   * Classifies the images of `plan` (from `set`) with the current weights, spread over
   * all replicas in jobs of `chunkImages`.
   */
  async evaluate(set: SetName, plan: EvaluationPlan, options: PlanEvaluationOptions = {}): Promise<PlanEvaluationResult> {
    const total = plan.images.length;
    const maxErrors = options.maxErrors ?? Infinity;
    let correct = 0;
    let evaluated = 0;
    const misclassified: number[] = [];
    const counted = (count: number, start: number, end: number) => {
      correct += count;
      evaluated += end - start;
      options.onProgress?.(evaluated, total);
    };
    await this.spread(total, options.chunkImages, {
      more: () => evaluated - correct <= maxErrors,
      local: (start, end) => counted(this.runner.countCorrect(this.sets[set], slicePlan(plan, start, end), misclassified), start, end),
      remote: (i, start, end) =>
        this.links[i].evaluate(this.paramsFor(i), set, slicePlan(plan, start, end)).then((count) => {
          for (const index of count.misclassified) misclassified.push(index);
          counted(count.correct, start, end);
        }),
    });
    return { correct, evaluated, complete: evaluated === total, misclassified: Int32Array.from(misclassified) };
  }

  /**
   * Every image's averaged outputs for `plan` (the net's outputs, image after image, the
   * numbers the one-thread evaluation averages), with the weights of `frozen`: a copy,
   * so training may go on with the live net meanwhile. Spread over all replicas like
   * `evaluate`; null when `options.stopped` ended it early.
   */
  async evaluateOutputs(set: SetName, plan: EvaluationPlan, frozen: Net, options: OutputsOptions = {}): Promise<Float32Array | null> {
    const total = plan.images.length;
    const { sx, sy, depth } = frozen.outputShape;
    const size = sx * sy * depth;
    const out = new Float32Array(total * size);
    const runner = new ExampleRunner(frozen, this.sets.geometry);
    let evaluated = 0;
    const stopped = options.stopped ?? (() => false);
    const done = (start: number, end: number) => {
      evaluated += end - start;
      options.onProgress?.(evaluated, total);
    };
    await this.spread(total, options.chunkImages, {
      more: () => !stopped(),
      local: (start, end) => {
        runner.averagedOutputs(this.sets[set], slicePlan(plan, start, end), out.subarray(start * size, end * size));
        done(start, end);
      },
      remote: (i, start, end) => {
        const job = this.links[i].outputs(frozen.params, set, slicePlan(plan, start, end));
        // The replica now holds the frozen weights: its next train job brings the live ones.
        this.linkVersion[i] = 0;
        return job.then((outputs) => {
          out.set(outputs.subarray(0, (end - start) * size), start * size);
          done(start, end);
        });
      },
    });
    return evaluated === total ? out : null;
  }

  /**
   * Hands out images [0, total) in jobs of `chunkImages`: QUEUE_DEPTH queued per remote
   * replica, and one at a time on this thread between turns of the event loop (so the
   * replies are handled), until all are out or `more` says stop. Rejects with the first
   * job's failure once the jobs out have ended.
   */
  private async spread(total: number, chunkImages: number | undefined, jobs: SpreadJobs): Promise<void> {
    const chunk = Math.max(1, chunkImages ?? DEFAULT_CHUNK_IMAGES);
    let next = 0;
    let failure: unknown = null;
    const queued = this.links.map(() => 0);
    const inFlight = new Set<Promise<void>>();
    const more = () => next < total && failure === null && jobs.more();
    const take = (): [number, number] => {
      const start = next;
      next = Math.min(total, next + chunk);
      return [start, next];
    };
    const dispatch = (i: number) => {
      const [start, end] = take();
      queued[i]++;
      const job: Promise<void> = jobs
        .remote(i, start, end)
        .then(undefined, (error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          queued[i]--;
          inFlight.delete(job);
        });
      inFlight.add(job);
    };
    for (;;) {
      this.links.forEach((_, i) => {
        while (queued[i] < QUEUE_DEPTH && more()) dispatch(i);
      });
      if (more()) {
        const [start, end] = take();
        jobs.local(start, end);
        if (inFlight.size > 0) await this.yieldToEventLoop();
      } else if (inFlight.size > 0) {
        await Promise.race(inFlight);
      } else {
        break;
      }
    }
    if (failure !== null) throw failure;
  }

  /** Call after changing the net's weights from outside (roll-back, import): replicas get them with their next job. */
  paramsChanged(): void {
    this.version++;
  }

  /**
   * Swaps in another net and trainer (a new network, or a restart); the replicas rebuild
   * theirs, with dropout streams from `seed` when given (a restart with a new seed).
   */
  setModel(net: Net, trainer: Trainer, seed = this.seed): void {
    this.seed = seed;
    this.net = net;
    this.trainer = trainer;
    this.runner = new ExampleRunner(net, this.sets.geometry);
    this.version++;
    this.links.forEach((link, i) => link.init(net.specs, this.dropoutSeed(i + 1)));
  }

  /** New images (a browser's data grew): the replicas read these from their next job on. */
  setData(sets: ReplicaSets): void {
    this.sets = sets;
    this.runner.geometry = sets.geometry ?? MNIST_SHAPE;
    this.links.forEach((link) => link.setData(sets));
  }

  /** Ends the remote replicas. */
  async close(): Promise<void> {
    await Promise.all(this.links.map((link) => link.close()));
  }

  /** The weights to send with link i's next job: the net's when the link lags, else null. */
  private paramsFor(i: number): Float32Array | null {
    if (this.linkVersion[i] === this.version) return null;
    this.linkVersion[i] = this.version;
    return this.net.params;
  }

  private dropoutSeed(replica: number): number {
    return (deriveSeed(this.seed, 'replica-dropout') + replica) >>> 0;
  }
}
