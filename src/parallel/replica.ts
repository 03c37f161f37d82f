/**
 * The replica side of a data-parallel run: a net of the coordinator's shape, the images,
 * and the jobs the coordinator sends. No worker API here: `serveReplica` takes whatever
 * posts the replies (a Node worker's parentPort, a Web Worker's global scope) and returns
 * the handler to call with each incoming message.
 */
import { MNIST_SHAPE } from '../data/dataset';
import { errorMessage } from '../engine/error-message';
import { Net } from '../engine/net';
import { Rng } from '../engine/rng';
import { ExampleRunner } from './example-runner';
import { EXAMPLE_STRIDE } from './example-stream';
import { WINDOW_STRIDE, type EvaluationPlan } from './evaluation-plan';
import { Slot, SharedChannel, SpinBudget } from './shared-channel';
import { transferables, type MessageEndpoint, type ReplicaReply, type ReplicaRequest, type ReplicaSets } from './protocol';

export class Replica {
  private runner: ExampleRunner | null = null;
  private sets: ReplicaSets | null = null;
  /** Why the last init or data message failed; jobs report it instead of running on stale state. */
  private broken: string | null = null;

  init(request: Extract<ReplicaRequest, { type: 'init' }>): void {
    this.runner = null;
    try {
      this.runner = new ExampleRunner(new Net(request.specs, new Rng(request.dropoutSeed)), this.sets?.geometry);
      this.broken = null;
    } catch (error) {
      this.broken = `the replica could not build the network: ${errorMessage(error)}`;
      throw new Error(this.broken);
    }
  }

  setData(sets: ReplicaSets): void {
    this.sets = sets;
    if (this.runner) this.runner.geometry = sets.geometry ?? MNIST_SHAPE;
  }

  train(request: Extract<ReplicaRequest, { type: 'train' }>): Extract<ReplicaReply, { type: 'trained' }> {
    const runner = this.ready();
    const { net } = runner;
    const { examples, count, params } = request;
    if (!(Number.isInteger(count) && count >= 0 && examples.length >= count * EXAMPLE_STRIDE)) {
      throw new Error(`a train job of ${count} examples came with ${examples.length} values`);
    }
    if (params) this.setParams(params);
    net.zeroGrads();
    const losses = new Float64Array(count);
    const predictions = new Uint8Array(count);
    runner.train(this.sets!.train, examples, 0, count, losses, predictions);
    const spare = request.spareGrads;
    const grads = spare && spare.length === net.grads.length ? spare : new Float32Array(net.grads.length);
    grads.set(net.grads);
    return { type: 'trained', id: request.id, grads, losses, predictions };
  }

  /** Classifies probe images of the training set with the current weights (a train job's, after it). */
  probe(plan: EvaluationPlan): { correct: number; misclassified: Int32Array } {
    const misclassified: number[] = [];
    const correct = this.ready().countCorrect(this.sets!.train, plan, misclassified);
    return { correct, misclassified: Int32Array.from(misclassified) };
  }

  /**
   * Serves train jobs through a shared channel, blocked in Atomics.wait between them
   * (allowed in workers), until the coordinator sends CMD_LEAVE; then returns, and the
   * worker's message loop goes on. A failing job is reported in the channel, not thrown.
   */
  serveShared(channel: SharedChannel): void {
    const c = channel.control;
    const spin = new SpinBudget();
    for (;;) {
      // Read WAKE first: a request made after this read changes it, so the wait below returns.
      const wake = Atomics.load(c, Slot.WAKE);
      const seq = Atomics.load(c, Slot.SEQ);
      const left = Atomics.load(c, Slot.LEFT);
      const trainDue = seq !== Atomics.load(c, Slot.DONE) && Atomics.load(c, Slot.EPOCH) === left;
      if (!trainDue) {
        const leave = Atomics.load(c, Slot.LEAVE);
        if (leave !== left) {
          Atomics.store(c, Slot.LEFT, leave);
          return;
        }
        const waitStart = performance.now();
        if (!spin.poll(c, Slot.WAKE, wake)) {
          Atomics.wait(c, Slot.WAKE, wake);
          spin.slept(performance.now() - waitStart);
        }
        continue;
      }
      // Copied before DONE: once the result is out, the coordinator may write the next job.
      const probes = c[Slot.PROBE_COUNT] > 0 ? copyProbes(channel) : null;
      let trained = false;
      try {
        const runner = this.ready();
        const count = c[Slot.COUNT];
        if (c[Slot.FRESH_PARAMS] === 1) this.setParams(channel.params);
        runner.net.zeroGrads();
        runner.train(this.sets!.train, channel.examples, 0, count, channel.losses, channel.predictions);
        channel.grads.set(runner.net.grads);
        c[Slot.STATUS] = 0;
        trained = true;
      } catch (error) {
        channel.writeError(errorMessage(error));
        c[Slot.STATUS] = 1;
      }
      Atomics.store(c, Slot.DONE, seq);
      Atomics.notify(c, Slot.DONE);
      if (probes) this.probeShared(channel, seq, trained ? probes : null);
    }
  }

  /** Classifies a shared job's probes (null: the job failed) into result region seq & 1, then PROBED = seq. */
  private probeShared(channel: SharedChannel, seq: number, plan: EvaluationPlan | null): void {
    const c = channel.control;
    const region = seq & 1;
    let correct = -1;
    let wrong = 0;
    if (plan) {
      try {
        const found = this.probe(plan);
        correct = found.correct;
        wrong = found.misclassified.length;
        channel.probeWrong.set(found.misclassified, region * channel.capacity);
      } catch {
        // Counted as no result (correct -1): the next train job reports what broke.
      }
    }
    c[Slot.PROBE_CORRECT[region]] = correct;
    c[Slot.PROBE_WRONG[region]] = wrong;
    Atomics.store(c, Slot.PROBED, seq);
  }

  evaluate(request: Extract<ReplicaRequest, { type: 'evaluate' }>): Extract<ReplicaReply, { type: 'evaluated' }> {
    const runner = this.ready();
    if (request.params) this.setParams(request.params);
    const misclassified: number[] = [];
    const correct = runner.countCorrect(this.sets![request.set], request.plan, misclassified);
    return { type: 'evaluated', id: request.id, correct, misclassified: Int32Array.from(misclassified) };
  }

  outputs(request: Extract<ReplicaRequest, { type: 'outputs' }>): Extract<ReplicaReply, { type: 'outputs' }> {
    const runner = this.ready();
    this.setParams(request.params);
    const { outputShape } = runner.net;
    const size = outputShape.sx * outputShape.sy * outputShape.depth;
    const outputs = runner.averagedOutputs(this.sets![request.set], request.plan, new Float32Array(request.plan.images.length * size));
    return { type: 'outputs', id: request.id, outputs };
  }

  private ready(): ExampleRunner {
    if (this.broken) throw new Error(this.broken);
    if (!this.runner) throw new Error('the replica got a job before its network (init)');
    if (!this.sets) throw new Error('the replica got a job before its data');
    return this.runner;
  }

  private setParams(params: Float32Array): void {
    const own = this.runner!.net.params;
    if (params.length !== own.length) {
      throw new Error(`the replica's network has ${own.length} parameters but the job brought ${params.length}`);
    }
    own.set(params);
  }
}

/**
 * Runs a Replica behind `endpoint`: returns the function to call with every message the
 * coordinator sends. Every failure becomes a 'failed' reply (a job's id, or -1 outside a
 * job), never an uncaught exception; `onClose` runs after the 'closed' reply is posted.
 */
export function serveReplica(endpoint: MessageEndpoint<ReplicaReply>, onClose: () => void): (message: unknown) => void {
  const replica = new Replica();
  return (message: unknown) => {
    const request = message as ReplicaRequest;
    const id = 'id' in request && typeof request.id === 'number' ? request.id : -1;
    try {
      switch (request.type) {
        case 'init':
          replica.init(request);
          return;
        case 'data':
          replica.setData(request.sets);
          return;
        case 'train': {
          const reply = replica.train(request);
          endpoint.postMessage(reply, transferables(reply.grads, reply.losses, reply.predictions));
          // After the reply: the coordinator sums and updates meanwhile.
          if (request.probes) {
            const found = replica.probe(request.probes);
            endpoint.postMessage({ type: 'probed', id, ...found }, transferables(found.misclassified));
          }
          return;
        }
        case 'evaluate': {
          const reply = replica.evaluate(request);
          endpoint.postMessage(reply, transferables(reply.misclassified));
          return;
        }
        case 'outputs': {
          const reply = replica.outputs(request);
          endpoint.postMessage(reply, transferables(reply.outputs));
          return;
        }
        case 'enter-shared':
          replica.serveShared(new SharedChannel(request.channel));
          return;
        case 'close':
          endpoint.postMessage({ type: 'closed' }, []);
          onClose();
          return;
        default:
          throw new Error(`unknown request type '${String((request as { type?: unknown }).type)}'`);
      }
    } catch (error) {
      endpoint.postMessage({ type: 'failed', id, message: errorMessage(error) }, []);
    }
  };
}

function copyProbes(channel: SharedChannel): EvaluationPlan {
  const c = channel.control;
  const images = c[Slot.PROBE_COUNT];
  const passes = c[Slot.PROBE_PASSES];
  return {
    images: channel.probeImages.slice(0, images),
    passes,
    offsets: channel.probeOffsets.slice(0, images * passes * WINDOW_STRIDE),
  };
}
