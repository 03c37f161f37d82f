import { describe, expect, it } from 'vitest';
import { parseEvalArgs, parseTrainArgs, UsageError } from '../../../scripts/lib/cli-args';

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('train options', () => {
  it('defaults to one epoch, seed 1, both evaluations, full test set', () => {
    expect(parseTrainArgs([])).toEqual({
      dataDir: null,
      dataFormat: null,
      imageSide: 28,
      imageChannels: 1,
      budget: { kind: 'epochs', epochs: 1 },
      seed: 1,
      netFile: null,
      initFile: null,
      outFile: null,
      evalMode: 'both',
      testLimit: null,
      evalAt: [],
      quiet: false,
      help: false,
      workers: 1,
      until: null,
      untilSchedule: { first: 60000, every: 10000 },
    });
  });

  it('reads --workers and --until; --until alone trains at most 20 epochs, a budget option caps it', () => {
    expect(parseTrainArgs(['--workers', '2']).workers).toBe(2);
    const until = parseTrainArgs(['--until', '0.99', '--eval-from', '50000', '--eval-every', '5000']);
    expect(until).toMatchObject({ until: 0.99, untilSchedule: { first: 50000, every: 5000 }, budget: { kind: 'epochs', epochs: 20 } });
    expect(parseTrainArgs(['--until', '.99', '--seconds', '120']).budget).toEqual({ kind: 'seconds', seconds: 120 });
  });

  it('reads --eval-at as increasing example counts', () => {
    expect(parseTrainArgs(['--eval-at', '10000,30000, 60000']).evalAt).toEqual([10000, 30000, 60000]);
    expect(usageError(() => parseTrainArgs(['--eval-at', '300,200']))).toBe("--eval-at must list example counts in increasing order, got '300,200'");
    expect(usageError(() => parseTrainArgs(['--eval-at', '100,x']))).toBe("--eval-at must be a whole number from 1 to 1000000000, got 'x'");
  });

  it('reads every option, in either --flag value or --flag=value form', () => {
    const o = parseTrainArgs(['--examples', '200', '--seed=42', '--net', 'n.txt', '--init', 'i.json', '--out', 'o.json', '--eval', 'center', '--test-limit', '50', '--quiet']);
    expect(o).toMatchObject({
      budget: { kind: 'examples', examples: 200 },
      seed: 42,
      netFile: 'n.txt',
      initFile: 'i.json',
      outFile: 'o.json',
      evalMode: 'center',
      testLimit: 50,
      quiet: true,
    });
    expect(parseTrainArgs(['--epochs', '0.5']).budget).toEqual({ kind: 'epochs', epochs: 0.5 });
    expect(parseTrainArgs(['--seconds', '30']).budget).toEqual({ kind: 'seconds', seconds: 30 });
    expect(parseTrainArgs(['--seed', '4294967295']).seed).toBe(4294967295);
  });

  it('rejects unknown options, suggesting the near one', () => {
    expect(usageError(() => parseTrainArgs(['--exmaples', '5']))).toBe('unknown option --exmaples; did you mean --examples?');
    expect(usageError(() => parseTrainArgs(['--frobnicate']))).toBe('unknown option --frobnicate');
    expect(usageError(() => parseTrainArgs(['-x']))).toBe('unknown option -x');
    expect(usageError(() => parseTrainArgs(['200']))).toBe("unexpected argument '200'; every value follows an --option");
  });

  it('rejects bad numbers, naming the option and the value', () => {
    expect(usageError(() => parseTrainArgs(['--examples', 'abc']))).toBe("--examples must be a whole number from 1 to 1000000000, got 'abc'");
    expect(usageError(() => parseTrainArgs(['--examples', '0']))).toMatch(/^--examples must be a whole number from 1/);
    expect(usageError(() => parseTrainArgs(['--examples', '2.5']))).toMatch(/got '2.5'$/);
    expect(usageError(() => parseTrainArgs(['--examples', '1e3']))).toMatch(/got '1e3'$/);
    expect(usageError(() => parseTrainArgs(['--epochs', '0']))).toBe("--epochs must be a positive number, got '0'");
    expect(usageError(() => parseTrainArgs(['--epochs', 'NaN']))).toBe("--epochs must be a positive number, got 'NaN'");
    expect(usageError(() => parseTrainArgs(['--seconds', 'Infinity']))).toBe("--seconds must be a positive number, got 'Infinity'");
    expect(usageError(() => parseTrainArgs(['--seed', '-1']))).toBe("--seed must not be negative, got '-1'");
    expect(usageError(() => parseTrainArgs(['--seed', '4294967296']))).toMatch(/^--seed must be a whole number from 0 to 4294967295/);
    expect(usageError(() => parseTrainArgs(['--test-limit', '10001']))).toMatch(/^--test-limit must be a whole number from 1 to 10000/);
  });

  it('rejects missing values, values on flags, two budgets and unknown eval modes', () => {
    expect(usageError(() => parseTrainArgs(['--examples']))).toBe('option --examples needs a value');
    expect(usageError(() => parseTrainArgs(['--quiet=yes']))).toBe('option --quiet takes no value');
    expect(usageError(() => parseTrainArgs(['--examples', '5', '--seconds', '3']))).toBe(
      'give one of --examples, --epochs or --seconds, not --examples and --seconds',
    );
    expect(usageError(() => parseTrainArgs(['--eval', '5crop']))).toBe("--eval must be 4crop, center or both, got '5crop'");
    expect(usageError(() => parseTrainArgs(['--out', '']))).toBe('--out needs a file name');
  });
});

describe('eval options', () => {
  it('requires --model and reads the rest', () => {
    expect(usageError(() => parseEvalArgs([]))).toBe('--model SNAPSHOT.json is required');
    expect(parseEvalArgs(['--model', 'm.json', '--eval', '4crop'])).toEqual({
      dataDir: null,
      dataFormat: null,
      imageSide: 28,
      imageChannels: 1,
      modelFile: 'm.json',
      evalMode: '4crop',
      seed: 1,
      testLimit: null,
      quiet: false,
      help: false,
      workers: 1,
    });
    expect(parseEvalArgs(['--model', 'm.json', '--workers', '3']).workers).toBe(3);
    expect(usageError(() => parseEvalArgs(['--model', 'm.json', '--workers', '0']))).toBe(
      "--workers must be a whole number from 1 to 64, got '0'",
    );
    expect(usageError(() => parseEvalArgs(['--model', 'm.json', '--epochs', '1']))).toBe('unknown option --epochs');
  });
});
