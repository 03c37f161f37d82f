import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvalCli, runTrainCli, type CliIO } from '../../../scripts/lib/cli';
import { TRAIN_USAGE } from '../../../scripts/lib/cli-args';
import { argmax, fillCenterCrop } from '../../../src/data/augment';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { Rng } from '../../../src/engine/rng';
import { netFromJSON, netToJSON } from '../../../src/engine/snapshot';
import { Volume } from '../../../src/engine/volume';

// ConvNetJS, the reference implementation, only for cross-checks.
const convnetjs = createRequire(import.meta.url)('convnetjs');

const TRAIN_KEYS = [
  'examples',
  'seconds',
  'examplesPerSecond',
  'validationAccuracy',
  'testAccuracy4Crop',
  'testAccuracyCenter',
  'seed',
  'evaluationSeconds',
  'workers',
  'reachedAt',
];
const SMALL = ['--examples', '200', '--test-limit', '100', '--quiet'];

let data: MnistData;
let dir: string;
const loadData = () => data;

interface Run {
  code: number;
  stdout: string[];
  stderr: string;
}

async function run(cli: typeof runTrainCli, argv: string[], load = loadData): Promise<Run> {
  const stdout: string[] = [];
  let stderr = '';
  const io: CliIO = {
    stdout: (line) => stdout.push(line),
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  };
  const code = await cli(argv, io, { loadData: load });
  return { code, stdout, stderr };
}

const train = (argv: string[]) => run(runTrainCli, argv);
const evaluate = (argv: string[]) => run(runEvalCli, argv);

function lastJson(r: Run): Record<string, unknown> {
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout[r.stdout.length - 1]) as Record<string, unknown>;
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Expects a user-error exit: code 2, the one-line reason, no stack trace. */
function expectUserError(r: Run, reason: string | RegExp, withUsage: boolean, command = 'train'): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toEqual([]);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.length).toBe(withUsage ? 2 : 1);
  const message = lines[0].slice(`${command}: `.length);
  expect(lines[0].startsWith(`${command}: `)).toBe(true);
  if (typeof reason === 'string') expect(message).toBe(reason);
  else expect(message).toMatch(reason);
  if (withUsage) expect(lines[1]).toMatch(/^usage: npm run /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** A snapshot of a freshly initialised net built from `defs` by this engine. */
function snapshotOf(defs: unknown[]): string {
  return JSON.stringify(netToJSON(Net.fromDefs(defs, new Rng(1))));
}

beforeAll(() => {
  data = loadMnist();
  dir = mkdtempSync(join(tmpdir(), 'mnist-cli-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run train', () => {
  it('prints one JSON object with the agreed keys as its last stdout line', async () => {
    const r = await train([...SMALL, '--seed', '3']);
    const json = lastJson(r);
    expect(Object.keys(json)).toEqual(TRAIN_KEYS);
    expect(json.examples).toBe(200);
    expect(json.seed).toBe(3);
    expect(json.seconds as number).toBeGreaterThan(0);
    // "seconds" is rounded to the millisecond, so the rate agrees within that rounding.
    const rate = 200 / (json.seconds as number);
    expect(Math.abs((json.examplesPerSecond as number) - rate)).toBeLessThanOrEqual(rate * (0.0005 / (json.seconds as number)) + 0.1);
    for (const key of ['validationAccuracy', 'testAccuracy4Crop', 'testAccuracyCenter']) {
      const accuracy = json[key] as number;
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
      // Fractions over the 100 images of --test-limit.
      expect(Math.round(accuracy * 100)).toBeCloseTo(accuracy * 100, 9);
    }
    // 200 examples (10 adadelta updates) already beat chance (10%) clearly.
    expect(json.testAccuracyCenter as number).toBeGreaterThan(0.15);
  });

  it('one seed reproduces the run: same accuracies, byte-identical --out; another seed differs', async () => {
    const [a, b, c] = ['a.json', 'b.json', 'c.json'].map((n) => join(dir, n));
    const ra = lastJson(await train([...SMALL, '--seed', '5', '--out', a]));
    const rb = lastJson(await train([...SMALL, '--seed', '5', '--out', b]));
    const rc = lastJson(await train([...SMALL, '--seed', '6', '--out', c]));
    const accuracies = (j: Record<string, unknown>) => [j.validationAccuracy, j.testAccuracy4Crop, j.testAccuracyCenter];
    expect(accuracies(rb)).toEqual(accuracies(ra));
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    expect(readFileSync(c).equals(readFileSync(a))).toBe(false);
    expect(rc.seed).toBe(6);
  });

  it('--eval-at prints checkpoint lines before the result, without changing the training', async () => {
    const [a, b] = ['plain.json', 'checkpointed.json'].map((n) => join(dir, n));
    const plain = await train([...SMALL, '--eval', 'center', '--out', a]);
    const checked = await train([...SMALL, '--eval', 'center', '--out', b, '--eval-at', '100,200']);
    expect(checked.stdout.length).toBe(3);
    const [first, second] = checked.stdout.slice(0, 2).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(first)).toEqual(['checkpoint', 'examples', 'seconds', 'testAccuracy4Crop', 'testAccuracyCenter']);
    expect([first.examples, second.examples]).toEqual([100, 200]);
    expect(first.testAccuracy4Crop).toBeNull();
    // The checkpoint at the last example sees the final weights.
    expect(second.testAccuracyCenter).toBe(lastJson(checked).testAccuracyCenter);
    expect(lastJson(checked).testAccuracyCenter).toBe(lastJson(plain).testAccuracyCenter);
    expect(lastJson(checked).validationAccuracy).toBe(lastJson(plain).validationAccuracy);
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
  });

  it('--eval picks the test-time crops; the other figure is null', async () => {
    const center = lastJson(await train([...SMALL, '--eval', 'center']));
    expect(center.testAccuracy4Crop).toBeNull();
    expect(typeof center.testAccuracyCenter).toBe('number');
    const four = lastJson(await train([...SMALL, '--eval', '4crop']));
    expect(four.testAccuracyCenter).toBeNull();
    expect(typeof four.testAccuracy4Crop).toBe('number');
  });

  it('--out writes a ConvNetJS snapshot that ConvNetJS predicts with as this engine does, and eval agrees', async () => {
    const out = join(dir, 'seed-net.json');
    const trained = lastJson(await train([...SMALL, '--seed', '2', '--out', out]));
    const text = readFileSync(out, 'utf8');

    const reference = new convnetjs.Net();
    reference.fromJSON(JSON.parse(text));
    const ours = netFromJSON(text);
    const input = new Volume(24, 24, 1);
    const x = new convnetjs.Vol(24, 24, 1, 0.0);
    const n = 1000;
    let same = 0;
    for (let i = 0; i < n; i++) {
      fillCenterCrop(input, data.test, i);
      x.w.set(input.w);
      if (argmax(reference.forward(x, false).w) === argmax(ours.forward(input, false).w)) same++;
    }
    expect(same / n).toBeGreaterThanOrEqual(0.999);

    const evaluated = lastJson(await evaluate(['--model', out, '--test-limit', '100', '--seed', '2', '--quiet']));
    expect(evaluated).toEqual({
      examples: 100,
      testAccuracy4Crop: trained.testAccuracy4Crop,
      testAccuracyCenter: trained.testAccuracyCenter,
    });
  });

  it('--init continues from a snapshot, with the trainer of --net when given', async () => {
    const start = join(dir, 'start.json');
    lastJson(await train([...SMALL, '--out', start]));
    const continued = lastJson(await train([...SMALL, '--init', start]));
    expect(continued.examples).toBe(200);
    const sgd = file(
      'sgd.json',
      JSON.stringify({
        layers: [
          { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
          { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
          { type: 'pool', sx: 2, stride: 2 },
          { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
          { type: 'pool', sx: 3, stride: 3 },
          { type: 'softmax', num_classes: 10 },
        ],
        trainer: { method: 'sgd', learning_rate: 0.01, momentum: 0.9, batch_size: 10 },
      }),
    );
    expect(lastJson(await train([...SMALL, '--init', start, '--net', sgd])).examples).toBe(200);
  });

  it('trains a network from --net in the JSON form, with a 28x28 input (no crop)', async () => {
    const net = file(
      'full-image.json',
      JSON.stringify({
        layers: [
          { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
          { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
          { type: 'pool', sx: 4, stride: 4 },
          { type: 'softmax', num_classes: 10 },
        ],
        trainer: { method: 'adadelta', batch_size: 20, l2_decay: 0.001 },
      }),
    );
    const json = lastJson(await train([...SMALL, '--net', net]));
    expect(json.examples).toBe(200);
    // Without crops the 4 "crops" are the whole image: both figures agree.
    expect(json.testAccuracy4Crop).toBe(json.testAccuracyCenter);
  });

  it('--help prints the options and exits 0', async () => {
    const r = await train(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.join('\n')).toContain(TRAIN_USAGE);
    expect(r.stdout.join('\n')).toContain('--test-limit N');
  });
});

describe('npm run train: bad input exits non-zero with a one-line reason', () => {
  it('unknown flags and bad numbers, with the usage line', async () => {
    expectUserError(await train(['--exmaples', '200']), 'unknown option --exmaples; did you mean --examples?', true);
    expectUserError(await train(['--examples', 'many']), "--examples must be a whole number from 1 to 1000000000, got 'many'", true);
    expectUserError(await train(['--seed', '1.5']), "--seed must be a whole number from 0 to 4294967295, got '1.5'", true);
    expectUserError(await train(['--epochs', '-1']), "--epochs must not be negative, got '-1'", true);
    expectUserError(await train(['--eval', 'all']), "--eval must be 4crop, center or both, got 'all'", true);
  });

  it('an unreadable --net or --init', async () => {
    const missing = join(dir, 'nope.txt');
    expectUserError(await train(['--net', missing]), `--net ${missing}: cannot read it (no such file)`, false);
    expectUserError(await train(['--init', dir]), `--init ${dir}: cannot read it (is a directory, not a file)`, false);
  });

  it('a malformed --net: the engine message with its line', async () => {
    const typo = file(
      'typo.txt',
      [
        'layer_defs = [];',
        "layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});",
        "layer_defs.push({type:'softmax', num_classes:10});",
        'net = new convnetjs.Net();',
        'net.makeLayers(layer_defs);',
        "trainer = new convnetjs.SGDTrainer(net, {method:'adadelata', batch_size:20});",
      ].join('\n'),
    );
    expectUserError(await train(['--net', typo]), new RegExp(`^--net ${typo}: .*adadelata.*did you mean 'adadelta'\\?`), false);
    const garbage = file('garbage.txt', '{ layers: [ {type: "input", ');
    expectUserError(await train(['--net', garbage]), new RegExp(`^--net ${garbage}: `), false);
  });

  it('a malformed --init', async () => {
    const notJson = file('broken.json', '{"layers": [');
    expectUserError(await train(['--init', notJson]), new RegExp(`^--init ${notJson}: snapshot: not valid JSON`), false);
    const notSnapshot = file('other.json', '{"hello": 1}');
    expectUserError(await train(['--init', notSnapshot]), `--init ${notSnapshot}: snapshot: expected an object with a 'layers' array, as ConvNetJS's net.toJSON() writes`, false);
  });

  it('a network or snapshot whose input does not fit MNIST', async () => {
    const color = snapshotOf([
      { type: 'input', out_sx: 32, out_sy: 32, out_depth: 3 },
      { type: 'fc', num_neurons: 4 },
      { type: 'softmax', num_classes: 10 },
    ]);
    const path = file('cifar.json', color);
    expectUserError(
      await train(['--init', path]),
      `--init ${path}: the network's input is 32x32x3, but MNIST images are grayscale (depth 1); use an input of 28x28x1`,
      false,
    );
    const big = file('big.json', JSON.stringify({ layers: [{ type: 'input', out_sx: 32, out_sy: 32, out_depth: 1 }, { type: 'softmax', num_classes: 10 }] }));
    expectUserError(await train(['--net', big]), /^--net .*big\.json: the network's input is 32x32x1, larger than MNIST's 28x28 images/, false);
    const fewClasses = file('five.json', JSON.stringify({ layers: [{ type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 }, { type: 'softmax', num_classes: 5 }] }));
    expectUserError(await train(['--net', fewClasses]), /num_classes 5, too few for the 10 digits$/, false);
  });

  it('--net that does not match the --init snapshot', async () => {
    const start = file('tiny-snapshot.json', snapshotOf([{ type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 }, { type: 'softmax', num_classes: 10 }]));
    const other = file('other-net.json', JSON.stringify({ layers: [{ type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 }, { type: 'softmax', num_classes: 10 }] }));
    expectUserError(await train(['--init', start, '--net', other]), /does not describe the network in --init .*: layer 0 is input 28x28x1 but input 24x24x1 in the snapshot$/, false);
  });

  it('an --out that cannot be written fails before training', async () => {
    const out = join(dir, 'no-such-dir', 'x.json');
    expectUserError(await train(['--out', out]), `--out ${out}: the directory ${join(dir, 'no-such-dir')} does not exist`, false);
  });

  it('missing or damaged MNIST files exit 1 with the file and the problem', async () => {
    const empty = join(dir, 'empty-mnist');
    const r = await run(runTrainCli, SMALL, () => loadMnist(empty));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`train: cannot load MNIST: ${join(empty, 'train-images-idx3-ubyte')}: the file is missing\n`);
  });
});

describe('npm run eval', () => {
  it('accepts a snapshot written by the convnetjs package itself', async () => {
    const reference = new convnetjs.Net();
    reference.makeLayers([
      { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
      { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
      { type: 'pool', sx: 3, stride: 3 },
      { type: 'softmax', num_classes: 10 },
    ]);
    const trainer = new convnetjs.SGDTrainer(reference, { method: 'adadelta', batch_size: 20, l2_decay: 0.001 });
    const input = new Volume(24, 24, 1);
    const x = new convnetjs.Vol(24, 24, 1, 0.0);
    for (let i = 0; i < 100; i++) {
      fillCenterCrop(input, data.train, i);
      x.w.set(input.w);
      trainer.train(x, data.train.labels[i]);
    }
    const path = file('convnetjs.json', JSON.stringify(reference.toJSON()));
    const json = lastJson(await evaluate(['--model', path, '--eval', 'center', '--test-limit', '300', '--quiet']));
    expect(Object.keys(json)).toEqual(['examples', 'testAccuracy4Crop', 'testAccuracyCenter']);
    expect(json.examples).toBe(300);
    expect(json.testAccuracy4Crop).toBeNull();
    let referenceCorrect = 0;
    for (let i = 0; i < 300; i++) {
      fillCenterCrop(input, data.test, i);
      x.w.set(input.w);
      if (argmax(reference.forward(x, false).w) === data.test.labels[i]) referenceCorrect++;
    }
    expect(Math.abs((json.testAccuracyCenter as number) * 300 - referenceCorrect)).toBeLessThanOrEqual(1);
  });

  it('rejects a missing --model, a malformed one and one whose input does not fit MNIST', async () => {
    expectUserError(await evaluate([]), '--model SNAPSHOT.json is required', true, 'eval');
    const bad = file('bad-model.json', '[1, 2');
    expectUserError(await evaluate(['--model', bad]), new RegExp(`^--model ${bad}: snapshot: not valid JSON`), false, 'eval');
    // A file chosen by mistake is named, never quoted: no byte of its content reaches the message.
    const secret = file('passwd', 'root:x:0:0:root:/root:/bin/bash\n');
    const refusal = await evaluate(['--model', secret]);
    expectUserError(refusal, /: snapshot: not valid JSON \(it does not start with '\{'/, false, 'eval');
    expect(JSON.stringify(refusal)).not.toContain('root:x');
    const broken = file('broken.json', '{"layers": [\n  {"out_sx" 24}]}');
    expectUserError(await evaluate(['--model', broken]), /not valid JSON \(a syntax error at line 2, column 13\)/, false, 'eval');
    const wide = file('wide.json', snapshotOf([{ type: 'input', out_sx: 28, out_sy: 30, out_depth: 1 }, { type: 'softmax', num_classes: 10 }]));
    expectUserError(await evaluate(['--model', wide]), /the network's input is 28x30x1, larger than MNIST's 28x28 images/, false, 'eval');
    const regression = file('regression.json', snapshotOf([{ type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 }, { type: 'regression', num_neurons: 10 }]));
    expectUserError(await evaluate(['--model', regression]), /the last layer is 'regression'; classifying digits needs a softmax or svm layer/, false, 'eval');
  });
});

describe('the real processes', () => {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const exec = promisify(execFile);

  it('npm run train: exit 0, progress on stderr, the JSON as the last stdout line', async () => {
    const { stdout, stderr } = await exec(tsx, ['scripts/train.ts', '--examples', '200', '--test-limit', '100', '--eval', 'center']);
    const lines = stdout.trimEnd().split('\n');
    expect(Object.keys(JSON.parse(lines[lines.length - 1]))).toEqual(TRAIN_KEYS);
    expect(stderr).toMatch(/^train 100% 200 examples/m);
  });

  it('bad input: exit code 2, reason and usage on stderr, no stack trace', async () => {
    const failure = await exec(tsx, ['scripts/train.ts', '--examples', 'x']).then(
      () => null,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr).toBe(`train: --examples must be a whole number from 1 to 1000000000, got 'x'\n${TRAIN_USAGE}\n`);
  });
});
