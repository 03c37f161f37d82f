import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvalCli, runTrainCli, type CliIO } from '../../../scripts/lib/cli';
import { clampWorkers } from '../../../scripts/lib/parallel-workers';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';

/**
 * `npm run train -- --workers N` and `--until`, in-process with real worker threads.
 * Small budgets (a few hundred examples, 100 test images) keep it quick.
 */
const SMALL = ['--examples', '200', '--test-limit', '100', '--quiet'];

let data: MnistData;
let dir: string;

beforeAll(() => {
  data = loadMnist();
  dir = mkdtempSync(join(tmpdir(), 'mnist-workers-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string[];
  stderr: string;
}

async function train(argv: string[], cores = 2, command = runTrainCli): Promise<Run> {
  const stdout: string[] = [];
  let stderr = '';
  const io: CliIO = {
    stdout: (line) => stdout.push(line),
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  };
  const code = await command(argv, io, { loadData: () => data, cores: () => cores });
  return { code, stdout, stderr };
}

function json(r: Run, line = r.stdout.length - 1): Record<string, unknown> {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout[line]) as Record<string, unknown>;
}

/** Weights of a ConvNetJS snapshot, flattened in layer order. */
function weights(path: string): number[] {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as { layers: Array<{ filters?: Array<{ w: Record<string, number> }>; biases?: { w: Record<string, number> } }> };
  const values: number[] = [];
  for (const layer of snapshot.layers) {
    for (const volume of [...(layer.filters ?? []), ...(layer.biases ? [layer.biases] : [])]) {
      values.push(...Object.values(volume.w));
    }
  }
  return values;
}

describe('npm run train -- --workers', () => {
  it('trains on 2 worker threads: the same examples as 1 worker, weights equal within float32 summation error', async () => {
    const [one, two, again] = ['one.json', 'two.json', 'two-again.json'].map((n) => join(dir, n));
    const single = json(await train([...SMALL, '--out', one]));
    const double = json(await train([...SMALL, '--workers', '2', '--out', two]));
    expect(single.workers).toBe(1);
    expect(double.workers).toBe(2);
    expect(double.examples).toBe(200);
    const a = weights(one);
    const b = weights(two);
    expect(b.length).toBe(a.length);
    const scale = Math.max(...a.map(Math.abs));
    const difference = Math.max(...a.map((w, i) => Math.abs(w - b[i])));
    expect(difference / scale).toBeLessThan(1e-5);
    // A seed reproduces a 2-worker run exactly.
    json(await train([...SMALL, '--workers', '2', '--out', again]));
    expect(readFileSync(again).equals(readFileSync(two))).toBe(true);
  });

  it('trains on 3 worker threads (oversubscribed on 2 cores) to 1 worker’s weights within float32 summation error', async () => {
    const [one, three] = ['one-of-three.json', 'three.json'].map((n) => join(dir, n));
    json(await train([...SMALL, '--out', one]));
    expect(json(await train([...SMALL, '--workers', '3', '--out', three], 4)).workers).toBe(3);
    const a = weights(one);
    const b = weights(three);
    const scale = Math.max(...a.map(Math.abs));
    expect(Math.max(...a.map((w, i) => Math.abs(w - b[i]))) / scale).toBeLessThan(1e-5);
  });

  it('evaluates a snapshot on 1, 2 and 4 worker threads with the same figures (npm run eval -- --workers)', async () => {
    const model = join(dir, 'to-evaluate.json');
    json(await train([...SMALL, '--out', model]));
    const evalArgs = ['--model', model, '--test-limit', '300', '--quiet'];
    const one = json(await train(evalArgs, 4, runEvalCli));
    const two = json(await train([...evalArgs, '--workers', '2'], 4, runEvalCli));
    const four = json(await train([...evalArgs, '--workers', '4'], 4, runEvalCli));
    expect(one.examples).toBe(300);
    expect(two).toEqual(one);
    expect(four).toEqual(one);
    const clamped = await train([...evalArgs, '--workers', '3'], 1, runEvalCli);
    expect(json(clamped)).toEqual(one);
    expect(clamped.stderr).toBe('eval: --workers 3: this machine has 1 core; evaluating with 1 worker\n');
  });

  it('falls back to 1 worker where only one core exists, with a one-line note, and trains as --workers 1', async () => {
    const [one, fallback] = ['plain.json', 'fallback.json'].map((n) => join(dir, n));
    json(await train([...SMALL, '--out', one], 1));
    const r = await train([...SMALL, '--workers', '2', '--out', fallback], 1);
    expect(json(r).workers).toBe(1);
    expect(r.stderr).toBe('train: --workers 2: this machine has 1 core; training with 1 worker\n');
    expect(readFileSync(fallback).equals(readFileSync(one))).toBe(true);
  });

  it('clamps a request above the core count', () => {
    expect(clampWorkers(2, 2)).toEqual({ workers: 2, note: null });
    expect(clampWorkers(8, 2)).toEqual({ workers: 2, note: '--workers 8: this machine has 2 cores; training with 2 workers' });
    expect(clampWorkers(1, 1)).toEqual({ workers: 1, note: null });
  });

  it('rejects bad --workers values with a one-line reason and the usage line', async () => {
    for (const [value, reason] of [
      ['0', "--workers must be a whole number from 1 to 64, got '0'"],
      ['two', "--workers must be a whole number from 1 to 64, got 'two'"],
      ['1.5', "--workers must be a whole number from 1 to 64, got '1.5'"],
      ['65', "--workers must be a whole number from 1 to 64, got '65'"],
      ['-2', "--workers must not be negative, got '-2'"],
    ]) {
      const r = await train(['--workers', value]);
      expect(r.code).toBe(2);
      expect(r.stdout).toEqual([]);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(`train: ${reason}`);
      expect(lines[1]).toMatch(/^usage: npm run train/);
    }
  });
});

describe('npm run train -- --until', () => {
  it('stops at the first evaluation point that reaches the target and reports where', async () => {
    const r = await train(['--examples', '2000', '--test-limit', '100', '--quiet', '--workers', '2', '--until', '0.6', '--eval-from', '100', '--eval-every', '100']);
    const result = json(r);
    const points = r.stdout.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(points.length).toBeGreaterThan(0);
    for (const [i, point] of points.entries()) {
      expect(Object.keys(point)).toEqual([
        'checkpoint',
        'examples',
        'seconds',
        'testAccuracy4Crop',
        'testAccuracyCenter',
        'evaluationSeconds',
        'imagesEvaluated',
        'imagesMisclassified',
      ]);
      expect(point.examples).toBe(100 * (i + 1));
      // Out of reach means more than 40 of the 100 images wrong; a point that made it classified all 100.
      if (point.testAccuracy4Crop === null) expect(point.imagesMisclassified as number).toBeGreaterThan(40);
      else expect([point.imagesEvaluated, point.imagesMisclassified]).toEqual([100, Math.round(100 * (1 - (point.testAccuracy4Crop as number)))]);
    }
    const last = points[points.length - 1];
    // Below the target, a point stops counting once it is out of reach (null); the last one made it.
    for (const point of points.slice(0, -1)) expect(point.testAccuracy4Crop === null || (point.testAccuracy4Crop as number) < 0.6).toBe(true);
    expect(last.testAccuracy4Crop as number).toBeGreaterThanOrEqual(0.6);
    expect(result.reachedAt).toEqual({ examples: last.examples, seconds: last.seconds });
    expect(result.examples).toBe(last.examples);
    // The final figure is of the same weights with the same crops.
    expect(result.testAccuracy4Crop).toBe(last.testAccuracy4Crop);
    expect(result.evaluationSeconds as number).toBeGreaterThan(0);
  });

  it('reports reachedAt null when the budget ends first', async () => {
    const r = await train([...SMALL, '--until', '1', '--eval-from', '100', '--eval-every', '100']);
    const result = json(r);
    expect(result.reachedAt).toBeNull();
    expect(result.examples).toBe(200);
    const points = r.stdout.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(points.map((p) => [p.examples, p.testAccuracy4Crop])).toEqual([
      [100, null],
      [200, null],
    ]);
  });

  it('rejects a target that is not a fraction, and a schedule without a target', async () => {
    const cases: Array<[string[], string]> = [
      [['--until', '99'], "--until must be an accuracy above 0 and at most 1 (a fraction: 0.99 for 99%), got '99'"],
      [['--until', '0'], "--until must be an accuracy above 0 and at most 1 (e.g. 0.99), got '0'"],
      [['--until', 'high'], "--until must be an accuracy above 0 and at most 1 (e.g. 0.99), got 'high'"],
      [['--eval-every', '5000'], '--eval-every schedules the evaluations of --until; give --until too'],
      [['--until', '0.9', '--eval-from', '0'], "--eval-from must be a whole number from 1 to 1000000000, got '0'"],
    ];
    for (const [argv, reason] of cases) {
      const r = await train(argv);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(`train: ${reason}`);
    }
  });
});
