/**
 * Glue for hosts whose workers speak the web's message API (a browser Web Worker, its
 * global scope, a MessagePort): `addEventListener('message' | 'error')` and
 * `postMessage(message, transfer)`. Typed structurally, so this module needs no DOM
 * types and runs in Node against MessagePorts (as the tests do).
 *
 * In the page's training worker:
 *   const worker = new Worker(new URL('./replica-worker.ts', import.meta.url), { type: 'module' });
 *   const link = linkToWorker(worker, 'worker 1');
 * and the replica worker file is one call: serveReplicaOn(self).
 */
import { canShareMemory } from '../data/shared-memory';
import { MessageReplicaLink, ReplicaError } from './message-link';
import type { ReplicaReply, ReplicaRequest, ReplicaSets } from './protocol';
import { serveReplica } from './replica';

interface MessageLikeEvent {
  data?: unknown;
  message?: string;
}

/** What a Worker, a worker's global scope and a MessagePort have in common. */
export interface WebMessageTarget {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', listener: (event: MessageLikeEvent) => void): void;
  /** MessagePorts deliver only once started; Workers and scopes have no such method. */
  start?(): void;
}

/** A ReplicaLink to a replica served (serveReplicaOn) behind `worker`. */
export function linkToWorker(worker: WebMessageTarget, name: string): MessageReplicaLink {
  const link = new MessageReplicaLink(
    { postMessage: (message: ReplicaRequest, transfer) => worker.postMessage(message, transfer) },
    name,
  );
  worker.addEventListener('message', (event) => link.receive(event.data as ReplicaReply));
  worker.addEventListener('error', (event) => link.fail(new ReplicaError(`${name} failed: ${event.message ?? 'error'}`)));
  worker.addEventListener('messageerror', () => link.fail(new ReplicaError(`${name} sent a message that could not be read`)));
  worker.start?.();
  return link;
}

/** Serves a replica on a worker's global scope (or a port); `close` ends the worker after the coordinator's close. */
export function serveReplicaOn(scope: WebMessageTarget & { close?(): void }): void {
  const handle = serveReplica(
    { postMessage: (reply: ReplicaReply, transfer) => scope.postMessage(reply, transfer) },
    () => scope.close?.(),
  );
  scope.addEventListener('message', (event) => handle(event.data));
  scope.start?.();
}

/**
 * The sets in SharedArrayBuffers where memory can be shared (every replica then reads one
 * copy), else as they are (each replica receives its own copy, 55 MB for all of MNIST).
 */
export function shareableSets(sets: ReplicaSets): ReplicaSets {
  if (!canShareMemory()) return sets;
  return { ...sets, train: sharedSet(sets.train), test: sharedSet(sets.test) };
}

function sharedSet<S extends ReplicaSets['train']>(set: S): S {
  if (set.images.buffer instanceof SharedArrayBuffer && set.labels.buffer instanceof SharedArrayBuffer) return set;
  const images = new Uint8Array(new SharedArrayBuffer(set.images.length));
  images.set(set.images);
  const labels = new Uint8Array(new SharedArrayBuffer(set.labels.length));
  labels.set(set.labels);
  return { ...set, count: set.count, images, labels };
}
