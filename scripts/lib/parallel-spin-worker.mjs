// A worker thread that spins a fixed integer loop when asked: the control measurement of
// parallel-throughput.ts (how much of a second core this process can get right now).
import { parentPort } from 'node:worker_threads';
import { spin } from './parallel-spin.mjs';

parentPort.on('message', (iterations) => parentPort.postMessage(spin(iterations)));
