/**
 * `npm run bench`: this engine against convnetjs 0.3.0 on the seed network, in one
 * process, on identical weights (ours is saved with netToJSON and loaded into
 * convnetjs). The engines run in alternating rounds after a warm-up, so a slow
 * patch of the shared machine hurts both alike.
 *
 * Prints training and forward-only examples/s with ratios; the last line is one
 * JSON object for scripts: {"engine":{..},"convnetjs":{..},"ratio":{..}}.
 *
 * Options: --rounds N (measured rounds per engine and mode, default 8),
 *          --round-ms M (length of one round, default 750).
 */
import { createRequire } from 'node:module';
import { Net } from '../src/engine/net';
import { Rng } from '../src/engine/rng';
import { netToJSON } from '../src/engine/snapshot';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../src/engine/parse';
import { Trainer } from '../src/engine/trainer';
import { Volume } from '../src/engine/volume';

/** The few convnetjs 0.3.0 entry points the bench calls. */
interface RefVol {
  w: Float64Array;
}
interface RefNet {
  fromJSON(json: unknown): void;
  forward(x: RefVol, isTraining?: boolean): RefVol;
}
interface RefTrainer {
  train(x: RefVol, y: number): unknown;
}
interface ConvNetJS {
  Vol: new (sx: number, sy: number, depth: number, fill: number) => RefVol;
  Net: new () => RefNet;
  Trainer: new (net: RefNet, options: Record<string, unknown>) => RefTrainer;
}

const EXAMPLES = 200;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
  return value;
}

interface Runner {
  /** Runs examples start..start+count-1, cycling through the prepared inputs. */
  run(start: number, count: number): void;
}

/** Runs `runner` in chunks until `ms` have passed; returns [examples, seconds]. */
function timed(runner: Runner, ms: number, offset: number): [number, number] {
  const chunk = 10;
  let done = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    runner.run(offset + done, chunk);
    done += chunk;
    elapsed = performance.now() - t0;
  }
  return [done, elapsed / 1000];
}

function main(): void {
  const rounds = option('--rounds', 8);
  const roundMs = option('--round-ms', 750);
  const require = createRequire(import.meta.url);
  const convnetjs = require('convnetjs') as ConvNetJS;

  // The demo's seed network and trainer (adadelta, batch_size 20, l2_decay 0.001).
  const seed = parseNetwork(SEED_DEFINITION_TEXT);
  const rng = new Rng(1);
  const net = new Net(seed.layers, rng);
  const trainer = new Trainer(net, seed.trainer);
  const ref = new convnetjs.Net();
  ref.fromJSON(JSON.parse(JSON.stringify(netToJSON(net))));
  // Every resolved option spelled out, so both trainers run the same settings.
  const refTrainer = new convnetjs.Trainer(ref, { ...seed.trainer });

  // Synthetic 24x24 inputs in [0, 1): the kernels' cost does not depend on the values.
  const inputs: Volume[] = [];
  const refInputs: RefVol[] = [];
  const labels: number[] = [];
  for (let i = 0; i < EXAMPLES; i++) {
    const v = new Volume(24, 24, 1);
    const r = new convnetjs.Vol(24, 24, 1, 0);
    for (let j = 0; j < v.w.length; j++) {
      v.w[j] = rng.random();
      r.w[j] = v.w[j];
    }
    inputs.push(v);
    refInputs.push(r);
    labels.push(rng.int(0, 10));
  }

  // Same weights, same input: the two engines must agree before we time them.
  const ours = net.forward(inputs[0], false).w;
  const theirs = ref.forward(refInputs[0], false).w;
  let maxDiff = 0;
  for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
  console.log(`seed network, ${net.params.length} parameters; forward outputs agree within ${maxDiff.toExponential(2)}`);

  const runners: Record<'engine' | 'convnetjs', Record<'train' | 'forward', Runner>> = {
    engine: {
      train: {
        run(start, count) {
          for (let i = start; i < start + count; i++) trainer.train(inputs[i % EXAMPLES], labels[i % EXAMPLES]);
        },
      },
      forward: {
        run(start, count) {
          for (let i = start; i < start + count; i++) net.forward(inputs[i % EXAMPLES], false);
        },
      },
    },
    convnetjs: {
      train: {
        run(start, count) {
          for (let i = start; i < start + count; i++) refTrainer.train(refInputs[i % EXAMPLES], labels[i % EXAMPLES]);
        },
      },
      forward: {
        run(start, count) {
          for (let i = start; i < start + count; i++) ref.forward(refInputs[i % EXAMPLES], false);
        },
      },
    },
  };

  const rate = { engine: { train: 0, forward: 0 }, convnetjs: { train: 0, forward: 0 } };
  for (const mode of ['train', 'forward'] as const) {
    // Warm-up: let the JIT settle both engines' hot loops before timing.
    timed(runners.engine[mode], 2 * roundMs, 0);
    timed(runners.convnetjs[mode], 2 * roundMs, 0);
    const total = { engine: [0, 0], convnetjs: [0, 0] };
    for (let round = 0; round < rounds; round++) {
      // Alternate which engine goes first so drift in machine load cancels out.
      const order = round % 2 === 0 ? (['engine', 'convnetjs'] as const) : (['convnetjs', 'engine'] as const);
      for (const name of order) {
        const [n, s] = timed(runners[name][mode], roundMs, round * 1000);
        total[name][0] += n;
        total[name][1] += s;
      }
    }
    rate.engine[mode] = total.engine[0] / total.engine[1];
    rate.convnetjs[mode] = total.convnetjs[0] / total.convnetjs[1];
    const ratio = rate.engine[mode] / rate.convnetjs[mode];
    console.log(
      `${mode.padEnd(7)} engine ${rate.engine[mode].toFixed(1).padStart(8)} ex/s   ` +
        `convnetjs ${rate.convnetjs[mode].toFixed(1).padStart(8)} ex/s   ratio ${ratio.toFixed(2)}x`,
    );
  }

  const round1 = (x: number): number => Math.round(x * 10) / 10;
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      engine: { trainExPerSec: round1(rate.engine.train), fwdExPerSec: round1(rate.engine.forward) },
      convnetjs: { trainExPerSec: round1(rate.convnetjs.train), fwdExPerSec: round1(rate.convnetjs.forward) },
      ratio: {
        train: round2(rate.engine.train / rate.convnetjs.train),
        forward: round2(rate.engine.forward / rate.convnetjs.forward),
      },
    }),
  );
}

main();
