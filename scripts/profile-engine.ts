/**
 * Where a training step's time goes, layer by layer, for one kernel set: the seed
 * network trained on real MNIST random crops, as `npm run bench` trains it. With
 * `--mode forward`, where inference time goes instead: each layer's forward one
 * input at a time beside its batched route (what Net.forwardBatch runs: prepared
 * weights, Winograd where it pays, a ReLU folded into the conv before it, whose own
 * row then reads 0), on centre crops. `--build exact|relaxed` picks the WASM build
 * (relaxed: fused multiply-adds in the batched routes; in Node 20 run with
 * `node --experimental-wasm-relaxed-simd --import tsx scripts/profile-engine.ts`).
 *
 *   npx tsx scripts/profile-engine.ts [--kernels js|wasm] [--examples N] [--mode train|forward] [--build exact|relaxed]
 *
 * Each layer's forward and backward is timed separately (a performance.now() pair
 * per call, well under a microsecond), then the data side (crop + label) and the
 * trainer's update (every batch_size examples, shown per example). On a shared
 * machine absolute numbers drift; the shares are what to read.
 */
import { createInputVolume, fillCenterCrop, fillRandomCrop } from '../src/data/augment';
import type { MnistSet } from '../src/data/mnist';
import { loadMnistSet, mnistDataDirectory, MNIST_FILES } from '../src/data/node-loader';
import { isLossLayer } from '../src/engine/layers';
import { Net } from '../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../src/engine/parse';
import { Rng } from '../src/engine/rng';
import { Trainer } from '../src/engine/trainer';
import type { Volume } from '../src/engine/volume';
import { jsKernels } from '../src/engine/kernels/js-blocked';
import { kernelsNamed, type KernelChoice } from '../src/engine/wasm';
import { createWasmKernels } from '../src/engine/wasm/kernels';
import { preferredKernelBuild, type KernelBuild } from '../src/engine/wasm/module';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : (process.argv[at + 1] ?? fallback);
}

/** Microseconds per example of each layer's forward, one input at a time and on the batched route, in alternating rounds. */
function profileForward(net: Net, train: MnistSet, examples: number): void {
  const inputs: Volume[] = [];
  for (let i = 0; i < 500; i++) {
    const v = createInputVolume(net.inputShape);
    fillCenterCrop(v, train, i);
    inputs.push(v);
  }
  const layers = net.layers;
  const single = layers.map((layer) => (x: Volume) => layer.forward(x, false));
  const batched = net.inferenceSteps();
  const totals = [new Float64Array(layers.length), new Float64Array(layers.length)];
  const pass = (steps: readonly ((x: Volume) => Volume)[], into: Float64Array, count: number): void => {
    for (let k = 0; k < count; k++) {
      let act = inputs[k % inputs.length];
      for (let i = 0; i < steps.length; i++) {
        const t = performance.now();
        act = steps[i](act);
        into[i] += performance.now() - t;
      }
    }
  };
  const scratch = new Float64Array(layers.length);
  pass(single, scratch, 2000);
  pass(batched, scratch, 2000);
  const rounds = 10;
  for (let round = 0; round < rounds; round++) {
    pass(single, totals[0], examples / rounds);
    pass(batched, totals[1], examples / rounds);
  }
  const us = (ms: number): number => (ms * 1000) / examples;
  const sum = totals.map((t) => t.reduce((a, b) => a + b, 0));
  console.log(`kernels ${net.kernels.name}, ${examples} examples each way; forward microseconds per example`);
  console.log(`${'layer'.padEnd(14)} ${'single'.padStart(8)} ${'share'.padStart(6)} ${'batched'.padStart(8)} ${'share'.padStart(6)} ${'gain'.padStart(6)}`);
  layers.forEach((layer, i) => {
    const [a, b] = [us(totals[0][i]), us(totals[1][i])];
    console.log(
      `${`${i} ${layer.spec.type}`.padEnd(14)} ${a.toFixed(2).padStart(8)} ${((100 * totals[0][i]) / sum[0]).toFixed(1).padStart(5)}% ` +
        `${b.toFixed(2).padStart(8)} ${((100 * totals[1][i]) / sum[1]).toFixed(1).padStart(5)}% ${(a / b).toFixed(2).padStart(5)}x`,
    );
  });
  console.log(`total ${us(sum[0]).toFixed(1)} us one at a time, ${us(sum[1]).toFixed(1)} us batched (${(sum[0] / sum[1]).toFixed(2)}x)`);
}

function main(): void {
  const choice = option('--kernels', 'wasm') as KernelChoice;
  const examples = Number(option('--examples', '20000'));
  const train = loadMnistSet(mnistDataDirectory(), MNIST_FILES.trainImages, MNIST_FILES.trainLabels);
  const seed = parseNetwork(SEED_DEFINITION_TEXT);
  const build = option('--build', preferredKernelBuild()) as KernelBuild;
  const net = new Net(seed.layers, new Rng(1), choice === 'js' ? kernelsNamed('js') : createWasmKernels(jsKernels, build));
  if (option('--mode', 'train') === 'forward') {
    profileForward(net, train, examples);
    return;
  }
  const trainer = new Trainer(net, seed.trainer);
  const rng = new Rng(2);
  const input = createInputVolume(net.inputShape);
  const next = (): number => {
    const i = rng.int(0, train.count);
    fillRandomCrop(input, train, i, rng);
    return train.labels[i];
  };

  // Warm-up, which also moves the weights away from their initial values (sparsity
  // of the gradients, and so the backward time, depends on them).
  for (let k = 0; k < 10_000; k++) trainer.train(input, next());

  const layers = net.layers;
  const loss = layers[layers.length - 1];
  if (!isLossLayer(loss)) throw new Error('the seed network ends in a loss layer');
  const forward = new Float64Array(layers.length);
  const backward = new Float64Array(layers.length);
  for (let k = 0; k < examples; k++) {
    const label = next();
    let act = input;
    for (let i = 0; i < layers.length; i++) {
      const t = performance.now();
      act = layers[i].forward(act, true);
      forward[i] += performance.now() - t;
    }
    const t = performance.now();
    loss.backwardLoss(label);
    backward[layers.length - 1] += performance.now() - t;
    for (let i = layers.length - 2; i >= 0; i--) {
      const t0 = performance.now();
      // As ExampleStep trains: the gradient on the network's input is left out.
      layers[i].backward(i > 1);
      backward[i] += performance.now() - t0;
    }
    if (k % seed.trainer.batch_size === seed.trainer.batch_size - 1) net.zeroGrads();
  }

  // Whole steps, then the same without the update, then the data side alone.
  const timeOf = (body: () => void): number => {
    const t0 = performance.now();
    for (let k = 0; k < examples; k++) body();
    return ((performance.now() - t0) * 1000) / examples;
  };
  const stepUs = timeOf(() => trainer.train(input, next()));
  let count = 0;
  const noUpdateUs = timeOf(() => {
    net.forward(input, true);
    net.backward(next(), false);
    if (++count % seed.trainer.batch_size === 0) net.zeroGrads();
  });
  const dataUs = timeOf(() => next());

  const us = (ms: number): number => (ms * 1000) / examples;
  let total = 0;
  for (let i = 0; i < layers.length; i++) total += us(forward[i] + backward[i]);
  console.log(`kernels ${net.kernels.name}, ${examples} examples; microseconds per example`);
  console.log(`${'layer'.padEnd(14)} ${'forward'.padStart(8)} ${'backward'.padStart(9)} ${'share'.padStart(6)}`);
  layers.forEach((layer, i) => {
    const f = us(forward[i]);
    const b = us(backward[i]);
    const name = `${i} ${layer.spec.type}`;
    console.log(
      `${name.padEnd(14)} ${f.toFixed(2).padStart(8)} ${b.toFixed(2).padStart(9)} ${((100 * (f + b)) / total).toFixed(1).padStart(5)}%`,
    );
  });
  console.log(`layers total ${total.toFixed(1)} us`);
  console.log(
    `training step ${stepUs.toFixed(1)} us: update ~${Math.max(0, stepUs - noUpdateUs).toFixed(1)} us/example, ` +
      `data (crop + label) ${dataUs.toFixed(2)} us`,
  );
}

main();
