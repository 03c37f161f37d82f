/**
 * The replica side of a data-parallel run: a net of the coordinator's shape, the images,
 * and the jobs the coordinator sends. No worker API here: `serveReplica` takes whatever
 * posts the replies (a Node worker's parentPort, a Web Worker's global scope) and returns
 * the handler to call with each incoming message.
 */
import { Net } from '../engine/net';
import { Rng } from '../engine/rng';
import { ExampleRunner } from './example-runner';
import { EXAMPLE_STRIDE } from './example-stream';
import { COUNT, DONE, EPOCH, FRESH_PARAMS, LEAVE, LEFT, SEQ, SharedChannel, STATUS, WAKE } from './shared-channel';
import { transferables, type MessageEndpoint, type ReplicaReply, type ReplicaRequest, type ReplicaSets } from './protocol';

export class Replica {
  private runner: ExampleRunner | null = null;
  private sets: ReplicaSets | null = null;
  /** Why the last init or data message failed; jobs report it instead of running on stale state. */
  private broken: string | null = null;

  init(request: Extract<ReplicaRequest, { type: 'init' }>): void {
    this.runner = null;
    try {
      this.runner = new ExampleRunner(new Net(request.specs, new Rng(request.dropoutSeed)));
      this.broken = null;
    } catch (error) {
      this.broken = `the replica could not build the network: ${messageOf(error)}`;
      throw new Error(this.broken);
    }
  }

  setData(sets: ReplicaSets): void {
    this.sets = sets;
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

  /**
   * Serves train jobs through a shared channel, blocked in Atomics.wait between them
   * (allowed in workers), until the coordinator sends CMD_LEAVE; then returns, and the
   * worker's message loop goes on. A failing job is reported in the channel, not thrown.
   */
  serveShared(channel: SharedChannel): void {
    const c = channel.control;
    for (;;) {
      // Read WAKE first: a request made after this read changes it, so the wait below returns.
      const wake = Atomics.load(c, WAKE);
      const seq = Atomics.load(c, SEQ);
      const left = Atomics.load(c, LEFT);
      const trainDue = seq !== Atomics.load(c, DONE) && Atomics.load(c, EPOCH) === left;
      if (!trainDue) {
        const leave = Atomics.load(c, LEAVE);
        if (leave !== left) {
          Atomics.store(c, LEFT, leave);
          return;
        }
        Atomics.wait(c, WAKE, wake);
        continue;
      }
      try {
        const runner = this.ready();
        const count = c[COUNT];
        if (c[FRESH_PARAMS] === 1) this.setParams(channel.params);
        runner.net.zeroGrads();
        runner.train(this.sets!.train, channel.examples, 0, count, channel.losses, channel.predictions);
        channel.grads.set(runner.net.grads);
        c[STATUS] = 0;
      } catch (error) {
        channel.writeError(messageOf(error));
        c[STATUS] = 1;
      }
      Atomics.store(c, DONE, seq);
      Atomics.notify(c, DONE);
    }
  }

  evaluate(request: Extract<ReplicaRequest, { type: 'evaluate' }>): Extract<ReplicaReply, { type: 'evaluated' }> {
    const runner = this.ready();
    if (request.params) this.setParams(request.params);
    const misclassified: number[] = [];
    const correct = runner.countCorrect(this.sets![request.set], request.plan, misclassified);
    return { type: 'evaluated', id: request.id, correct, misclassified: Int32Array.from(misclassified) };
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
          return;
        }
        case 'evaluate': {
          const reply = replica.evaluate(request);
          endpoint.postMessage(reply, transferables(reply.misclassified));
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
      endpoint.postMessage({ type: 'failed', id, message: messageOf(error) }, []);
    }
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
