/**
 * `npm run train -- --data DIR` and `npm run eval -- --data DIR` on tiny datasets the
 * tests write: MNIST-format IDX files (some gzipped, with class names) and CIFAR-10
 * binary batches; and the one-line refusals of bad directories, files and networks.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvalCli, runTrainCli, type CliIO } from '../../../scripts/lib/cli';
import { CIFAR10_CLASS_NAMES } from '../../../src/data/cifar10';
import { SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { encodeIdxImages, encodeIdxLabels } from '../../../src/data/idx';
import { cifarBatch, idxFiles } from '../data/dataset-fixtures';
import { encodePng, shapeFolderFiles, webpHeader, writeFolder } from '../data/encoded-images';
import { smallNetText } from '../helpers/small-net';

const QUIET = ['--quiet'];
const FASHION_NAMES = ['shirt', 'trouser', 'bag'];

/** ConvNetJS's CIFAR-10 demo network, shrunk (fewer filters) so a test trains it in moments. */
const SMALL_RGB_NET = smallNetText({ size: 32, depth: 3, filters: 4, sx: 5, pool: 4, classes: 10, trainer: "{method:'adadelta', batch_size:4, l2_decay:0.0001}" });

let root: string;

interface Run {
  code: number;
  stdout: string[];
  stderr: string;
}

async function run(cli: typeof runTrainCli, argv: string[]): Promise<Run> {
  const stdout: string[] = [];
  let stderr = '';
  const io: CliIO = {
    stdout: (line) => stdout.push(line),
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  };
  // MNIST must not be needed when --data is given.
  const code = await cli(argv, io, {
    loadData: () => {
      throw new Error('the built-in MNIST was loaded');
    },
  });
  return { code, stdout, stderr };
}

function lastJson(r: Run): Record<string, unknown> {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout[r.stdout.length - 1]) as Record<string, unknown>;
}

/** Exit code 2 and exactly one line on stderr, matching `reason`. */
function expectOneLine(r: Run, reason: RegExp, command = 'train'): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toEqual([]);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.length).toBe(1);
  expect(lines[0]).toMatch(new RegExp(`^${command}: `));
  expect(lines[0]).toMatch(reason);
}

function directory(name: string, files: Record<string, Uint8Array | string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

/** A 28x28 MNIST-format set of 3 classes, images gzipped, labels raw, with a classes.txt. */
function fashionLike(name: string, replace: Record<string, Uint8Array> = {}): string {
  const files: Record<string, Uint8Array | string> = { 'classes.txt': FASHION_NAMES.join('\n') };
  for (const file of idxFiles({ train: 40, test: 12, classes: 3 })) {
    const gz = file.name.includes('images');
    files[gz ? `${file.name}.gz` : file.name] = gz ? gzipSync(file.bytes) : file.bytes;
  }
  return directory(name, { ...files, ...replace });
}

function cifarLike(name: string): string {
  const labels = (count: number) => Array.from({ length: count }, (_, i) => (i * 3) % 10);
  return directory(name, { 'data_batch_1.bin': cifarBatch(labels(30)), 'test_batch.bin': cifarBatch(labels(10)) });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'data-cli-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('npm run train -- --data DIR', () => {
  it('trains on an MNIST-format directory (format read from the names) and names the dataset and its classes', async () => {
    const dir = fashionLike('fashion');
    const out = join(root, 'fashion.json');
    const json = lastJson(await run(runTrainCli, ['--data', dir, '--examples', '30', '--out', out, ...QUIET]));
    expect(json.examples).toBe(30);
    expect(json.dataset).toMatchObject({ name: 'fashion', classes: FASHION_NAMES, shape: [28, 28, 1], train: 40, test: 12 });
    expect((json.dataset as { fingerprint: string }).fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // Every image of the test set is scored: accuracies are multiples of 1/12.
    expect(Math.round((json.testAccuracyCenter as number) * 12) / 12).toBeCloseTo(json.testAccuracyCenter as number, 9);

    const evaluated = lastJson(await run(runEvalCli, ['--model', out, '--data', dir, '--data-format', 'idx', ...QUIET]));
    expect(evaluated.examples).toBe(12);
    expect(evaluated.dataset).toMatchObject({ name: 'fashion', classes: FASHION_NAMES });
    // The snapshot and the seed give the same center-crop figure as at the end of training.
    expect(evaluated.testAccuracyCenter).toBe(json.testAccuracyCenter);
  });

  it('is reproducible: the same seed gives the same result line', async () => {
    const dir = fashionLike('again');
    const args = ['--data', dir, '--examples', '25', '--seed', '7', ...QUIET];
    const [a, b] = [lastJson(await run(runTrainCli, args)), lastJson(await run(runTrainCli, args))];
    expect({ ...a, seconds: 0, examplesPerSecond: 0, evaluationSeconds: 0 }).toEqual({
      ...b,
      seconds: 0,
      examplesPerSecond: 0,
      evaluationSeconds: 0,
    });
  });

  it('trains an RGB network on CIFAR-10 batches, with shifts and flips', async () => {
    const dir = cifarLike('cifar');
    const net = join(root, 'rgb-net.txt');
    writeFileSync(net, SMALL_RGB_NET);
    const json = lastJson(await run(runTrainCli, ['--data', dir, '--net', net, '--examples', '16', ...QUIET]));
    expect(json.examples).toBe(16);
    expect(json.dataset).toMatchObject({ name: 'cifar', shape: [32, 32, 3], train: 30, test: 10 });
    // No batches.meta.txt: CIFAR-10's own class names.
    expect((json.dataset as { classes: string[] }).classes).toEqual([...CIFAR10_CLASS_NAMES]);
    expect(json.testAccuracy4Crop).toBeGreaterThanOrEqual(0);
  });
});

/** The layers of a ConvNetJS snapshot that --out wrote: type, width and depth of each. */
function snapshotLayers(path: string): { layer_type: string; out_sx: number; out_depth: number }[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { layers: { layer_type: string; out_sx: number; out_depth: number }[] }).layers;
}

describe('npm run train -- --data DIR without --net: the network the page starts that dataset with', () => {
  it('CIFAR-10 batches: ConvNetJS\'s CIFAR-10 network (32x32x3 in, conv 16, 20, 20, softmax 10) and its trainer', async () => {
    const dir = cifarLike('cifar-default');
    const out = join(root, 'cifar-default.json');
    const json = lastJson(await run(runTrainCli, ['--data', dir, '--examples', '8', '--out', out, ...QUIET]));
    expect(json.examples).toBe(8);
    const layers = snapshotLayers(out);
    expect(layers[0]).toMatchObject({ layer_type: 'input', out_sx: 32, out_depth: 3 });
    expect(layers.filter((l) => l.layer_type === 'conv').map((l) => l.out_depth)).toEqual([16, 20, 20]);
    expect(layers[layers.length - 1]).toMatchObject({ layer_type: 'softmax', out_depth: 10 });
  });

  it('an MNIST-format set of 3 classes: the seed network with 3 outputs', async () => {
    const dir = fashionLike('three-default');
    const out = join(root, 'three-default.json');
    lastJson(await run(runTrainCli, ['--data', dir, '--examples', '20', '--out', out, ...QUIET]));
    const layers = snapshotLayers(out);
    expect(layers[0]).toMatchObject({ layer_type: 'input', out_sx: 24, out_depth: 1 });
    expect(layers.filter((l) => l.layer_type === 'conv').map((l) => l.out_depth)).toEqual([8, 16]);
    expect(layers[layers.length - 1]).toMatchObject({ layer_type: 'softmax', out_depth: 3 });
  });
});

describe('npm run train -- --data DIR --data-format images', () => {
  /** The three shape classes, 14 images each (PNG and JPEG), 20 px a side: resized on loading. */
  const shapes = (name: string, extra: Record<string, Uint8Array | string> = {}): string =>
    writeFolder(join(root, name), { ...shapeFolderFiles(14, 20), ...extra });
  const grayNet = smallNetText({ size: 24, depth: 1, filters: 4, sx: 5, pool: 4, classes: 3, trainer: "{method:'adadelta', batch_size:4}" });
  const rgbNet = smallNetText({ size: 32, depth: 3, filters: 4, sx: 5, pool: 4, classes: 3, trainer: "{method:'adadelta', batch_size:4}" });

  it('trains on a folder of PNG and JPEG class folders (gray 28x28 by default) and learns the shapes; eval reads it again', async () => {
    const dir = shapes('shapes');
    const net = join(root, 'shapes-net.txt');
    writeFileSync(net, grayNet);
    const out = join(root, 'shapes.json');
    const json = lastJson(await run(runTrainCli, ['--data', dir, '--data-format', 'images', '--net', net, '--examples', '400', '--out', out, ...QUIET]));
    // A seeded 15% of each class (2 of 14) is held out as the test set.
    expect(json.dataset).toMatchObject({ name: 'shapes', classes: ['diagonal', 'left', 'top'], shape: [28, 28, 1], train: 36, test: 6 });
    // Chance is 1/3.
    expect(json.testAccuracyCenter).toBeGreaterThan(0.6);

    const evaluated = lastJson(await run(runEvalCli, ['--model', out, '--data', dir, ...QUIET]));
    expect(evaluated.dataset).toMatchObject({ classes: ['diagonal', 'left', 'top'], test: 6 });
    expect(evaluated.testAccuracyCenter).toBe(json.testAccuracyCenter);
  });

  it('resizes to --image-size in colour with --image-channels 3, for an RGB network', async () => {
    const dir = shapes('shapes-rgb');
    const net = join(root, 'shapes-rgb-net.txt');
    writeFileSync(net, rgbNet);
    const json = lastJson(await run(runTrainCli, ['--data', dir, '--image-size', '32', '--image-channels', '3', '--net', net, '--examples', '40', ...QUIET]));
    expect(json.dataset).toMatchObject({ shape: [32, 32, 3], train: 36, test: 6 });
  });

  it('names the files it skipped on stderr, as the page lists them, and still trains', async () => {
    const dir = shapes('shapes-broken', { 'top/broken.png': encodePng(4, 4, new Uint8Array(64)).slice(0, 30) });
    const net = join(root, 'shapes-net-2.txt');
    writeFileSync(net, grayNet);
    const r = await run(runTrainCli, ['--data', dir, '--net', net, '--examples', '10', ...QUIET]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`train: --data ${dir}: skipped 1 file: top/broken.png (could not be decoded)\n`);
    expect(JSON.parse(r.stdout[r.stdout.length - 1])).toMatchObject({ examples: 10 });
  });

  it('refuses WebP images by name in one line, saying to convert them', async () => {
    const dir = shapes('shapes-webp', { 'left/photo.webp': webpHeader() });
    expectOneLine(
      await run(runTrainCli, ['--data', dir, ...QUIET]),
      /shapes-webp\/left\/photo\.webp: is WEBP, which the CLI cannot decode \(only PNG and JPEG\); convert such images to PNG/,
    );
  });

  it('refuses --image-size and --image-channels that are out of range or for another format', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--data', root, '--image-channels', '2'], /^train: --image-channels must be 1 \(gray\) or 3 \(colour\), got '2'\n/],
      [['--data', root, '--image-size', '0'], /^train: --image-size must be a whole number from 1 to \d+, got '0'\n/],
      [['--data', root, '--data-format', 'idx', '--image-size', '32'], /^train: --image-size is for --data-format images, not idx\n/],
      [['--image-size', '32'], /^train: --image-size says how to read an image folder; give --data DIR too\n/],
    ];
    for (const [argv, reason] of cases) {
      const r = await run(runTrainCli, argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(reason);
    }
  });
});

describe('refusals of --data, one line each', () => {
  it('a directory that does not exist', async () => {
    expectOneLine(await run(runTrainCli, ['--data', join(root, 'nowhere'), ...QUIET]), /nowhere: does not exist/);
  });

  it('an empty directory, and one holding no dataset', async () => {
    expectOneLine(await run(runTrainCli, ['--data', directory('empty', {}), ...QUIET]), /empty: is empty/);
    const odd = directory('odd', { 'notes.md': 'hello' });
    expectOneLine(await run(runTrainCli, ['--data', odd, ...QUIET]), /odd: holds neither MNIST-format IDX files/);
  });

  it('a damaged file, naming it', async () => {
    const dir = fashionLike('truncated', { 'train-labels-idx1-ubyte': encodeIdxLabels(new Uint8Array(39)) });
    expectOneLine(await run(runTrainCli, ['--data', dir, ...QUIET]), /truncated\/train-images-idx3-ubyte\.gz: holds 40 images but \S+train-labels-idx1-ubyte holds 39 labels/);
    const wrongMagic = fashionLike('magic', { 't10k-labels-idx1-ubyte': encodeIdxImages(new Uint8Array(12 * 4), 12, 2, 2) });
    expectOneLine(await run(runTrainCli, ['--data', wrongMagic, ...QUIET]), /magic\/t10k-labels-idx1-ubyte: magic number 2051 \(that is an images file\)/);
  });

  it('a network whose input does not fit, naming both shapes', async () => {
    const dir = cifarLike('cifar-seed');
    const seedNet = join(root, 'seed-net.txt');
    writeFileSync(seedNet, SEED_DEFINITION_TEXT);
    expectOneLine(
      await run(runTrainCli, ['--data', dir, '--net', seedNet, ...QUIET]),
      /--net .*seed-net\.txt: the network's input is 24x24x1, but cifar-seed images are 32x32x3; use an input of depth 3/,
    );
  });

  it('--data-format without --data, or one that is not a format', async () => {
    const r = await run(runTrainCli, ['--data-format', 'idx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^train: --data-format says how to read --data DIR; give --data too\n/);
    const bad = await run(runTrainCli, ['--data', root, '--data-format', 'png']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^train: --data-format must be idx, cifar10, images, got 'png'\n/);
  });
});
