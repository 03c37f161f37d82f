/**
 * A Node worker thread running one data-parallel replica (src/parallel/replica.ts): the
 * only file that knows a replica lives in worker_threads. Started through
 * parallel-worker-boot.mjs by parallel-workers.ts.
 */
import { parentPort } from 'node:worker_threads';
import type { ReplicaReply } from '../../src/parallel/protocol';
import { serveReplica } from '../../src/parallel/replica';

const port = parentPort;
if (!port) throw new Error('parallel-worker.ts runs only as a worker thread');
const handle = serveReplica(
  { postMessage: (message: ReplicaReply, transfer: ArrayBuffer[]) => port.postMessage(message, transfer) },
  // Closing the port lets the thread end by itself.
  () => port.close(),
);
port.on('message', handle);
