import { beforeAll, describe, expect, it } from 'vitest';
import { startWorkerReplicas, yieldToNodeEventLoop, type WorkerReplicas } from '../../../scripts/lib/parallel-workers';
import { loadMnist } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { DataParallelTrainer } from '../../../src/parallel/data-parallel-trainer';
import { planEvaluation, type EvaluationPlan } from '../../../src/parallel/evaluation-plan';
import { ExampleRunner } from '../../../src/parallel/example-runner';
import { EXAMPLE_STRIDE, ExampleStream } from '../../../src/parallel/example-stream';
import type { EvaluationCount, ReplicaLink, ReplicaSets } from '../../../src/parallel/protocol';
import { shareableSets } from '../../../src/parallel/worker-host';
import { inProcessLink } from './in-process-link';

/**
 * Probes: training images a replica classifies with a train job's weights after handing
 * back its gradients; their counts come back with the link's next train job. Every check
 * compares with ExampleRunner.countCorrect on a same-thread copy of the net.
 */
let sets: ReplicaSets;
/** Weights trained for a while, so probes are partly right and partly wrong (a sharper check). */
let pretrained: Float32Array;
const seedNet = parseNetwork(SEED_DEFINITION_TEXT);
const BATCHES = 4;

/** Real workers through both transports, and same-thread replicas behind the message protocol (two: the last one probes). */
const transports: Array<[string, () => WorkerReplicas]> = [
  ['shared worker', () => startWorkerReplicas(1, 'shared')],
  ['message worker', () => startWorkerReplicas(1, 'messages')],
  ['in-process links', () => ({ links: [inProcessLink('a'), inProcessLink('b')], threads: [], stop: async () => {} })],
  // N = 4 (oversubscribed on a 2-core machine; only the results are checked).
  ['3 shared workers', () => startWorkerReplicas(3, 'shared')],
];

function model(params = pretrained) {
  const net = new Net(seedNet.layers, new Rng(3));
  net.params.set(params);
  return { net, trainer: new Trainer(net, seedNet.trainer) };
}

function trainerFor(m: ReturnType<typeof model>, links: readonly ReplicaLink[]): DataParallelTrainer {
  return new DataParallelTrainer({ ...m, sets, links, seed: 1, yieldToEventLoop: yieldToNodeEventLoop });
}

/** Batch k's probes: 8 training images (not the ones trained on) with random 4-crop offsets. */
function probePlan(k: number): EvaluationPlan {
  const images = Int32Array.from({ length: 8 }, (_, i) => 6000 + 97 * (8 * k + i));
  return planEvaluation(images, seedNet.layers[0].out, '4crop', new Rng(10 + k));
}

interface Found {
  correct: number;
  /** Sorted: compared as a multiset. */
  misclassified: number[];
}

function found(count: EvaluationCount | null): Found | null {
  return count && { correct: count.correct, misclassified: Array.from(count.misclassified).sort((a, b) => a - b) };
}

/** What a same-thread net with these weights finds for the plan. */
function classify(params: Float32Array, plan: EvaluationPlan): Found {
  const net = new Net(seedNet.layers, new Rng(99));
  net.params.set(params);
  const misclassified: number[] = [];
  const correct = new ExampleRunner(net).countCorrect(sets.train, plan, misclassified);
  return { correct, misclassified: misclassified.sort((a, b) => a - b) };
}

interface Run {
  params: Float32Array;
  /** What each batch's result brought back. */
  probes: Array<Found | null>;
  /** What batch k's probes should find: its plan classified with the weights it saw. */
  expected: Found[];
}

async function run(dp: DataParallelTrainer, net: Net, withProbes: boolean, handicap = 0, first = 0): Promise<Run> {
  const stream = ExampleStream.forSeed(Int32Array.from({ length: 5000 }, (_, i) => i), net.inputShape, 1 + first);
  const list = new Int32Array(20 * EXAMPLE_STRIDE);
  const probes: Array<Found | null> = [];
  const expected: Found[] = [];
  for (let k = first; k < first + BATCHES; k++) {
    const count = dp.batchRemaining;
    stream.fill(list, count);
    const plan = withProbes ? probePlan(k) : null;
    if (plan) expected.push(classify(net.params, plan));
    const result = await dp.train(list, count, handicap, plan);
    expect(result.updated).toBe(true);
    probes.push(found(result.probes));
  }
  return { params: net.params.slice(), probes, expected };
}

async function runFresh(links: readonly ReplicaLink[], withProbes: boolean, handicap = 0): Promise<Run> {
  const m = model();
  return run(trainerFor(m, links), m.net, withProbes, handicap);
}

/** A link that records the example count of every train job it passes on. */
function recording(link: ReplicaLink, counts: number[]): ReplicaLink {
  return {
    init: (specs, dropoutSeed) => link.init(specs, dropoutSeed),
    setData: (s) => link.setData(s),
    train: (params, examples, count, probes) => {
      counts.push(count);
      return link.train(params, examples, count, probes);
    },
    evaluate: (params, set, plan) => link.evaluate(params, set, plan),
    outputs: (params, set, plan) => link.outputs(params, set, plan),
    close: () => link.close(),
  };
}

beforeAll(async () => {
  sets = shareableSets(loadMnist());
  const net = new Net(seedNet.layers, new Rng(3));
  const dp = new DataParallelTrainer({ net, trainer: new Trainer(net, seedNet.trainer), sets });
  const stream = ExampleStream.forSeed(Int32Array.from({ length: 5000 }, (_, i) => i), net.inputShape, 7);
  const list = new Int32Array(20 * EXAMPLE_STRIDE);
  for (let b = 0; b < 30; b++) {
    stream.fill(list, 20);
    await dp.train(list, 20);
  }
  pretrained = net.params.slice();
});

describe('probes', () => {
  for (const [name, start] of transports) {
    it(`come back with the next batch as countCorrect finds them with the weights their batch saw (${name})`, async () => {
      const replicas = start();
      try {
        const r = await runFresh(replicas.links, true);
        expect(r.probes[0]).toBeNull();
        expect(r.probes.slice(1)).toEqual(r.expected.slice(0, -1));
        // A sharp check only if the probes are neither all right nor all wrong.
        expect(r.expected.some((e) => e.correct > 0)).toBe(true);
        expect(r.expected.some((e) => e.misclassified.length > 0)).toBe(true);
      } finally {
        await replicas.stop();
      }
    });

    it(`do not change training: the weights match a run without probes bit for bit (${name})`, async () => {
      // Fresh replicas for each run, so the runs share nothing but the seed.
      const runs: Run[] = [];
      for (const withProbes of [true, false]) {
        const replicas = start();
        try {
          runs.push(await runFresh(replicas.links, withProbes));
        } finally {
          await replicas.stop();
        }
      }
      expect(runs[1].probes.every((p) => p === null)).toBe(true);
      expect(runs[0].params).not.toEqual(pretrained);
      expect(runs[0].params).toEqual(runs[1].params);
    });

    it(`are dropped when the network changes, and training goes on (${name})`, async () => {
      const replicas = start();
      try {
        const m = model();
        const dp = trainerFor(m, replicas.links);
        const before = await run(dp, m.net, true);
        expect(before.probes.slice(1)).toEqual(before.expected.slice(0, -1));
        // The last batch's probes are still out when the network changes.
        const second = model(new Net(seedNet.layers, new Rng(5)).params);
        dp.setModel(second.net, second.trainer);
        const after = await run(dp, second.net, true, 0, BATCHES);
        expect(after.probes[0]).toBeNull();
        expect(after.probes.slice(1)).toEqual(after.expected.slice(0, -1));
      } finally {
        await replicas.stop();
      }
    });
  }

  it('come back in the same result, classified on this thread, with no replicas', async () => {
    const r = await runFresh([], true);
    expect(r.probes).toEqual(r.expected);
    const without = await runFresh([], false);
    expect(without.probes.every((p) => p === null)).toBe(true);
    expect(r.params).toEqual(without.params);
  });

  for (const transport of ['shared', 'messages'] as const) {
    it(`reach a replica whose shard is empty (a probe-only job, ${transport})`, async () => {
      const replicas = startWorkerReplicas(1, transport);
      try {
        const counts: number[] = [];
        // A large negative handicap: the coordinator takes every example, the replica only probes.
        const r = await runFresh([recording(replicas.links[0], counts)], true, -50);
        expect(counts).toEqual(Array(BATCHES).fill(0));
        expect(r.probes[0]).toBeNull();
        expect(r.probes.slice(1)).toEqual(r.expected.slice(0, -1));
        // All examples on this thread: the one-thread run, bit for bit.
        expect(r.params).toEqual((await runFresh([], false)).params);
      } finally {
        await replicas.stop();
      }
    });
  }
});
