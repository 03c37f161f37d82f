/**
 * Data-parallel replicas on Node worker_threads: how many to start (clamped to the cores),
 * starting them, and MNIST in SharedArrayBuffers so every thread reads one copy.
 * The protocol and the arithmetic are in src/parallel; this file is only the Node host.
 */
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MessageReplicaLink, ReplicaError } from '../../src/parallel/message-link';
import type { ReplicaLink, ReplicaReply } from '../../src/parallel/protocol';
import { SharedReplicaLink } from '../../src/parallel/shared-link';

/** Cores this process may use (os.availableParallelism, else the CPU count, at least 1). */
export function coreCount(): number {
  try {
    return Math.max(1, availableParallelism());
  } catch {
    return Math.max(1, cpus().length);
  }
}

export interface WorkerCount {
  /** Workers to train with: the request, clamped to the cores. */
  workers: number;
  /** Why fewer than requested, for a one-line note; null when the request stands. */
  note: string | null;
}

/** One worker per core at most: a second thread on one core only adds overhead. `doing` names the work in the note. */
export function clampWorkers(requested: number, cores: number, doing = 'training'): WorkerCount {
  if (requested <= cores) return { workers: requested, note: null };
  const have = cores === 1 ? '1 core' : `${cores} cores`;
  const using = cores === 1 ? '1 worker' : `${cores} workers`;
  return { workers: cores, note: `--workers ${requested}: this machine has ${have}; ${doing} with ${using}` };
}

/**
 * How train jobs reach the workers: 'shared' through SharedArrayBuffer + Atomics (the
 * default; measured faster, see docs/performance.md), 'messages' through postMessage
 * with transferred buffers (what a browser without cross-origin isolation uses).
 */
export type Transport = 'shared' | 'messages';

export interface WorkerReplicas {
  links: ReplicaLink[];
  /** The threads, one per link. */
  threads: readonly Worker[];
  /** Closes every replica and ends its thread; safe to call more than once. */
  stop(): Promise<void>;
}

const BOOT = new URL('./parallel-worker-boot.mjs', import.meta.url);

/** Starts `count` worker threads, each serving one replica. */
export function startWorkerReplicas(count: number, transport: Transport = 'shared'): WorkerReplicas {
  const workers: Worker[] = [];
  const links: ReplicaLink[] = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(BOOT, { name: `replica ${i + 1}` });
    const link = new MessageReplicaLink(
      { postMessage: (message, transfer) => worker.postMessage(message, transfer) },
      `worker ${i + 1}`,
    );
    worker.on('message', (reply: ReplicaReply) => link.receive(reply));
    worker.on('error', (error) => link.fail(error));
    worker.on('exit', (code) => link.fail(new ReplicaError(`worker ${i + 1} exited (code ${code})`)));
    workers.push(worker);
    links.push(transport === 'shared' ? new SharedReplicaLink(link, `worker ${i + 1}`, yieldToNodeEventLoop) : link);
  }
  let stopped: Promise<void> | null = null;
  return {
    links,
    threads: workers,
    stop() {
      stopped ??= (async () => {
        await Promise.all(links.map((link) => link.close()));
        await Promise.all(workers.map((worker) => worker.terminate()));
      })();
      return stopped;
    },
  };
}

/** Yields to Node's event loop (replies waiting in the ports get handled), faster than a timer. */
export function yieldToNodeEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
